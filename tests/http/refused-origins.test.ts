/**
 * A first embed that cannot fail silently (issue 17, point 5), server side: a page origin outside
 * BACKTALK_SITES gets no CORS grant (as before), is logged once with the reason, is counted in the
 * settings table and listed by the admin API; GET /api/origin tells the widget why, in the reader's
 * language; the sites served and the server's own origin are never listed.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';

import { logLines, POST, SITE, startTestServer, type LogLine, type TestServer } from '../helpers/test-server.js';

async function start(t: TestContext): Promise<{ server: TestServer; lines: LogLine[] }> {
  const { sink, lines } = logLines();
  const server = await startTestServer({ BACKTALK_LOG_LEVEL: 'warn' }, {}, sink);
  t.after(() => server.close());
  return { server, lines };
}

const fromOrigin = (server: TestServer, origin: string) =>
  server.request(`/thread?fragment=1&target=${encodeURIComponent(POST)}`, { headers: { origin } });

interface Refused { origin: string; reason: string; site: string | null; count: number; first: string; last: string }

async function refusedList(server: TestServer): Promise<{ sites: string[]; refused: Refused[] }> {
  const res = await server.admin('/api/admin/origins');
  assert.equal(res.status, 200);
  return (await res.json()) as { sites: string[]; refused: Refused[] };
}

describe('refused page origins', () => {
  it('are refused as before, logged once each with the reason, counted durably and listed for the owner', async (t) => {
    const { server, lines } = await start(t);
    for (let i = 0; i < 3; i++) {
      const res = await fromOrigin(server, 'http://elsewhere.example');
      assert.equal(res.headers.get('access-control-allow-origin'), null, 'no CORS grant');
    }
    await fromOrigin(server, 'https://blog.example');
    await fromOrigin(server, 'http://www.blog.example');
    await server.request(`/api/counts?target=${encodeURIComponent(POST)}`, { headers: { origin: 'null' } });
    // Allowed: the configured site, and the server's own pages (the no-JavaScript form posts from there).
    assert.equal((await fromOrigin(server, SITE)).headers.get('access-control-allow-origin'), SITE);
    await fromOrigin(server, server.url);
    // Not an origin a browser would send: not recorded.
    await fromOrigin(server, 'javascript:alert(1)');

    const logged = lines.filter((l) => l.msg.startsWith('refused requests from'));
    assert.deepEqual(logged.map((l) => [l.origin, l.reason]), [
      ['http://elsewhere.example', 'not-in-sites'],
      ['https://blog.example', 'scheme-or-port'],
      ['http://www.blog.example', 'www'],
      ['null', 'no-origin'],
    ], 'each origin once, with its reason');
    assert.match(logged[0]!.msg, /BACKTALK_SITES/);

    const { sites, refused } = await refusedList(server);
    assert.deepEqual(sites, [SITE]);
    const byOrigin = Object.fromEntries(refused.map((r) => [r.origin, r]));
    assert.deepEqual(Object.keys(byOrigin).sort(), ['http://elsewhere.example', 'http://www.blog.example', 'https://blog.example', 'null']);
    assert.equal(byOrigin['http://elsewhere.example']!.count, 3);
    assert.equal(byOrigin['https://blog.example']!.site, SITE);
    assert.equal(byOrigin['http://www.blog.example']!.reason, 'www');

    // Durable: in the settings table, so a restart, a backup or `backtalk migrate` keeps it.
    const stored = JSON.parse((await server.deps.store.settings.get('refused_origins'))!) as Refused[];
    assert.equal(stored.find((r) => r.origin === 'http://elsewhere.example')?.count, 3);

    // Counts add up across writes.
    await fromOrigin(server, 'http://elsewhere.example');
    assert.equal((await refusedList(server)).refused.find((r) => r.origin === 'http://elsewhere.example')?.count, 4);
    assert.equal(lines.filter((l) => l.origin === 'http://elsewhere.example').length, 1, 'still logged once');

    assert.equal((await server.request('/api/admin/origins')).status, 401, 'the list is the owner\'s');
  });

  it('are counted on the cached read lane too (GET /api/comments answered before Express)', async (t) => {
    const { server } = await start(t);
    await server.postJson('/comments', { target: POST, author: 'Ann', body: 'A comment to read.' });
    const path = `/api/comments?target=${encodeURIComponent(POST)}`;
    for (let i = 0; i < 3; i++) {
      const res = await server.request(path, { headers: { origin: 'http://lane.example' } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('access-control-allow-origin'), null, 'no CORS grant');
      await res.arrayBuffer();
    }
    // The first read built the cached body through Express; the next two were answered by the lane.
    assert.equal((await refusedList(server)).refused.find((r) => r.origin === 'http://lane.example')?.count, 3);
    const allowed = await server.request(path, { headers: { origin: SITE } });
    assert.equal(allowed.headers.get('access-control-allow-origin'), SITE);
    assert.equal((await refusedList(server)).refused.some((r) => r.origin === SITE), false);
  });
});

describe('GET /api/origin', () => {
  it('tells any page whether its origin is served, with a neutral line for readers in their language', async (t) => {
    const { server } = await start(t);
    const refused = await server.request('/api/origin?lang=de', { headers: { origin: 'https://blog.example' } });
    assert.equal(refused.status, 200);
    assert.equal(refused.headers.get('access-control-allow-origin'), '*');
    assert.match(refused.headers.get('cache-control') ?? '', /no-store/);
    const body = (await refused.json()) as Record<string, unknown>;
    assert.deepEqual(body, {
      origin: 'https://blog.example', allowed: false, setting: 'BACKTALK_SITES', reason: 'scheme-or-port', similar_site: SITE,
      message: 'Kommentare sind auf dieser Seite nicht verfügbar.',
    });

    const ok = (await (await server.request('/api/origin', { headers: { origin: SITE } })).json()) as Record<string, unknown>;
    assert.equal(ok.allowed, true);
    assert.equal(ok.message, 'Comments are not available on this page.');
    const none = (await (await server.request('/api/origin')).json()) as Record<string, unknown>;
    assert.equal(none.allowed, null, 'no Origin header: nothing to judge');
  });
});
