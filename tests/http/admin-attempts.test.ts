/**
 * The admin token cannot be guessed at speed (issue 14, point 9): refused tokens are counted per
 * client address (IPv6 per /64); past the limit every admin request carrying a token gets 429 with
 * Retry-After, the right token included, while other clients are unaffected. Each refusal is logged
 * at warn and counted in /metrics. Client addresses come through a trusted proxy on loopback.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ADMIN_TOKEN as TOKEN, logLines, startTestServer, type LogLine, type TestServer } from '../helpers/test-server.js';

async function startLogged(): Promise<TestServer & { lines: LogLine[] }> {
  const { sink, lines } = logLines();
  const server = await startTestServer({ BACKTALK_ADMIN_ATTEMPTS: '5', BACKTALK_TRUST_PROXY: 'loopback', BACKTALK_LOG_LEVEL: 'warn' }, {}, sink);
  return Object.assign(server, { lines });
}

describe('refused admin tokens', () => {
  let s: TestServer & { lines: LogLine[] };
  before(async () => (s = await startLogged()));
  after(async () => s.close());

  const admin = (from: string, token: string | undefined, path = '/api/admin/comments?status=pending') =>
    fetch(s.url + path, { headers: { 'x-forwarded-for': from, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) } });

  test('five wrong tokens are 401; then 429 with Retry-After, even for the right token, from that client only', async () => {
    const guesser = '198.51.100.23';
    for (let i = 0; i < 5; i++) assert.equal((await admin(guesser, `guess-${i}-0123456789abcdef`)).status, 401, `guess ${i}`);
    const locked = await admin(guesser, 'guess-6-0123456789abcdef');
    assert.equal(locked.status, 429);
    const retryAfter = Number(locked.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 600, `Retry-After ${retryAfter}`);
    assert.equal(((await locked.json()) as { error: { code: string } }).error.code, 'rate-limited');
    assert.equal((await admin(guesser, TOKEN)).status, 429, 'the right token must not tell itself apart while locked');
    assert.equal((await admin(guesser, TOKEN, '/metrics')).status, 429, '/metrics is behind the same lock');

    assert.equal((await admin('198.51.100.24', TOKEN)).status, 200, 'the neighbouring IPv4 address is someone else');
    assert.equal((await admin('203.0.113.5', undefined)).status, 401, 'no token: plain 401');
  });

  test('an IPv6 guesser is counted by its /64', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await admin(`2001:db8:77:1::${i + 1}`, `v6-guess-${i}-0123456789`)).status, 401);
    assert.equal((await admin('2001:db8:77:1:ffff::1', TOKEN)).status, 429);
    assert.equal((await admin('2001:db8:77:2::1', TOKEN)).status, 200);
  });

  test('each refusal is logged at warn with the client address, and counted in /metrics', async () => {
    const refusals = s.lines.filter((l) => l.msg === 'admin token refused');
    assert.equal(refusals.length, 10);
    assert.ok(refusals.every((l) => l.level === 40), 'warn');
    assert.deepEqual(new Set(refusals.map((l) => l.ip)).has('198.51.100.23'), true);
    assert.ok(refusals.every((l) => l.path === '/api/admin/comments'));

    const res = await admin('192.0.2.99', TOKEN, '/metrics');
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, /^backtalk_admin_auth_failures_total\{outcome="refused"\} 10$/m);
    assert.match(text, /^backtalk_admin_auth_failures_total\{outcome="locked"\} 4$/m);
  });
});
