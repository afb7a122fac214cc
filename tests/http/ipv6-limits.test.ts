/**
 * IPv6 clients are limited per /64, IPv4 clients per address (issue 14, point 6). One subscriber
 * gets a whole /64, so a limit per full IPv6 address would be no limit at all. The client addresses
 * come through X-Forwarded-For from a trusted proxy on loopback (BACKTALK_TRUST_PROXY), the way a
 * server behind nginx sees them; the requests are real HTTP on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';

import { clientLimitKey } from '../../src/lib/ip.js';
import { POST, startTestServer, type TestServer } from '../helpers/test-server.js';

async function start(t: TestContext): Promise<TestServer> {
  const server = await startTestServer({ BACKTALK_RATE_LIMIT: '2', BACKTALK_TRUST_PROXY: 'loopback' });
  t.after(() => server.close());
  return server;
}

let n = 0;
const comment = (s: TestServer, from: string) =>
  s.postJson('/comments', { target: POST, author: 'Reader', body: `Comment number ${++n}.` }, { 'x-forwarded-for': from });

describe('per-client limits', () => {
  test('addresses in one IPv6 /64 share one budget; the next /64 has its own', async (t) => {
    const s = await start(t);
    assert.equal((await comment(s, '2001:db8:1:2::1')).status, 201);
    assert.equal((await comment(s, '2001:db8:1:2:aaaa:bbbb:cccc:dddd')).status, 201);
    const third = await comment(s, '2001:db8:1:2:ffff:ffff:ffff:fffe');
    assert.equal(third.status, 429);
    assert.ok(Number(third.headers.get('retry-after')) >= 1);
    // Webmentions are admitted by the same limit, under the same key.
    assert.equal((await webmentionFrom(s, '2001:db8:1:2::77')).status, 429);
    assert.equal((await comment(s, '2001:db8:1:3::1')).status, 201, 'the neighbouring /64 is someone else');
  });

  test('IPv4 stays per address, and IPv4-mapped IPv6 counts as that IPv4 address', async (t) => {
    const s = await start(t);
    assert.equal((await comment(s, '203.0.113.7')).status, 201);
    assert.equal((await comment(s, '::ffff:203.0.113.7')).status, 201);
    assert.equal((await comment(s, '203.0.113.7')).status, 429);
    assert.equal((await comment(s, '203.0.113.8')).status, 201, 'the next IPv4 address is someone else');
  });

  test('the key: IPv4 as it is, IPv6 by /64', () => {
    assert.equal(clientLimitKey('198.51.100.4'), '198.51.100.4');
    assert.equal(clientLimitKey('::ffff:198.51.100.4'), '198.51.100.4');
    assert.equal(clientLimitKey('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
    assert.equal(clientLimitKey('2001:DB8:1:2::9'), '2001:db8:1:2::/64');
    assert.equal(clientLimitKey('::1'), '::/64');
  });
});

function webmentionFrom(s: TestServer, from: string): Promise<Response> {
  return fetch(`${s.url}/webmention`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': from },
    body: new URLSearchParams({ source: 'http://other.example/post', target: POST }).toString(),
  });
}
