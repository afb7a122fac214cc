/**
 * HTTP caching of the public reads: GET /api/comments and /api/counts send an ETag and a CDN-friendly
 * Cache-Control, answer If-None-Match with 304 and no body, and the ETag changes after every change
 * that alters what they show (new approved comment, edit, delete, moderation, thread closed, and a
 * write by another connection to the same database), so no cache ever keeps a stale copy.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import Database from 'better-sqlite3';

import { PUBLIC_CACHE_CONTROL } from '../../src/http/middleware/caching.js';
import { POST, SITE, startTestServer, type TestServer } from '../helpers/test-server.js';
import { moderate, postComment } from './http-support.js';

const OTHER = `${SITE}/2026/11/other/`;
const commentsPath = (target = POST) => `/api/comments?target=${encodeURIComponent(target)}`;
const countsPath = (...targets: string[]) => `/api/counts?${targets.map((t) => `target=${encodeURIComponent(t)}`).join('&')}`;

async function start(t: TestContext, env: Record<string, string> = {}): Promise<TestServer> {
  const server = await startTestServer(env);
  t.after(() => server.close());
  return server;
}

/** GETs the path, asserts 200 with caching headers, and returns the ETag and the body. */
async function fresh(server: TestServer, path: string): Promise<{ etag: string; body: string }> {
  const res = await server.request(path);
  const body = await res.text();
  assert.equal(res.status, 200, body);
  const etag = res.headers.get('etag');
  assert.ok(etag, 'no ETag');
  assert.match(etag, /^W\/"[^"]+"$/);
  assert.equal(res.headers.get('cache-control'), PUBLIC_CACHE_CONTROL);
  return { etag, body };
}

/** Asserts that the ETag is still current: 304, no body, the same ETag and Cache-Control. */
async function assertNotModified(server: TestServer, path: string, etag: string): Promise<void> {
  const res = await server.request(path, { headers: { 'if-none-match': etag } });
  const body = await res.text();
  assert.equal(res.status, 304, `expected 304, got ${res.status}: ${body.slice(0, 200)}`);
  assert.equal(body, '');
  assert.equal(res.headers.get('etag'), etag);
  assert.equal(res.headers.get('cache-control'), PUBLIC_CACHE_CONTROL);
}

/** Asserts that the old ETag no longer matches: a full 200 with a new ETag. */
async function assertChanged(server: TestServer, path: string, oldEtag: string): Promise<{ etag: string; body: string }> {
  const res = await server.request(path, { headers: { 'if-none-match': oldEtag } });
  const body = await res.text();
  assert.equal(res.status, 200, `the old ETag still matched: ${res.status}`);
  const etag = res.headers.get('etag');
  assert.ok(etag);
  assert.notEqual(etag, oldEtag);
  return { etag, body };
}

