/**
 * Target-side and bookkeeping faults of pingback.ping (Pingback 1.0 §3; protocols.md table 7.2
 * P3, P4, P6, P17): 32 for a target that is not a URL or a post we do not know, 33 for a target on a
 * host we do not serve (parsed host, not WordPress's substring test), 48 for a second ping from the
 * same source (fragment and host case ignored), 49 when pingbacks are closed. None of these need the
 * source, so it is never fetched for them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  FAULT, OTHER_POST, POST, PRIVATE_FETCH, allRows, expectFault, expectPingAccepted, expectValue, getPingbacks, linkingSource, ping, plain,
  withServer,
} from './support.js';
import { useSourceServer, useTestServer } from '../helpers/fixtures.js';

const source = useSourceServer();

describe('faults 32 and 33: the target', () => {
  const server = useTestServer(PRIVATE_FETCH);

  /** One test per target: pingback.ping answers `fault`, and the source (served under `/dir/`) is never fetched. */
  const refusedUnfetched = (targets: string[], dir: string, fault: number, name: (target: string) => string) => {
    for (const target of targets) {
      it(name(target), async () => {
        const path = `/${dir}/${encodeURIComponent(target)}`;
        const from = linkingSource(source, path, target);
        expectFault(await ping(server, from, target), fault);
        assert.equal(source.hits(path), 0, 'the source was not fetched');
      });
    }
  };

  refusedUnfetched(
    ['not a url', '', 'ftp://blog.example/2026/11/hello/', '/2026/11/hello/'], 't32', FAULT.targetNotFound,
    (target) => `pingback.ping to the malformed target ${JSON.stringify(target)} → 32, source not fetched`,
  );

  it('getPingbacks of a post nobody has pinged or commented → 32', async () => {
    expectFault(await getPingbacks(server, 'http://blog.example/2020/01/never-written/'), FAULT.targetNotFound);
  });

  const foreign = [
    'http://evil.example/2026/11/hello/',
    // WordPress's substring test lets these through (protocols.md §3.1 step 4).
    'http://evil.example/?x=blog.example&p=5',
    'http://evil.example/http://blog.example/2026/11/hello/',
    'http://blog.example.evil.example/2026/11/hello/',
  ];
  refusedUnfetched(foreign, 't33', FAULT.targetInvalid, (target) => `pingback.ping to ${target} → 33, source not fetched`);

  it('getPingbacks of a post on a foreign host → 33', async () => {
    expectFault(await getPingbacks(server, 'http://evil.example/2026/11/hello/'), FAULT.targetInvalid);
  });

  it('stored nothing', async () => {
    assert.deepEqual(await allRows(server), []);
  });
});

describe('fault 48: already registered', () => {
  it('the same source again, also with a #fragment and with the host in capitals → 48, one row', async () => {
    await withServer(PRIVATE_FETCH, async (server) => {
      // localhost resolves to 127.0.0.1 here (/etc/hosts), where the source server listens.
      linkingSource(source, '/dup', POST, 'Said once');
      const first = `http://localhost:${source.port}/dup`;
      expectPingAccepted(await ping(server, first));
      const again = [
        first,
        `${first}#frag`,
        `http://LOCALHOST:${source.port}/dup`,
        `HTTP://LocalHost:${source.port}/dup#comment-3`,
      ];
      for (const from of again) expectFault(await ping(server, from), FAULT.alreadyRegistered, from);
      const rows = (await allRows(server)).filter((r) => r.type === 'pingback');
      assert.equal(rows.length, 1, `one stored row: ${JSON.stringify(rows.map((r) => r.source))}`);
      assert.deepEqual(plain(expectValue(await getPingbacks(server))), [first]);
    });
  });

  it('the same source to another post is a new pingback, not a duplicate', async () => {
    await withServer(PRIVATE_FETCH, async (server) => {
      source.set('/two-posts', {
        body: `<html><head><title>Two</title></head><body><p><a href="${POST}">one</a> and <a href="${OTHER_POST}">two</a></p></body></html>`,
      });
      expectPingAccepted(await ping(server, source.url('/two-posts'), POST));
      expectPingAccepted(await ping(server, source.url('/two-posts'), OTHER_POST));
      expectFault(await ping(server, source.url('/two-posts'), OTHER_POST), FAULT.alreadyRegistered);
    });
  });
});

describe('fault 49: pingbacks closed', () => {
  it('BACKTALK_PINGBACKS=false → 49 for every post, source not fetched', async () => {
    await withServer({ ...PRIVATE_FETCH, BACKTALK_PINGBACKS: 'false' }, async (server) => {
      const from = linkingSource(source, '/closed/site-wide', POST);
      expectFault(await ping(server, from), FAULT.accessDenied);
      assert.equal(source.hits('/closed/site-wide'), 0, 'the source was not fetched');
      assert.deepEqual(await allRows(server), []);
    });
  });

  it('a thread closed to linkbacks by the admin API → 49; reopened → accepted', async () => {
    await withServer(PRIVATE_FETCH, async (server) => {
      const close = await server.admin('/api/admin/threads', { method: 'POST', body: JSON.stringify({ target: POST, linkbacks_closed: true }) });
      assert.equal(close.status, 200, await close.text());
      const from = linkingSource(source, '/closed/thread', POST);
      expectFault(await ping(server, from), FAULT.accessDenied);
      assert.equal(source.hits('/closed/thread'), 0, 'the source was not fetched');

      // Another post of the same site is still open.
      expectPingAccepted(await ping(server, linkingSource(source, '/closed/other-post', OTHER_POST), OTHER_POST));

      const reopen = await server.admin('/api/admin/threads', { method: 'POST', body: JSON.stringify({ target: POST, linkbacks_closed: false }) });
      assert.equal(reopen.status, 200, await reopen.text());
      expectPingAccepted(await ping(server, from));
    });
  });
});
