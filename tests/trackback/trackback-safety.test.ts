/**
 * TrackBack and the things around it that protect the site and others: unverified pings held for a
 * moderator, Akismet seeing a trackback as a trackback, and the fetcher refusing to be aimed at
 * loopback addresses in any spelling (protocols.md §3.5, table 7.1 T17).
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';

import { FAKE_AKISMET_KEY, startFakeAkismet } from '../helpers/fake-akismet.js';
import type { LinkbackAttempt } from '../../src/admin-ui/api.js';
import { POST, type TestServer } from '../helpers/test-server.js';
import {
  PRIVATE_FETCH, adminItems, expectAccepted, expectRefusal, linkingPage, linkingSource, pingFields, publicItems, readReply, startSourceServer, withServer,
  type SourceServer,
} from './support.js';
import { useSourceServer } from '../helpers/fixtures.js';

const source = useSourceServer();

/** A port on 127.0.0.1 that nothing listens on: bound once, then released. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('BACKTALK_VERIFY_TRACKBACKS=false', () => {
  it('accepts a ping whose source does not exist, but holds it for moderation without fetching it', async () => {
    await withServer({ ...PRIVATE_FETCH, BACKTALK_VERIFY_TRACKBACKS: 'false' }, async (server) => {
      const nowhere = `http://127.0.0.1:${await deadPort()}/never-existed`;
      const missing = source.url('/not-a-page');
      for (const url of [nowhere, missing]) {
        const answer = await pingFields(server, { url, title: 'Unverified', excerpt: 'trust me', blog_name: 'Stranger' });
        assert.equal(answer.status, 200, answer.body);
        assert.equal(readReply(answer.body).error, 0, answer.body);
      }
      assert.equal(source.hits('/not-a-page'), 0, 'the source was not fetched');
      const pending = (await adminItems(server, 'pending')).map((c) => c.source);
      assert.ok(pending.includes(nowhere) && pending.includes(missing), `both held: ${JSON.stringify(pending)}`);
      assert.deepEqual(await publicItems(server), []);
    });
  });
});

describe('Akismet', () => {
  it('sends comment_type=trackback with the client IP, source URL and permalink; a spam answer keeps the row out of sight', async () => {
    const akismet = await startFakeAkismet();
    try {
      const env = { ...PRIVATE_FETCH, BACKTALK_AKISMET_KEY: FAKE_AKISMET_KEY, BACKTALK_AKISMET_URL: akismet.url };
      await withServer(env, async (server) => {
        const ham = linkingSource(source, '/akismet/ham', POST);
        expectAccepted(await pingFields(server, { url: ham, title: 'Ham', excerpt: 'good', blog_name: 'Honest Blog' }));
        const checks = akismet.requests.filter((r) => r.path === '/1.1/comment-check');
        assert.equal(checks.length, 1, JSON.stringify(akismet.requests));
        const form = checks[0]!.form;
        assert.equal(form.comment_type, 'trackback');
        assert.match(form.user_ip ?? '', /^(?:::ffff:)?127\.0\.0\.1$/);
        assert.equal(form.comment_author_url, ham);
        assert.equal(form.permalink, POST);
        assert.equal(form.api_key, FAKE_AKISMET_KEY);

        akismet.respondWith('/1.1/comment-check', { body: 'true' });
        const spam = linkingSource(source, '/akismet/spam', POST);
        const answer = await pingFields(server, { url: spam, title: 'Spam', excerpt: 'cheap pills', blog_name: 'Spammer' });
        assert.equal(answer.status, 200, answer.body);
        readReply(answer.body);
        assert.ok((await adminItems(server, 'spam')).some((c) => c.source === spam), 'stored as spam');
        assert.deepEqual((await publicItems(server)).map((c) => c.source), [ham]);
      });
    } finally {
      await akismet.close();
    }
  });
});

/** Listens on `host:port` when the machine lets us; undefined otherwise (no IPv6, no privilege, port taken). */
async function tryVictim(host: string, port: number): Promise<SourceServer | undefined> {
  try {
    const victim = await startSourceServer(host, { port });
    victim.set('/', linkingPage(POST));
    return victim;
  } catch {
    return undefined;
  }
}

/**
 * Pings, asserts the refusal, and that it came from the port or address policy before any
 * connection, not from the fetch deadline (10 s) running out: the linkback log says why.
 */
async function expectPromptRefusal(server: TestServer, url: string): Promise<void> {
  const answer = await pingFields(server, { url, title: 'SSRF', excerpt: 'probe' });
  expectRefusal(answer);
  const res = await server.admin('/api/admin/linkbacks?limit=1');
  const [latest] = ((await res.json()) as { attempts: LinkbackAttempt[] }).attempts;
  assert.ok(latest, 'the refusal is in the linkback log');
  assert.equal(latest.outcome, 'refused');
  assert.doesNotMatch(latest.reason ?? '', /time|deadline/i, `${url}: refused by a time limit, not by the address policy`);
  assert.match(latest.reason ?? '', /not allowed|refused|public address/i, `${url}: ${latest.reason}`);
}

describe('SSRF (without BACKTALK_ALLOW_PRIVATE_FETCH)', () => {
  it('refuses loopback sources in every spelling and never connects to them', async () => {
    const victim = await startSourceServer();
    victim.set('/', linkingPage(POST));
    const victim6 = await tryVictim('::1', victim.port);
    try {
      await withServer({}, async (server) => {
        const port = victim.port;
        const urls = [
          `http://127.0.0.1:${port}/`,
          `http://2130706433:${port}/`,
          `http://0x7f000001:${port}/`,
          `http://[::1]:${port}/`,
          `http://[::ffff:127.0.0.1]:${port}/`,
          `http://localhost:${port}/`,
        ];
        for (const url of urls) await expectPromptRefusal(server, url);
        assert.deepEqual(await adminItems(server, 'pending'), []);
        assert.deepEqual(await publicItems(server), []);
      });
      assert.equal(victim.connections(), 0, `the IPv4 victim saw ${victim.connections()} connection(s)`);
      assert.equal(victim6?.connections() ?? 0, 0, 'the IPv6 victim saw a connection');
      // The counter works: a direct request is seen.
      await fetch(victim.url('/'));
      assert.equal(victim.connections(), 1);
    } finally {
      await victim.close();
      await victim6?.close();
    }
  });

  it('refuses 127.0.0.1 on port 80 (an allowed port) promptly, without connecting', async (t) => {
    // Port 80 passes the port check, so only the address check stands between the ping and the host.
    const victim = await tryVictim('127.0.0.1', 80);
    if (!victim) t.diagnostic('could not listen on 127.0.0.1:80; checking only the refusal and its timing');
    try {
      await withServer({}, async (server) => {
        for (const url of ['http://127.0.0.1/', 'http://127.0.0.1:80/post', 'http://2130706433/', 'http://[::ffff:7f00:1]/', 'http://localhost/']) {
          await expectPromptRefusal(server, url);
        }
        assert.deepEqual(await adminItems(server, 'pending'), []);
      });
      if (victim) assert.equal(victim.connections(), 0, `the port-80 victim saw ${victim.connections()} connection(s)`);
    } finally {
      await victim?.close();
    }
  });
});
