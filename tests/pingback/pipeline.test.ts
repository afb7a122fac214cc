/**
 * Pingbacks go through the one pipeline (style.md §2): Akismet sees them as `pingback` with the
 * source as the author URL (protocols.md §6), moderation settings hold them, self-pings are refused
 * before anything is fetched unless the owner allows them, and the admin linkback log records every
 * attempt with its outcome and reason.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { FAKE_AKISMET_KEY, startFakeAkismet } from '../helpers/fake-akismet.js';
import { DEFAULT_FETCH_POLICY, createPageFetcher, type PageFetcher } from '../../src/fetch/fetch-page.js';
import {
  FAULT, OTHER_POST, POST, PRIVATE_FETCH, SITE, allRows, deadPort, expectFault, expectPingAccepted, linkbackLog, linkingSource, ping,
  publicItems, withServer,
} from './support.js';
import { startTestServer } from '../helpers/test-server.js';
import { useFixture, useSourceServer } from '../helpers/fixtures.js';

const source = useSourceServer();

describe('Akismet', () => {
  const akismet = useFixture('the fake Akismet', startFakeAkismet, (fake) => fake.close());

  it('comment-check gets comment_type=pingback, the source as comment_author_url, the post as permalink', async () => {
    akismet.reset();
    await withServer({ ...PRIVATE_FETCH, BACKTALK_AKISMET_KEY: FAKE_AKISMET_KEY, BACKTALK_AKISMET_URL: akismet.url }, async (server) => {
      const from = linkingSource(source, '/akismet/ham', POST, 'Honest neighbour');
      expectPingAccepted(await ping(server, from));
      const checks = akismet.requests.filter((r) => r.path === '/1.1/comment-check');
      assert.equal(checks.length, 1, `comment-check calls: ${checks.length}`);
      const form = checks[0]!.form;
      assert.equal(form.comment_type, 'pingback');
      assert.equal(form.comment_author_url, from);
      assert.equal(form.permalink, POST);
      assert.equal(form.user_ip, '127.0.0.1');
      assert.equal(form.api_key, FAKE_AKISMET_KEY);
      assert.deepEqual((await publicItems(server)).map((c) => c.source), [from]);
    });
  });

  it('an Akismet spam verdict keeps the pingback out of the public thread, stored as spam', async () => {
    akismet.reset();
    await withServer({ ...PRIVATE_FETCH, BACKTALK_AKISMET_KEY: FAKE_AKISMET_KEY, BACKTALK_AKISMET_URL: akismet.url }, async (server) => {
      // The fake flags the author name Akismet's docs reserve for guaranteed spam; a pingback's author is the source title.
      const from = linkingSource(source, '/akismet/spam', POST, 'viagra-test-123');
      expectPingAccepted(await ping(server, from));
      assert.equal(akismet.requests.filter((r) => r.path === '/1.1/comment-check')[0]?.form.comment_author, 'viagra-test-123');
      assert.deepEqual(await publicItems(server), []);
      const rows = await allRows(server);
      assert.deepEqual(rows.map((r) => [r.source, r.status]), [[from, 'spam']]);
    });
  });
});

describe('moderation', () => {
  it('BACKTALK_MODERATION=all stores the pingback as pending, not public', async () => {
    await withServer({ ...PRIVATE_FETCH, BACKTALK_MODERATION: 'all' }, async (server) => {
      const from = linkingSource(source, '/moderated', POST, 'Held');
      expectPingAccepted(await ping(server, from));
      assert.deepEqual(await publicItems(server), []);
      const rows = await allRows(server);
      assert.deepEqual(rows.map((r) => [r.type, r.source, r.status]), [['pingback', from, 'pending']]);
    });
  });
});

/** Records every URL the server asks to fetch; only 127.0.0.1 is really fetched, the rest refused unseen. */
function recordingFetcher(): PageFetcher & { asked: string[] } {
  const real = createPageFetcher({ ...DEFAULT_FETCH_POLICY, allowPrivate: true, perHostPerMinute: 100_000, globalPerMinute: 100_000 });
  const asked: string[] = [];
  return {
    asked,
    async fetch(url, options) {
      asked.push(url);
      if (new URL(url).hostname !== '127.0.0.1') return { kind: 'refused', reason: 'test: off-machine fetch refused' };
      return real.fetch(url, options);
    },
  };
}

