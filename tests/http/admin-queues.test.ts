/**
 * The moderation page's API: queue counts, search by each field, bulk actions, threads, and the
 * bearer token guarding every one of them (401 and nothing changes).
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';

import { FAKE_AKISMET_KEY, startFakeAkismet } from '../helpers/fake-akismet.js';
import { POST, SITE, startTestServer, type TestServer } from '../helpers/test-server.js';
import { adminFind, adminList, assertErrorShape, listIds, postComment, waitFor, type AdminComment } from './http-support.js';

const OTHER_POST = `${SITE}/2026/11/second/`;

async function start(t: TestContext, env: Record<string, string> = {}): Promise<TestServer> {
  const server = await startTestServer({ BACKTALK_MODERATION: 'all', BACKTALK_TRUST_PROXY: 'true', BACKTALK_KEEP_IP: 'true', ...env });
  t.after(() => server.close());
  return server;
}

async function getJson<T>(server: TestServer, path: string): Promise<T> {
  const res = await server.admin(path);
  const text = await res.text();
  assert.equal(res.status, 200, `${path} answered ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

const counts = (server: TestServer) => getJson<Record<string, number>>(server, '/api/admin/counts');
const search = async (server: TestServer, query: string) =>
  (await getJson<{ comments: AdminComment[] }>(server, `/api/admin/comments?${query}`)).comments.map((c) => c.id);

function bulk(server: TestServer, body: unknown): Promise<Response> {
  return server.admin('/api/admin/comments/bulk', { method: 'POST', body: JSON.stringify(body) });
}

describe('GET /api/admin/counts', () => {
  it('counts each queue and follows moderation', async (t) => {
    const server = await start(t);
    assert.deepEqual(await counts(server), { pending: 0, approved: 0, spam: 0, trash: 0 });
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push((await postComment(server, { body: `comment ${i}` })).id);
    assert.deepEqual(await counts(server), { pending: 4, approved: 0, spam: 0, trash: 0 });
    await bulk(server, { action: 'approve', ids: ids.slice(0, 2) });
    await bulk(server, { action: 'spam', ids: [ids[2]] });
    assert.deepEqual(await counts(server), { pending: 1, approved: 2, spam: 1, trash: 0 });
  });
});

describe('search: GET /api/admin/comments?q=', () => {
  it('finds by text, author, e-mail, IP and source, each alone and all together', async (t) => {
    const server = await start(t, { BACKTALK_VERIFY_TRACKBACKS: 'false' });
    const xff = (ip: string) => ({ 'x-forwarded-for': ip });
    const text = await postComment(server, { body: 'Buy Cheap Rolex today', author: 'Ann', email: 'ann@mail.example' }, xff('198.51.100.7'));
    const author = await postComment(server, { body: 'hello', author: 'Rolex Fan', email: 'fan@mail.example' }, xff('198.51.100.8'));
    const email = await postComment(server, { body: 'hi', author: 'Bo', email: 'rolex@spam.example' }, xff('198.51.100.9'));
    const ip = await postComment(server, { body: 'hey', author: 'Cy', email: 'cy@mail.example' }, xff('203.0.113.99'));
    const ping = await server.postForm(`/trackback?target=${encodeURIComponent(POST)}`, {
      url: 'https://rolex-blog.example/post', title: 'Timepieces', excerpt: 'about watches', blog_name: 'Time blog',
    }, xff('192.0.2.5'));
    assert.match(await ping.text(), /<error>0<\/error>/);
    const linkback = (await adminList(server, 'pending')).find((c) => c.type === 'trackback');
    assert.ok(linkback, 'the trackback was not stored');

    assert.deepEqual(await search(server, 'q=cheap%20rolex&field=text'), [text.id]);
    assert.deepEqual(await search(server, 'q=TIMEPIECES&field=text'), [linkback.id], 'linkback titles are text');
    assert.deepEqual(await search(server, 'q=rolex%20fan&field=author'), [author.id]);
    assert.deepEqual(await search(server, 'q=rolex%40spam&field=email'), [email.id]);
    assert.deepEqual(await search(server, 'q=203.0.113.99&field=ip'), [ip.id]);
    assert.deepEqual(await search(server, 'q=rolex-blog.example&field=source'), [linkback.id]);
    assert.deepEqual(await search(server, 'q=rolex'), [linkback.id, email.id, author.id, text.id], 'all fields, newest first');
    assert.deepEqual(await search(server, 'q=rolex&field=ip'), []);

    const found = (await getJson<{ comments: AdminComment[] }>(server, '/api/admin/comments?q=cheap')).comments[0]!;
    assert.equal(found.email, 'ann@mail.example');
    assert.equal((found as unknown as { body_raw: string }).body_raw, 'Buy Cheap Rolex today');
  });

  it('searches within one status when asked, and refuses an unknown field or status', async (t) => {
    const server = await start(t);
    const a = await postComment(server, { body: 'needle one' });
    const b = await postComment(server, { body: 'needle two' });
    await bulk(server, { action: 'spam', ids: [b.id] });
    assert.deepEqual(await search(server, 'q=needle&status=spam'), [b.id]);
    assert.deepEqual(await search(server, 'q=needle&status=pending'), [a.id]);
    assert.deepEqual(await search(server, 'q=needle'), [b.id, a.id]);
    await assertErrorShape(await server.admin('/api/admin/comments?q=needle&field=password'), 400, 'field');
    await assertErrorShape(await server.admin('/api/admin/comments?q=needle&status=deleted'), 400, 'status');
    await assertErrorShape(await server.admin(`/api/admin/comments?q=${'x'.repeat(201)}`), 400, 'q');
  });
});

describe('POST /api/admin/comments/bulk', () => {
  it('applies one action to many, answering per id, missing ids included', async (t) => {
    const server = await start(t);
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await postComment(server, { body: `bulk ${i}` })).id);
    const bystander = await postComment(server, { body: 'not selected' });

    const res = await bulk(server, { action: 'approve', ids: [...ids, 999999] });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { succeeded: number; failed: number; results: Array<Record<string, unknown>> };
    assert.equal(body.succeeded, 3);
    assert.equal(body.failed, 1);
    assert.deepEqual(body.results.slice(0, 3), ids.map((id) => ({ id, ok: true, status: 'approved' })));
    assert.deepEqual(body.results[3], { id: 999999, ok: false, error: { code: 'not-found', message: 'No such comment.' } });
    assert.deepEqual(await listIds(server), ids);
    assert.equal((await adminFind(server, bystander.id))?.status, 'pending');

    const trashed = (await (await bulk(server, { action: 'trash', ids: ids.slice(1) })).json()) as { succeeded: number };
    assert.equal(trashed.succeeded, 2);
    assert.deepEqual(await listIds(server), [ids[0]]);
    const deleted = (await (await bulk(server, { action: 'delete', ids: ids.slice(1) })).json()) as { results: unknown[] };
    assert.deepEqual(deleted.results, ids.slice(1).map((id) => ({ id, ok: true, deleted: true, placeholder: false })));
    assert.equal(await adminFind(server, ids[1]!), undefined);
  });

  it('teaches Akismet each spam and ham decision, as single actions do', async (t) => {
    const akismet = await startFakeAkismet();
    t.after(() => akismet.close());
    const server = await start(t, { BACKTALK_AKISMET_KEY: FAKE_AKISMET_KEY, BACKTALK_AKISMET_URL: akismet.url });
    const a = await postComment(server, { body: 'first', author: 'Ann' });
    const b = await postComment(server, { body: 'second', author: 'Bob' });
    assert.equal((await bulk(server, { action: 'spam', ids: [a.id, b.id] })).status, 200);
    const reports = (path: string) => akismet.requests.filter((r) => r.path === path).map((r) => r.form.comment_author);
    await waitFor(() => reports('/1.1/submit-spam').length === 2, undefined, 'two submit-spam reports');
    assert.deepEqual(reports('/1.1/submit-spam').sort(), ['Ann', 'Bob']);
    assert.equal((await bulk(server, { action: 'ham', ids: [b.id] })).status, 200);
    await waitFor(() => reports('/1.1/submit-ham').length === 1, undefined, 'a submit-ham report');
    assert.deepEqual(reports('/1.1/submit-ham'), ['Bob']);
    assert.equal((await adminFind(server, b.id))?.status, 'approved');
  });

  it('refuses a bad action, empty or oversized id lists and non-ids, changing nothing', async (t) => {
    const server = await start(t);
    const c = await postComment(server, { body: 'stays pending' });
    await assertErrorShape(await bulk(server, { action: 'publish', ids: [c.id] }), 400, 'action');
    await assertErrorShape(await bulk(server, { action: 'approve', ids: [] }), 400, 'ids');
    await assertErrorShape(await bulk(server, { action: 'approve', ids: [c.id, 'x'] }), 400, 'ids');
    await assertErrorShape(await bulk(server, { action: 'approve', ids: [c.id, -1] }), 400, 'ids');
    await assertErrorShape(await bulk(server, { action: 'approve', ids: `${c.id}` }), 400, 'ids');
    const tooMany = Array.from({ length: 501 }, (_, i) => i + 1);
    await assertErrorShape(await bulk(server, { action: 'approve', ids: tooMany }), 400, 'ids');
    assert.equal((await adminFind(server, c.id))?.status, 'pending');
  });
});

describe('threads', () => {
  interface ThreadJson { id: number; target: string; comments_closed: boolean; linkbacks_closed: boolean; counts: Record<string, number> }

  it('lists threads with counts, closes and reopens one by id', async (t) => {
    const server = await start(t, { BACKTALK_MODERATION: 'auto' });
    await postComment(server, { body: 'on the first post' });
    await postComment(server, { target: OTHER_POST, body: 'on the second post' });
    const { threads } = await getJson<{ threads: ThreadJson[] }>(server, '/api/admin/threads');
    assert.deepEqual(threads.map((th) => th.target), [OTHER_POST, POST]);
    assert.deepEqual(threads[1]!.counts, { pending: 0, approved: 1, spam: 0, trash: 0 });
    const filtered = await getJson<{ threads: ThreadJson[] }>(server, '/api/admin/threads?q=second');
    assert.deepEqual(filtered.threads.map((th) => th.target), [OTHER_POST]);

    const first = threads[1]!;
    const close = await server.admin(`/api/admin/threads/${first.id}`, { method: 'POST', body: JSON.stringify({ comments_closed: true }) });
    assert.equal(close.status, 200);
    assert.deepEqual(await close.json(), { id: first.id, target: POST, comments_closed: true, linkbacks_closed: false });
    const refused = await server.postJson('/comments', { target: POST, body: 'too late' });
    assert.equal(refused.status, 403);
    await postComment(server, { target: OTHER_POST, body: 'the other one is open' });

    const reopen = await server.admin(`/api/admin/threads/${first.id}`, { method: 'POST', body: JSON.stringify({ comments_closed: false }) });
    assert.equal(reopen.status, 200);
    await postComment(server, { body: 'open again' });

    await assertErrorShape(await server.admin('/api/admin/threads/987654', { method: 'POST', body: '{"comments_closed":true}' }), 404);
    await assertErrorShape(await server.admin(`/api/admin/threads/${first.id}`, { method: 'POST', body: '{"comments_closed":"yes"}' }), 400);
  });
});

describe('without a valid token', () => {
  it('answers 401 on every new admin route and changes nothing', async (t) => {
    const server = await start(t);
    const c = await postComment(server, { body: 'pending forever' });
    const thread = (await getJson<{ threads: ThreadJson[] }>(server, '/api/admin/threads')).threads[0]!;
    const before = await getJson<unknown>(server, '/api/admin/settings/blocked-words');
    const calls: Array<[string, string, unknown]> = [
      ['GET', '/api/admin/counts', undefined],
      ['GET', '/api/admin/comments?q=pending', undefined],
      ['GET', '/api/admin/threads', undefined],
      ['GET', '/api/admin/linkbacks', undefined],
      ['GET', '/api/admin/settings/blocked-words', undefined],
      ['POST', '/api/admin/comments/bulk', { action: 'delete', ids: [c.id] }],
      ['POST', `/api/admin/threads/${thread.id}`, { comments_closed: true }],
      ['PUT', '/api/admin/settings/blocked-words', { words: ['pending'] }],
    ];
    for (const authorization of [undefined, 'Bearer wrong-token-wrong-token']) {
      for (const [method, path, body] of calls) {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (authorization) headers.authorization = authorization;
        const res = await server.request(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
        await assertErrorShape(res, 401);
      }
    }
    assert.equal((await adminFind(server, c.id))?.status, 'pending');
    assert.equal((await getJson<{ threads: ThreadJson[] }>(server, '/api/admin/threads')).threads[0]!.comments_closed, false);
    assert.deepEqual(await getJson<unknown>(server, '/api/admin/settings/blocked-words'), before);
  });
});

interface ThreadJson { id: number; comments_closed: boolean }
