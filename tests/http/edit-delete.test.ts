/**
 * Authors editing and deleting their own comments with the edit token, for 15 minutes (contract:
 * `PUT`/`DELETE /api/comments/:id`), and deleted comments with replies kept as placeholders.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';

import { POST, startTestServer, type TestServer } from '../helpers/test-server.js';
import { assertErrorShape, listComments, listIds, moderate, postComment, type PublicComment } from './http-support.js';

const MINUTE = 60_000;

/** A server whose clock the test moves by hand. */
async function startWithClock(t: TestContext): Promise<{ server: TestServer; advance(ms: number): void }> {
  let now = Date.parse('2026-11-25T20:41:00Z');
  const server = await startTestServer({}, { clock: { now: () => new Date(now) } });
  t.after(() => server.close());
  return { server, advance: (ms) => void (now += ms) };
}

function put(server: TestServer, id: number, body: unknown, token?: string): Promise<Response> {
  return server.request(`/api/comments/${id}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { 'x-edit-token': token }) },
    body: JSON.stringify(body),
  });
}

function del(server: TestServer, id: number, token?: string): Promise<Response> {
  return server.request(`/api/comments/${id}`, {
    method: 'DELETE',
    headers: token === undefined ? {} : { 'x-edit-token': token },
  });
}

async function bodyOf(server: TestServer, id: number): Promise<string | undefined> {
  return (await listComments(server)).comments.find((c) => c.id === id)?.body_html;
}

describe('PUT /api/comments/:id', () => {
  it('edits with the right token: 200, edited set, body re-rendered', async (t) => {
    const { server, advance } = await startWithClock(t);
    const c = await postComment(server, { body: 'first draft', author: 'Ann' });
    assert.equal(c.edited, null);
    advance(5 * MINUTE);
    const res = await put(server, c.id, { body: 'now *better*' }, c.edit_token);
    assert.equal(res.status, 200);
    const edited = (await res.json()) as PublicComment;
    assert.equal(edited.id, c.id);
    assert.equal(edited.edited, '2026-11-25T20:46:00Z');
    assert.equal(edited.created, c.created);
    assert.match(edited.body_html, /<em>better<\/em>/);
    assert.doesNotMatch(edited.body_html, /first draft/);
    const listed = (await listComments(server)).comments.find((x) => x.id === c.id)!;
    assert.equal(listed.edited, '2026-11-25T20:46:00Z');
    assert.match(listed.body_html, /now <em>better<\/em>/);
  });

  it('may change author and url too', async (t) => {
    const { server } = await startWithClock(t);
    const c = await postComment(server, { body: 'hello', author: 'Ann' });
    const res = await put(server, c.id, { body: 'hello again', author: 'Annie', url: 'annie.example' }, c.edit_token);
    assert.equal(res.status, 200);
    const edited = (await res.json()) as PublicComment;
    assert.equal(edited.author, 'Annie');
    assert.equal(edited.url, 'http://annie.example/');
  });

  it('refuses a wrong token with 403 and leaves the comment alone', async (t) => {
    const { server } = await startWithClock(t);
    const c = await postComment(server, { body: 'original' });
    const other = await postComment(server, { body: 'someone else' });
    await assertErrorShape(await put(server, c.id, { body: 'hijacked' }, 'not-the-token'), 403);
    await assertErrorShape(await put(server, c.id, { body: 'hijacked' }, other.edit_token), 403);
    assert.match((await bodyOf(server, c.id))!, /original/);
  });

  it('refuses a missing token with 403', async (t) => {
    const { server } = await startWithClock(t);
    const c = await postComment(server, { body: 'original' });
    await assertErrorShape(await put(server, c.id, { body: 'hijacked' }), 403);
    await assertErrorShape(await put(server, c.id, { body: 'hijacked' }, ''), 403);
    assert.match((await bodyOf(server, c.id))!, /original/);
  });

  it('allows an edit at 14 minutes and refuses one after 16 minutes with 403', async (t) => {
    const { server, advance } = await startWithClock(t);
    const c = await postComment(server, { body: 'original' });
    advance(14 * MINUTE);
    assert.equal((await put(server, c.id, { body: 'still in time' }, c.edit_token)).status, 200);
    advance(2 * MINUTE);
    await assertErrorShape(await put(server, c.id, { body: 'too late' }, c.edit_token), 403);
    assert.match((await bodyOf(server, c.id))!, /still in time/);
  });
});

describe('DELETE /api/comments/:id', () => {
  it('deletes with the right token: the comment is gone from the list', async (t) => {
    const { server } = await startWithClock(t);
    const keep = await postComment(server, { body: 'keep me' });
    const c = await postComment(server, { body: 'regret' });
    const res = await del(server, c.id, c.edit_token);
    assert.equal(res.status, 200);
    const list = await listComments(server);
    assert.deepEqual(list.comments.map((x) => x.id), [keep.id]);
    assert.equal(list.total, 1);
    const counts = await server.request(`/api/counts?target=${encodeURIComponent(POST)}`);
    assert.deepEqual(await counts.json(), { [POST]: 1 });
  });

  it('refuses a wrong or missing token with 403 and keeps the comment', async (t) => {
    const { server } = await startWithClock(t);
    const c = await postComment(server, { body: 'stay' });
    await assertErrorShape(await del(server, c.id, 'wrong-token'), 403);
    await assertErrorShape(await del(server, c.id), 403);
    assert.deepEqual(await listIds(server), [c.id]);
  });

  it('refuses after the 15-minute window with 403', async (t) => {
    const { server, advance } = await startWithClock(t);
    const c = await postComment(server, { body: 'stay' });
    advance(16 * MINUTE);
    await assertErrorShape(await del(server, c.id, c.edit_token), 403);
    assert.deepEqual(await listIds(server), [c.id]);
  });

  it('keeps the replies of a deleted comment and shows a placeholder for it', async (t) => {
    const { server } = await startWithClock(t);
    const parent = await postComment(server, { body: 'parent text', author: 'Ann', url: 'https://ann.example/' });
    const reply = await postComment(server, { body: 'reply text', author: 'Bob', parent: parent.id });
    assert.equal((await del(server, parent.id, parent.edit_token)).status, 200);
    await assertPlaceholder(server, parent.id, reply.id);
  });
});

describe('admin delete', () => {
  it('deletes a comment without replies outright', async (t) => {
    const { server } = await startWithClock(t);
    const c = await postComment(server, { body: 'bye' });
    assert.equal((await moderate(server, c.id, 'delete')).status, 200);
    assert.deepEqual(await listIds(server), []);
  });

  it('keeps the replies of a comment it deletes and shows a placeholder', async (t) => {
    const { server } = await startWithClock(t);
    const parent = await postComment(server, { body: 'parent text', author: 'Ann', url: 'https://ann.example/' });
    const reply = await postComment(server, { body: 'reply text', author: 'Bob', parent: parent.id });
    assert.equal((await moderate(server, parent.id, 'delete')).status, 200);
    await assertPlaceholder(server, parent.id, reply.id);
  });
});

async function assertPlaceholder(server: TestServer, parentId: number, replyId: number): Promise<void> {
  const list = await listComments(server);
  assert.deepEqual(list.comments.map((c) => c.id), [parentId, replyId]);
  const [placeholder, reply] = list.comments as [PublicComment, PublicComment];
  assert.equal(placeholder.deleted, true);
  assert.equal(placeholder.author, '');
  assert.equal(placeholder.url, '');
  assert.equal(placeholder.body_html, '');
  assert.doesNotMatch(JSON.stringify(placeholder), /parent text|Ann|ann\.example/);
  assert.equal(reply.parent, parentId);
  assert.equal(reply.author, 'Bob');
  assert.match(reply.body_html, /reply text/);
  assert.notEqual(reply.deleted, true);
  assert.equal(list.total, 1, 'a placeholder is not counted as a comment');
}
