/**
 * The admin API (contract, "Site owners"): bearer token, listing by status, and moderation actions
 * whose effect shows in the public list.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';

import { ADMIN_TOKEN, POST, startTestServer, type TestServer } from '../helpers/test-server.js';
import {
  PUBLIC_COMMENT_KEYS, adminFind, adminList, assertErrorShape, listIds, moderate, postComment, type AdminComment,
} from './http-support.js';

async function start(t: TestContext, env: Record<string, string> = {}): Promise<TestServer> {
  const server = await startTestServer({ BACKTALK_MODERATION: 'all', ...env });
  t.after(() => server.close());
  return server;
}

const BAD_AUTHORIZATIONS: ReadonlyArray<[string, Record<string, string>]> = [
  ['no token', {}],
  ['a wrong token', { authorization: 'Bearer not-the-admin-token-at-all' }],
  ['a malformed header', { authorization: `Token ${ADMIN_TOKEN}` }],
  ['a bare Bearer', { authorization: 'Bearer' }],
  ['the token without a scheme', { authorization: ADMIN_TOKEN }],
  ['the token with trailing junk', { authorization: `Bearer ${ADMIN_TOKEN} extra` }],
];

describe('admin authentication', () => {
  for (const [label, headers] of BAD_AUTHORIZATIONS) {
    it(`answers ${label} with 401 and changes nothing`, async (t) => {
      const server = await start(t);
      const c = await postComment(server, { body: 'waiting for a moderator' });

      const list = await server.request('/api/admin/comments?status=pending', { headers });
      await assertErrorShape(list, 401);

      for (const action of ['approve', 'spam', 'trash', 'delete']) {
        const res = await server.request(`/api/admin/comments/${c.id}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ action }),
        });
        await assertErrorShape(res, 401);
      }
      const stored = await adminFind(server, c.id);
      assert.ok(stored, 'the comment disappeared');
      assert.equal(stored.status, 'pending');
      assert.deepEqual(await listIds(server), []);
    });
  }
});

describe('GET /api/admin/comments', () => {
  it('lists by each status, with the admin fields', async (t) => {
    const server = await start(t);
    const ids: Record<string, number> = {};
    for (const [status, action] of [['pending', null], ['approved', 'approve'], ['spam', 'spam'], ['trash', 'trash']] as const) {
      const c = await postComment(server, { body: `will be ${status}`, email: `${status}@mail.example` });
      if (action) assert.equal((await moderate(server, c.id, action)).status, 200);
      ids[status] = c.id;
    }
    for (const status of ['pending', 'approved', 'spam', 'trash']) {
      const comments = await adminList(server, status);
      assert.deepEqual(comments.map((c) => c.id), [ids[status]], `status=${status}`);
      const c = comments[0] as AdminComment;
      assert.equal(c.status, status);
      assert.equal(c.target, POST);
      assert.equal(c.email, `${status}@mail.example`);
      for (const key of PUBLIC_COMMENT_KEYS) assert.ok(key in c, `admin JSON lacks public field ${key}`);
    }
  });

  it('answers an invalid status query with 400', async (t) => {
    const server = await start(t);
    await assertErrorShape(await server.admin('/api/admin/comments?status=published'), 400);
    await assertErrorShape(await server.admin('/api/admin/comments?status=APPROVED'), 400);
  });
});

describe('POST /api/admin/comments/:id', () => {
  it('makes approve, spam, ham, trash and delete visible in the public list', async (t) => {
    const server = await start(t);
    const c = await postComment(server, { body: 'the moderated one' });
    const bystander = await postComment(server, { body: 'another one' });
    assert.deepEqual(await listIds(server), []);

    const step = async (action: string, expectedStatus: string | null, visible: boolean) => {
      const res = await moderate(server, c.id, action);
      assert.equal(res.status, 200, `${action} answered ${res.status}`);
      assert.deepEqual(await listIds(server), visible ? [c.id] : [], `public list after ${action}`);
      const stored = await adminFind(server, c.id);
      assert.equal(stored?.status ?? null, expectedStatus, `status after ${action}`);
    };
    await step('approve', 'approved', true);
    await step('spam', 'spam', false);
    await step('ham', 'approved', true);
    await step('trash', 'trash', false);
    await step('approve', 'approved', true);
    await step('delete', null, false);

    assert.equal((await adminFind(server, bystander.id))?.status, 'pending', 'another comment was touched');
    const counts = await server.request(`/api/counts?target=${encodeURIComponent(POST)}`);
    assert.deepEqual(await counts.json(), { [POST]: 0 });
  });

  it('answers the moderated comment in the admin shape', async (t) => {
    const server = await start(t);
    const c = await postComment(server, { body: 'approve me', email: 'ann@mail.example' });
    const res = await moderate(server, c.id, 'approve');
    assert.equal(res.status, 200);
    const body = (await res.json()) as AdminComment;
    assert.equal(body.id, c.id);
    assert.equal(body.status, 'approved');
  });

  it('answers an unknown action with 400 and changes nothing', async (t) => {
    const server = await start(t);
    const c = await postComment(server, { body: 'pending still' });
    await assertErrorShape(await moderate(server, c.id, 'publish'), 400);
    await assertErrorShape(await server.admin(`/api/admin/comments/${c.id}`, { method: 'POST', body: '{}' }), 400);
    assert.equal((await adminFind(server, c.id))?.status, 'pending');
  });

  it('answers an unknown id with 404', async (t) => {
    const server = await start(t);
    for (const action of ['approve', 'spam', 'ham', 'trash', 'delete']) {
      await assertErrorShape(await moderate(server, 987654, action), 404);
    }
  });
});
