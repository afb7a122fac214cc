/**
 * Compressed reads (issue 15.4): GET /api/comments, /api/counts, /thread (page and fragment) and the
 * Atom feeds answer br or gzip as Accept-Encoding asks (q-values honoured, br on a tie, identity
 * otherwise), always with Vary: Accept-Encoding and an ETag per coding that a conditional request of
 * the same coding turns into a 304; and each body is compressed once per version of what it shows
 * (backtalk_compressions_total), not once per read. The client is node:http, which does not
 * decompress: the test sees the bytes on the wire and inflates them itself.
 */
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { describe, it, type TestContext } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';

import { POST, SITE, startTestServer, type TestServer } from '../helpers/test-server.js';
import { postComment } from './http-support.js';

const OTHER = `${SITE}/2026/11/other/`;
const enc = encodeURIComponent;
const commentsPath = `/api/comments?target=${enc(POST)}`;

interface Raw {
  status: number;
  headers: IncomingHttpHeaders;
  /** As sent, still compressed. */
  wire: Buffer;
  /** Decompressed per Content-Encoding. */
  body: string;
}

/** A GET over node:http (no automatic decompression, no default Accept-Encoding). */
function get(server: TestServer, path: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${server.url}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const wire = Buffer.concat(chunks);
        const coding = res.headers['content-encoding'];
        const plain = coding === 'br' ? brotliDecompressSync(wire) : coding === 'gzip' ? gunzipSync(wire) : wire;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, wire, body: plain.toString('utf8') });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function start(t: TestContext): Promise<TestServer> {
  const server = await startTestServer();
  t.after(() => server.close());
  return server;
}

async function seed(server: TestServer, n: number, target = POST): Promise<void> {
  for (let i = 0; i < n; i++) {
    await postComment(server, { target, author: `Reader ${i}`, body: `Comment ${i}: an ordinary reply of a sentence or two, as readers write them.` });
  }
}

/** backtalk_compressions_total for the view and coding, from /metrics. */
async function compressions(server: TestServer, view: string, coding: string): Promise<number> {
  const res = await server.admin('/metrics');
  const text = await res.text();
  assert.equal(res.status, 200, text.slice(0, 200));
  const line = text.split('\n').find((l) => l.startsWith('backtalk_compressions_total{') && l.includes(`view="${view}"`) && l.includes(`coding="${coding}"`));
  return line ? Number(line.split(' ').pop()) : 0;
}

/**
 * For one path: identity, gzip, br and the negotiation cases give the same document; every answer has
 * Vary: Accept-Encoding; each coding has its own ETag, and If-None-Match with it answers 304.
 */
async function assertNegotiates(server: TestServer, path: string): Promise<void> {
  const identity = await get(server, path);
  assert.equal(identity.status, 200, identity.body.slice(0, 200));
  assert.equal(identity.headers['content-encoding'], undefined);
  assert.match(String(identity.headers.vary), /Accept-Encoding/);
  assert.ok(identity.wire.length > 1000, 'a body worth compressing');

  const cases: Array<[string | undefined, string | undefined]> = [
    ['gzip', 'gzip'],
    ['br', 'br'],
    ['gzip, deflate, br', 'br'], // br preferred on equal q
    ['br;q=0, gzip', 'gzip'], // q=0: not acceptable
    ['gzip;q=1, br;q=0.5', 'gzip'], // q-values honoured
    ['*', 'br'],
    ['*;q=0.5, br;q=0', 'gzip'],
    ['identity', undefined],
    ['gzip;q=0, br;q=0', undefined],
    ['identity;q=1, gzip;q=0.4', undefined],
    ['deflate', undefined],
    ['', undefined],
  ];
  const etags = new Map<string, string>();
  for (const [accept, expected] of cases) {
    const res = await get(server, path, accept === undefined ? {} : { 'accept-encoding': accept });
    const what = `${path} with Accept-Encoding "${accept}"`;
    assert.equal(res.status, 200, what);
    assert.equal(res.headers['content-encoding'], expected, what);
    assert.match(String(res.headers.vary), /Accept-Encoding/, what);
    assert.equal(res.body, identity.body, `${what}: the decompressed body differs from the identity body`);
    assert.equal(Number(res.headers['content-length']), res.wire.length, what);
    if (expected !== undefined) assert.ok(res.wire.length * 4 <= identity.wire.length, `${what}: ${res.wire.length} B compressed of ${identity.wire.length}`);
    etags.set(expected ?? 'identity', String(res.headers.etag));
  }
  assert.equal(etags.get('identity'), identity.headers.etag);
  assert.equal(new Set(etags.values()).size, 3, `one ETag per coding: ${[...etags.values()].join(' ')}`);

  for (const [coding, etag] of etags) {
    const accept = coding === 'identity' ? 'identity' : coding;
    const hit = await get(server, path, { 'accept-encoding': accept, 'if-none-match': etag });
    assert.equal(hit.status, 304, `${path}: If-None-Match with the ${coding} ETag`);
    assert.equal(hit.wire.length, 0);
    assert.equal(hit.headers.etag, etag);
    assert.match(String(hit.headers.vary), /Accept-Encoding/);
    // Another coding's ETag names another representation: the full answer, in the asked coding.
    const other = coding === 'br' ? 'gzip' : 'br';
    const miss = await get(server, path, { 'accept-encoding': other, 'if-none-match': etag });
    assert.equal(miss.status, 200, `${path}: the ${coding} ETag must not validate the ${other} body`);
    assert.equal(miss.headers['content-encoding'], other);
  }
}