describe('ETag and Cache-Control on GET /api/comments', () => {
  it('sends an ETag and Cache-Control; If-None-Match answers 304 without a body', async (t) => {
    const server = await start(t);
    await postComment(server, { body: 'first', author: 'Ann' });
    const { etag, body } = await fresh(server, commentsPath());
    assert.equal((JSON.parse(body) as { total: number }).total, 1);
    await assertNotModified(server, commentsPath(), etag);
    // A list of validators and the weak/strong forms compare weakly (RFC 9110 §13.1.2).
    const res = await server.request(commentsPath(), { headers: { 'if-none-match': `"nope", ${etag}` } });
    assert.equal(res.status, 304);
    // The same representation twice gets the same ETag (it is a validator, not a nonce).
    assert.equal((await fresh(server, commentsPath())).etag, etag);
  });

  it('a thread without comments has an ETag too, and it changes with its first comment', async (t) => {
    const server = await start(t);
    const { etag } = await fresh(server, commentsPath());
    await assertNotModified(server, commentsPath(), etag);
    await postComment(server, { body: 'hello', author: 'Ann' });
    const { body } = await assertChanged(server, commentsPath(), etag);
    assert.equal((JSON.parse(body) as { total: number }).total, 1);
  });

  it('changes after a new approved comment, an edit, a delete and each moderation action', async (t) => {
    const server = await start(t);
    const first = await postComment(server, { body: 'first', author: 'Ann' });
    let { etag } = await fresh(server, commentsPath());

    const second = await postComment(server, { body: 'second', author: 'Bob' });
    let next = await assertChanged(server, commentsPath(), etag);
    assert.match(next.body, /second/);
    etag = next.etag;

    const edit = await server.request(`/api/comments/${first.id}`, {
      method: 'PUT', headers: { 'content-type': 'application/json', 'x-edit-token': first.edit_token! }, body: JSON.stringify({ body: 'first, edited' }),
    });
    assert.equal(edit.status, 200);
    next = await assertChanged(server, commentsPath(), etag);
    assert.match(next.body, /first, edited/);
    etag = next.etag;

    const res = await moderate(server, second.id, 'spam');
    assert.equal(res.status, 200);
    next = await assertChanged(server, commentsPath(), etag);
    assert.doesNotMatch(next.body, /second/);
    etag = next.etag;

    assert.equal((await moderate(server, second.id, 'approve')).status, 200);
    next = await assertChanged(server, commentsPath(), etag);
    assert.match(next.body, /second/);
    etag = next.etag;

    assert.equal((await moderate(server, second.id, 'trash')).status, 200);
    etag = (await assertChanged(server, commentsPath(), etag)).etag;
    assert.equal((await moderate(server, second.id, 'approve')).status, 200);
    etag = (await assertChanged(server, commentsPath(), etag)).etag;

    assert.equal((await moderate(server, second.id, 'delete')).status, 200);
    next = await assertChanged(server, commentsPath(), etag);
    assert.doesNotMatch(next.body, /second/);
    etag = next.etag;

    const del = await server.request(`/api/comments/${first.id}`, { method: 'DELETE', headers: { 'x-edit-token': first.edit_token! } });
    assert.equal(del.status, 200);
    next = await assertChanged(server, commentsPath(), etag);
    assert.equal((JSON.parse(next.body) as { total: number }).total, 0);
    await assertNotModified(server, commentsPath(), next.etag);
  });

  it('a held comment approved later changes it', async (t) => {
    const server = await start(t, { BACKTALK_MODERATION: 'all' });
    const held = await postComment(server, { body: 'wait for me', author: 'Ann' });
    assert.equal(held.status, 'pending');
    const { etag, body } = await fresh(server, commentsPath());
    assert.doesNotMatch(body, /wait for me/);
    assert.equal((await moderate(server, held.id, 'approve')).status, 200);
    const next = await assertChanged(server, commentsPath(), etag);
    assert.match(next.body, /wait for me/);
  });

  it('changes when another process writes to the database (triggers keep the version)', async (t) => {
    const server = await start(t);
    const c = await postComment(server, { body: 'original text', author: 'Ann' });
    const { etag } = await fresh(server, commentsPath());
    const db = new Database(server.dbPath);
    try {
      db.prepare(`UPDATE comments SET body_html = '<p>changed behind its back</p>' WHERE id = ?`).run(c.id);
    } finally {
      db.close();
    }
    const next = await assertChanged(server, commentsPath(), etag);
    assert.match(next.body, /changed behind its back/);
  });

  it('does not change with an unrelated thread', async (t) => {
    const server = await start(t);
    await postComment(server, { body: 'here', author: 'Ann' });
    const { etag } = await fresh(server, commentsPath());
    await postComment(server, { body: 'elsewhere', author: 'Ann', target: OTHER });
    await assertNotModified(server, commentsPath(), etag);
  });
});

describe('ETag and Cache-Control on GET /api/counts', () => {
  it('304 while no counted thread changes; a new comment on any of them changes it', async (t) => {
    const server = await start(t);
    await postComment(server, { body: 'one', author: 'Ann' });
    const path = countsPath(POST, OTHER, 'https://elsewhere.example/x');
    const { etag, body } = await fresh(server, path);
    assert.deepEqual(JSON.parse(body), { [POST]: 1, [OTHER]: 0, 'https://elsewhere.example/x': 0 });
    await assertNotModified(server, path, etag);

    await postComment(server, { body: 'two', author: 'Bob', target: OTHER });
    const next = await assertChanged(server, path, etag);
    assert.deepEqual(JSON.parse(next.body), { [POST]: 1, [OTHER]: 1, 'https://elsewhere.example/x': 0 });

    // Other targets asked: another representation, another ETag.
    const single = await fresh(server, countsPath(POST));
    assert.notEqual(single.etag, next.etag);
  });

  it('changes after moderation removes a comment from the count', async (t) => {
    const server = await start(t);
    const c = await postComment(server, { body: 'one', author: 'Ann' });
    const path = countsPath(POST);
    const { etag } = await fresh(server, path);
    assert.equal((await moderate(server, c.id, 'spam')).status, 200);
    const next = await assertChanged(server, path, etag);
    assert.deepEqual(JSON.parse(next.body), { [POST]: 0 });
  });
});

