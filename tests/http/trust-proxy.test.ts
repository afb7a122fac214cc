/**
 * BACKTALK_TRUST_PROXY: without it X-Forwarded-For is ignored everywhere (a client cannot spoof its
 * address into the rate limiter, the stored IP or Akismet); with it (`loopback`: nginx on the same
 * machine) the forwarded client address is the one rate-limited, stored and sent to Akismet.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FAKE_AKISMET_KEY, startFakeAkismet, type FakeAkismet } from '../helpers/fake-akismet.js';
import { POST, startTestServer, type TestServer } from '../helpers/test-server.js';

let akismet: FakeAkismet;
before(async () => (akismet = await startFakeAkismet()));
after(async () => akismet.close());

async function withServer(env: Record<string, string>, run: (s: TestServer) => Promise<void>): Promise<void> {
  akismet.reset();
  const s = await startTestServer({
    BACKTALK_RATE_LIMIT: '5', BACKTALK_KEEP_IP: 'true',
    BACKTALK_AKISMET_KEY: FAKE_AKISMET_KEY, BACKTALK_AKISMET_URL: akismet.url, ...env,
  });
  try {
    await run(s);
  } finally {
    await s.close();
  }
}

const comment = (s: TestServer, n: number, xff: string) =>
  s.postJson('/comments', { target: POST, author: `Reader ${n}`, body: `Comment number ${n}.` }, { 'x-forwarded-for': xff });

async function storedIps(s: TestServer): Promise<string[]> {
  const res = await s.admin('/api/admin/comments?status=approved');
  assert.equal(res.status, 200);
  return ((await res.json()) as { comments: { ip: string }[] }).comments.map((c) => c.ip);
}

const akismetIps = () => akismet.requests.filter((r) => r.path === '/1.1/comment-check').map((r) => r.form.user_ip);

describe('without BACKTALK_TRUST_PROXY', () => {
  test('X-Forwarded-For cannot dodge the rate limit: six posts from one socket with six different forwarded addresses, the sixth is 429', async () => {
    await withServer({}, async (s) => {
      const statuses: number[] = [];
      for (let n = 1; n <= 6; n += 1) statuses.push((await comment(s, n, `203.0.113.${n}`)).status);
      assert.deepEqual(statuses, [201, 201, 201, 201, 201, 429]);
      const ips = await storedIps(s);
      assert.equal(ips.length, 5);
      for (const ip of ips) assert.match(ip, /^(::ffff:)?127\.0\.0\.1$/, 'the socket address is stored, not the header');
      assert.equal(akismetIps().length, 5);
      for (const ip of akismetIps()) assert.match(ip ?? '', /^(::ffff:)?127\.0\.0\.1$/, 'Akismet sees the socket address');
    });
  });
});

describe('with BACKTALK_TRUST_PROXY=loopback (nginx on the same machine)', () => {
  test('the forwarded client address is rate-limited, stored and sent to Akismet', async () => {
    await withServer({ BACKTALK_TRUST_PROXY: 'loopback' }, async (s) => {
      // Six readers behind the proxy: each has its own budget.
      for (let n = 1; n <= 6; n += 1) assert.equal((await comment(s, n, `203.0.113.${n}`)).status, 201, `reader ${n}`);
      const ips = (await storedIps(s)).sort();
      assert.deepEqual(ips, [1, 2, 3, 4, 5, 6].map((n) => `203.0.113.${n}`).sort());
      assert.deepEqual(akismetIps().sort(), ips);
      // One reader posting six times through the proxy is limited.
      const statuses: number[] = [];
      for (let n = 11; n <= 16; n += 1) statuses.push((await comment(s, n, '198.51.100.7')).status);
      assert.deepEqual(statuses, [201, 201, 201, 201, 201, 429]);
    });
  });

  test('a client-supplied hop in front of the proxy does not count: the address the proxy saw is used', async () => {
    await withServer({ BACKTALK_TRUST_PROXY: 'loopback' }, async (s) => {
      // nginx appends the address it saw ($proxy_add_x_forwarded_for); the forged first entry is ignored,
      // because only loopback hops are trusted.
      const statuses: number[] = [];
      for (let n = 1; n <= 6; n += 1) statuses.push((await comment(s, n, `10.9.9.${n}, 198.51.100.8`)).status);
      assert.deepEqual(statuses, [201, 201, 201, 201, 201, 429]);
      assert.deepEqual([...new Set(await storedIps(s))], ['198.51.100.8']);
    });
  });
});
