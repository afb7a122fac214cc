/** BACKTALK_ADMIN_SESSION and BACKTALK_WEBHOOK_EVENTS: defaults, accepted spellings, and one clear line on a bad value. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config.js';

test('BACKTALK_ADMIN_SESSION: 30 days by default; d, h, m or seconds; 5 minutes to 366 days', () => {
  assert.equal(loadConfig({}).adminSessionSeconds, 30 * 86400);
  const cases: Array<[string, number]> = [['7d', 7 * 86400], ['12h', 12 * 3600], ['90m', 5400], ['3600', 3600], [' 2 H ', 7200]];
  for (const [raw, seconds] of cases) assert.equal(loadConfig({ BACKTALK_ADMIN_SESSION: raw }).adminSessionSeconds, seconds, raw);
  for (const raw of ['1m', '400d', 'forever', '-1h', '1.5d']) {
    assert.throws(() => loadConfig({ BACKTALK_ADMIN_SESSION: raw }), /^ConfigError: BACKTALK_ADMIN_SESSION: expected a duration/, raw);
  }
});

test('BACKTALK_WEBHOOK_EVENTS: new items only by default; any of created, status, deleted', () => {
  assert.deepEqual(loadConfig({}).webhookEvents, ['created']);
  assert.deepEqual(loadConfig({ BACKTALK_WEBHOOK_EVENTS: 'status, DELETED' }).webhookEvents, ['status', 'deleted']);
  assert.throws(() => loadConfig({ BACKTALK_WEBHOOK_EVENTS: 'created,approved' }), /BACKTALK_WEBHOOK_EVENTS: expected a list of created, status, deleted, got "approved"/);
});