describe('compressed reads: negotiation, Vary, ETag and 304 per coding', () => {
  it('GET /api/comments', async (t) => {
    const server = await start(t);
    await seed(server, 12);
    await assertNegotiates(server, commentsPath);
  });

  it('GET /api/counts', async (t) => {
    const server = await start(t);
    await seed(server, 1);
    const targets = Array.from({ length: 30 }, (_, i) => `${SITE}/2026/11/post-number-${i}/`);
    await assertNegotiates(server, `/api/counts?${[POST, ...targets].map((x) => `target=${enc(x)}`).join('&')}`);
  });

  it('GET /thread, the page and the fragment', async (t) => {
    const server = await start(t);
    await seed(server, 15);
    await assertNegotiates(server, `/thread?target=${enc(POST)}`);
    await assertNegotiates(server, `/thread?target=${enc(POST)}&fragment=1`);
  });

  it('GET /feed.atom, of a thread and of the site', async (t) => {
    const server = await start(t);
    await seed(server, 6);
    await assertNegotiates(server, `/feed.atom?target=${enc(POST)}`);
    await assertNegotiates(server, '/feed.atom');
  });

  it('the node:http fast lane answers a compressed body with the same headers and bytes as the full path', async (t) => {
    const server = await start(t);
    await seed(server, 10);
    const headers = { 'accept-encoding': 'br', origin: SITE };
    const full = await get(server, commentsPath, headers); // renders and compresses
    const fast = await get(server, commentsPath, { ...headers, 'x-request-id': 'fast-br-1' });
    assert.equal(fast.headers['x-request-id'], 'fast-br-1');
    assert.deepEqual(fast.wire, full.wire);
    const comparable = (h: IncomingHttpHeaders) => {
      const { date: _d, 'x-request-id': _id, 'keep-alive': _k, connection: _c, ...rest } = h;
      return rest;
    };
    assert.deepEqual(comparable(fast.headers), comparable(full.headers));
    assert.equal(fast.headers['content-encoding'], 'br');
    assert.equal(fast.headers.vary, 'Origin, Accept-Encoding');
  });
});

describe('compressed once per version', () => {
  it('GET /api/comments: many reads compress once per coding; a new comment changes the body and compresses it once more', async (t) => {
    const server = await start(t);
    await seed(server, 8);
    assert.equal(await compressions(server, 'comments', 'gzip'), 0);

    // Readers arriving together on a fresh version still cause one compression per coding.
    const first = await Promise.all(Array.from({ length: 8 }, () => get(server, commentsPath, { 'accept-encoding': 'gzip' })));
    for (let i = 0; i < 5; i++) await get(server, commentsPath, { 'accept-encoding': 'gzip' });
    await get(server, commentsPath, { 'accept-encoding': 'br' });
    await get(server, commentsPath, { 'accept-encoding': 'br' });
    await get(server, commentsPath, { 'accept-encoding': 'identity' });
    assert.equal(await compressions(server, 'comments', 'gzip'), 1);
    assert.equal(await compressions(server, 'comments', 'br'), 1);
    assert.equal(new Set(first.map((r) => r.headers.etag)).size, 1);

    await postComment(server, { author: 'Late', body: 'A new comment after the first reads.' });
    const after = await get(server, commentsPath, { 'accept-encoding': 'gzip', 'if-none-match': String(first[0]!.headers.etag) });
    assert.equal(after.status, 200, 'the old ETag no longer matches');
    assert.notEqual(after.headers.etag, first[0]!.headers.etag);
    assert.match(after.body, /A new comment after the first reads/);
    assert.doesNotMatch(first[0]!.body, /A new comment after the first reads/);
    await get(server, commentsPath, { 'accept-encoding': 'gzip' });
    assert.equal(await compressions(server, 'comments', 'gzip'), 2);
    assert.equal(await compressions(server, 'comments', 'br'), 1, 'br has not been asked for the new version yet');
  });

  it('the thread fragment, the feeds and the counts are compressed once per version too', async (t) => {
    const server = await start(t);
    await seed(server, 4);
    await seed(server, 1, OTHER);
    const paths = {
      thread: `/thread?target=${enc(POST)}&fragment=1`,
      feed: `/feed.atom?target=${enc(POST)}`,
      counts: `/api/counts?target=${enc(POST)}&target=${enc(OTHER)}`,
    };
    for (let i = 0; i < 4; i++) {
      for (const path of Object.values(paths)) assert.equal((await get(server, path, { 'accept-encoding': 'br' })).status, 200);
    }
    for (const view of Object.keys(paths)) assert.equal(await compressions(server, view, 'br'), 1, view);
    await postComment(server, { author: 'Late', body: 'One more.' });
    for (const path of Object.values(paths)) {
      const res = await get(server, path, { 'accept-encoding': 'br' });
      if (!path.startsWith('/api/counts')) assert.match(res.body, /One more\./);
    }
    for (const view of Object.keys(paths)) assert.equal(await compressions(server, view, 'br'), 2, view);
  });
});
