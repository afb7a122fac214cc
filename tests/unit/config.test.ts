import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig, resolveRuntimeConfig } from '../../src/config.js';

describe('loadConfig', () => {
  test('defaults match the contract', () => {
    const c = resolveRuntimeConfig(loadConfig({}), 8080);
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 8080);
    assert.equal(c.dbPath, './data/backtalk.db');
    assert.equal(c.publicUrl, 'http://127.0.0.1:8080');
    assert.deepEqual(c.sites, ['http://127.0.0.1:8080']);
    assert.equal(c.moderation, 'auto');
    assert.equal(c.rateLimit, 5);
    assert.equal(c.akismetKey, undefined);
    assert.equal(c.akismetUrl, 'https://rest.akismet.com');
    assert.equal(c.allowPrivateFetch, false);
    assert.equal(c.trustProxy, false);
    assert.ok(Object.isFrozen(c));
  });

  test('connection and admin-guessing limits: the defaults the README gives, and their checks', () => {
    const c = loadConfig({});
    assert.deepEqual(
      [c.headerTimeout, c.requestTimeout, c.keepAliveTimeout, c.maxConnections, c.maxConnectionsPerClient, c.adminAttempts],
      [20, 60, 5, 512, 32, 5],
    );
    assert.throws(() => loadConfig({ BACKTALK_HEADER_TIMEOUT: '30', BACKTALK_REQUEST_TIMEOUT: '10' }), /BACKTALK_REQUEST_TIMEOUT/);
    assert.throws(() => loadConfig({ BACKTALK_MAX_CONNECTIONS_PER_CLIENT: '0' }), /BACKTALK_MAX_CONNECTIONS_PER_CLIENT/);
  });

  test('reads every variable', () => {
    const c = resolveRuntimeConfig(loadConfig({
      BACKTALK_HOST: '0.0.0.0', BACKTALK_PORT: '0', BACKTALK_DB: '/tmp/x.db', BACKTALK_PUBLIC_URL: 'https://comments.example/',
      BACKTALK_SITES: 'https://blog.example/, https://other.example:8443/path', BACKTALK_ADMIN_TOKEN: 'a-very-long-admin-token',
      BACKTALK_MODERATION: 'first-time', BACKTALK_RATE_LIMIT: '0', BACKTALK_AKISMET_KEY: 'k', BACKTALK_AKISMET_URL: 'http://127.0.0.1:9/',
      BACKTALK_ALLOW_PRIVATE_FETCH: 'true', BACKTALK_TRUST_PROXY: '1',
    }), 4321);
    assert.equal(c.publicUrl, 'https://comments.example');
    assert.deepEqual(c.sites, ['https://blog.example', 'https://other.example:8443']);
    assert.equal(c.moderation, 'first-time');
    assert.equal(c.rateLimit, 0);
    assert.equal(c.akismetUrl, 'http://127.0.0.1:9');
    assert.equal(c.allowPrivateFetch, true);
    assert.equal(c.trustProxy, 1);
    assert.equal(c.port, 4321);
  });

  test('collects every problem, each naming its variable', () => {
    assert.throws(
      () => loadConfig({ BACKTALK_PORT: '70000', BACKTALK_SITES: 'ftp://x', BACKTALK_ALLOW_PRIVATE_FETCH: 'maybe', BACKTALK_ADMIN_TOKEN: 'short' }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.problems.length, 4);
        for (const name of ['BACKTALK_PORT', 'BACKTALK_SITES', 'BACKTALK_ALLOW_PRIVATE_FETCH', 'BACKTALK_ADMIN_TOKEN']) {
          assert.ok(err.problems.some((p) => p.startsWith(name)), name);
        }
        return true;
      },
    );
  });

  test('BACKTALK_SITES takes Unicode hosts (kept as punycode origins), BACKTALK_TIMEZONE an IANA zone', () => {
    const c = loadConfig({ BACKTALK_SITES: 'http://кузбасс.рф/, https://XN--80ABRL2BAJ.xn--p1ai', BACKTALK_TIMEZONE: 'Asia/Novosibirsk' });
    assert.deepEqual(c.sites, ['http://xn--80abrl2baj.xn--p1ai', 'https://xn--80abrl2baj.xn--p1ai']);
    assert.equal(c.timeZone, 'Asia/Novosibirsk');
    assert.equal(loadConfig({}).timeZone, 'UTC');
    assert.throws(() => loadConfig({ BACKTALK_TIMEZONE: 'UTC+7' }), (err: unknown) =>
      err instanceof ConfigError && err.problems.length === 1 && err.problems[0]!.startsWith('BACKTALK_TIMEZONE'));
  });
});
