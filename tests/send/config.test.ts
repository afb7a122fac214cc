/** The sending settings: defaults, every variable read, and bad values named. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';

test('sending settings: defaults', () => {
  const c = loadConfig({});
  assert.equal(c.sendEnabled, true);
  assert.deepEqual(c.feeds, []);
  assert.equal(c.feedIntervalSeconds, 900);
  assert.equal(c.sendTimeoutSeconds, 15);
  assert.equal(c.sendPerHostPerMinute, 20);
  assert.equal(c.sendPerHostConcurrent, 2);
  assert.equal(c.sendAttempts, 6);
});

test('sending settings: every variable read', () => {
  const c = loadConfig({
    BACKTALK_SEND: 'off', BACKTALK_FEEDS: 'https://blog.example/feed.xml, https://blog.example/notes.atom', BACKTALK_FEED_INTERVAL: '60',
    BACKTALK_SEND_TIMEOUT: '5', BACKTALK_SEND_PER_HOST_PER_MINUTE: '3', BACKTALK_SEND_PER_HOST_CONCURRENCY: '1', BACKTALK_SEND_ATTEMPTS: '2',
  });
  assert.equal(c.sendEnabled, false);
  assert.deepEqual(c.feeds, ['https://blog.example/feed.xml', 'https://blog.example/notes.atom']);
  assert.deepEqual([c.feedIntervalSeconds, c.sendTimeoutSeconds, c.sendPerHostPerMinute, c.sendPerHostConcurrent, c.sendAttempts], [60, 5, 3, 1, 2]);
});

test('sending settings: bad values stop the start, each naming its variable', () => {
  assert.throws(() => loadConfig({ BACKTALK_SEND: 'sometimes', BACKTALK_FEEDS: 'feed.xml', BACKTALK_FEED_INTERVAL: '0' }), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.deepEqual(err.problems.map((p) => p.split(':')[0]), ['BACKTALK_FEEDS', 'BACKTALK_SEND', 'BACKTALK_FEED_INTERVAL']);
    return true;
  });
});