describe('self-pings', () => {
  it('a source on the site itself is refused with 49 before any fetch', async () => {
    const fetcher = recordingFetcher();
    const server = await startTestServer(PRIVATE_FETCH, { fetcher });
    try {
      for (const from of [`${SITE}/other`, 'HTTP://BLOG.EXAMPLE/2026/10/older/', `${SITE}:80/x#y`]) {
        expectFault(await ping(server, from), FAULT.accessDenied, from);
      }
      assert.deepEqual(fetcher.asked, [], 'nothing was fetched');
      assert.deepEqual(await allRows(server), []);
    } finally {
      await server.close();
    }
  });

  it('with two sites, a source on the second is a self-ping: 49 unless BACKTALK_ALLOW_SELF_PINGS=true', async () => {
    const from = linkingSource(source, '/self', POST, 'My other blog');
    const sites = `${SITE},${source.origin}`;
    await withServer({ ...PRIVATE_FETCH, BACKTALK_SITES: sites }, async (server) => {
      expectFault(await ping(server, from), FAULT.accessDenied);
      assert.equal(source.hits('/self'), 0, 'refused before fetching');
    });
    await withServer({ ...PRIVATE_FETCH, BACKTALK_SITES: sites, BACKTALK_ALLOW_SELF_PINGS: 'true' }, async (server) => {
      expectPingAccepted(await ping(server, from));
      assert.equal(source.hits('/self'), 1);
      assert.deepEqual((await publicItems(server)).map((c) => c.source), [from]);
    });
  });
});

describe('the admin linkback log', () => {
  it('lists accepted and refused pingbacks with outcomes and reasons', async () => {
    await withServer(PRIVATE_FETCH, async (server) => {
      const good = linkingSource(source, '/log/good', POST, 'Good');
      source.set('/log/no-link', { body: '<html><head><title>No link</title></head><body><p>nothing</p></body></html>' });
      const noLink = source.url('/log/no-link');
      const dead = `http://127.0.0.1:${await deadPort()}/log/dead`;
      const foreignTarget = 'http://evil.example/post';

      expectPingAccepted(await ping(server, good));
      expectFault(await ping(server, good), FAULT.alreadyRegistered);
      expectFault(await ping(server, noLink), FAULT.noLink);
      expectFault(await ping(server, dead), FAULT.sourceNotFound);
      expectFault(await ping(server, linkingSource(source, '/log/foreign', foreignTarget), foreignTarget), FAULT.targetInvalid);
      const close = await server.admin('/api/admin/threads', { method: 'POST', body: JSON.stringify({ target: OTHER_POST, linkbacks_closed: true }) });
      assert.equal(close.status, 200);
      const closedFrom = linkingSource(source, '/log/closed', OTHER_POST);
      expectFault(await ping(server, closedFrom, OTHER_POST), FAULT.accessDenied);

      const log = await linkbackLog(server);
      assert.ok(log.every((e) => e.type === 'pingback'), JSON.stringify(log.map((e) => e.type)));
      const find = (src: string, outcome: string) => {
        const hit = log.find((e) => e.source === src && e.outcome === outcome);
        assert.ok(hit, `no ${outcome} entry for ${src}: ${JSON.stringify(log.map((e) => [e.source, e.outcome, e.reason]))}`);
        return hit;
      };
      const accepted = find(good, 'accepted');
      assert.equal(accepted.target, POST);
      assert.equal(typeof accepted.comment_id, 'number');
      find(good, 'duplicate');
      assert.match(find(noLink, 'refused').reason, /link/i);
      assert.match(find(dead, 'refused').reason, /unreachable|fetch/i);
      assert.match(find(source.url('/log/foreign'), 'refused').reason, /site|allowed|target/i);
      assert.match(find(closedFrom, 'refused').reason, /closed/i);
      for (const e of log.filter((x) => x.outcome === 'refused')) assert.ok(e.reason.trim() !== '', 'every refusal says why');
      assert.equal(log.length, 6, `one entry per attempt: ${JSON.stringify(log.map((e) => [e.source, e.outcome]))}`);

      const anonymous = await server.request('/api/admin/linkbacks');
      assert.equal(anonymous.status, 401, 'the log needs the admin token');
      await anonymous.arrayBuffer();
    });
  });
});
