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

  it('a held comment approved later changes it; a reply makes a deleted parent a placeholder', async (t) => {
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