describe('the fast lane for unchanged threads (src/http/public-reads.ts)', () => {
  /** Header names and values that must agree between the two paths (not Date, not the request id). */
  function comparable(res: Response): Record<string, string> {
    const out: Record<string, string> = {};
    res.headers.forEach((value, name) => {
      if (!['date', 'x-request-id', 'keep-alive', 'connection'].includes(name)) out[name] = value;
    });
    return out;
  }

  it('answers a cached body and a 304 with the same headers, body and request id as the full path', async (t) => {
    const server = await start(t);
    await postComment(server, { body: 'cached', author: 'Ann' });
    const headers = { origin: SITE };
    // The first read renders (full path); the second is served from the rendered-body cache.
    const full = await server.request(commentsPath(), { headers });
    const fullBody = await full.text();
    const fast = await server.request(commentsPath(), { headers: { ...headers, 'x-request-id': 'reader-req-1' } });
    const fastBody = await fast.text();
    assert.equal(fast.status, 200);
    assert.equal(fastBody, fullBody);
    assert.deepEqual(comparable(fast), comparable(full));
    assert.equal(fast.headers.get('access-control-allow-origin'), SITE);
    assert.equal(fast.headers.get('x-request-id'), 'reader-req-1');
    assert.ok(full.headers.get('x-request-id'));

    // A trailing slash is routed by Express only: the full path's 304, to compare with the fast one's.
    const etag = full.headers.get('etag')!;
    const slowPath = `/api/comments/?target=${encodeURIComponent(POST)}`;
    const slow304 = await server.request(slowPath, { headers: { ...headers, 'if-none-match': etag } });
    const fast304 = await server.request(commentsPath(), { headers: { ...headers, 'if-none-match': etag } });
    assert.equal(slow304.status, 304);
    assert.equal(fast304.status, 304);
    assert.equal(await fast304.text(), '');
    assert.deepEqual(comparable(fast304), comparable(slow304));
  });

  it('leaves errors to the full path: a foreign or missing target is still the JSON error', async (t) => {
    const server = await start(t);
    const foreign = await server.request(`/api/comments?target=${encodeURIComponent('https://elsewhere.example/p')}`, { headers: { 'if-none-match': '*' } });
    assert.equal(foreign.status, 403);
    assert.match(await foreign.text(), /"error"/);
    const missing = await server.request('/api/comments?target=', { headers: { 'if-none-match': '*' } });
    assert.equal(missing.status, 400);
    await missing.text();
  });

  it('a failure after the fast answer (metrics) neither crashes the process nor changes the answer', async (t) => {
    const server = await start(t);
    const { etag } = await fresh(server, commentsPath());
    const metrics = server.deps.metrics;
    const original = metrics.observeRequest;
    let calls = 0;
    metrics.observeRequest = () => {
      calls++;
      throw new Error('metrics broke');
    };
    try {
      await assertNotModified(server, commentsPath(), etag);
      await assertNotModified(server, commentsPath(), etag);
      assert.equal(calls, 2, 'the fast lane answered both');
    } finally {
      metrics.observeRequest = original;
    }
    await assertNotModified(server, commentsPath(), etag);
  });

  it('counts the fast answers in /metrics under the route, like the full path', async (t) => {
    const server = await start(t);
    await postComment(server, { body: 'metrics', author: 'Ann' });
    const { etag } = await fresh(server, commentsPath());
    for (let i = 0; i < 3; i++) await assertNotModified(server, commentsPath(), etag);
    const res = await server.admin('/metrics');
    const text = await res.text();
    assert.equal(res.status, 200, text.slice(0, 200));
    const line = text.split('\n').find((l) => /route="\/api\/comments"/.test(l) && /status="304"/.test(l) && /_total/.test(l));
    assert.ok(line, 'no 304 counter for /api/comments');
    assert.match(line, / 3$/);
  });
});

describe('ETag and Cache-Control on GET /thread (the server-rendered thread)', () => {
  const threadPath = (query = '') => `/thread?target=${encodeURIComponent(POST)}&fragment=1${query}`;

  it('answers 304 while nothing it shows changed; a new comment, another language, a reply form, the page and a later minute each change the ETag', async (t) => {
    let now = Date.parse('2026-11-26T10:00:05Z');
    const server = await startTestServer({}, { clock: { now: () => new Date(now) } });
    t.after(() => server.close());
    await postComment(server, { body: 'thread etag', author: 'Ann' });
    const { etag, body } = await fresh(server, threadPath());
    assert.match(body, /thread etag/);
    await assertNotModified(server, threadPath(), etag);
    const notModified = await server.request(threadPath(), { headers: { 'if-none-match': etag } });
    assert.match(notModified.headers.get('vary') ?? '', /Accept-Language/);
    assert.match(notModified.headers.get('vary') ?? '', /Accept-Encoding/);

    // What the HTML depends on besides the comments: language, reply form, page or fragment.
    const others = [threadPath('&lang=ru'), threadPath('&parent=1'), `/thread?target=${encodeURIComponent(POST)}`];
    const etags = new Set([etag]);
    for (const path of others) etags.add((await assertChanged(server, path, etag)).etag);
    assert.equal(etags.size, 4);
    const viaHeader = await server.request(threadPath(), { headers: { 'if-none-match': etag, 'accept-language': 'ru' } });
    assert.equal(viaHeader.status, 200, 'Accept-Language picks another representation');
    await viaHeader.text();

    // Relative times ("1 minute ago") move with the clock: a minute later the old copy is not current.
    now += 60_000;
    const later = await assertChanged(server, threadPath(), etag);
    await assertNotModified(server, threadPath(), later.etag);

    // A new comment: a new ETag and the comment in the body.
    await postComment(server, { body: 'second one', author: 'Bob' });
    const changed = await assertChanged(server, threadPath(), later.etag);
    assert.match(changed.body, /second one/);
  });
});
