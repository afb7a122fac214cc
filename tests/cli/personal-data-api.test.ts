/**
 * Personal data through the admin API: GET /api/admin/personal-data?email=… and
 * POST /api/admin/personal-data/erase {email, mode}, behind the admin token.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { POST, startTestServer, type TestServer } from '../helpers/test-server.js';

describe('admin personal-data API', () => {
  let server: TestServer;
  const ids: Record<string, number> = {};

  before(async () => {
    server = await startTestServer();
    const post = async (name: string, body: Record<string, unknown>) => {
      const res = await server.postJson('/comments', { target: POST, ...body });
      assert.equal(res.status, 201);
      ids[name] = ((await res.json()) as { id: number }).id;
    };
    await post('root', { body: 'Root by Pat', author: 'Pat', email: 'pat@example.org', url: 'https://pat.example/' });
    await post('reply', { body: 'Reply by Quinn', author: 'Quinn', email: 'quinn@example.org', parent: ids.root });
    await post('leaf', { body: 'Another by Pat', author: 'Pat', email: 'Pat@Example.org' });
    const thread = await server.deps.store.threads.findByTarget(POST);
    await server.deps.store.subscriptions.request('pat@example.org', thread!.id, 'f'.repeat(64), new Date());
  });
  after(() => server.close());

  test('without the admin token: 401 and nothing changes', async () => {
    const get = await server.request('/api/admin/personal-data?email=pat@example.org');
    assert.equal(get.status, 401);
    const erase = await server.postJson('/api/admin/personal-data/erase', { email: 'pat@example.org', mode: 'remove' });
    assert.equal(erase.status, 401);
    assert.ok(await server.deps.store.comments.findById(ids.leaf!));
  });

  test('invalid input is a 400 in the API error shape', async () => {
    const bad = await server.admin('/api/admin/personal-data?email=nope');
    assert.equal(bad.status, 400);
    assert.deepEqual(((await bad.json()) as { error: { field: string } }).error.field, 'email');
    const mode = await server.admin('/api/admin/personal-data/erase', { method: 'POST', body: JSON.stringify({ email: 'pat@example.org', mode: 'shred' }) });
    assert.equal(mode.status, 400);
    assert.equal(((await mode.json()) as { error: { field: string } }).error.field, 'mode');
  });

  test('export lists every comment and subscription of the address, case-insensitively', async () => {
    const res = await server.admin('/api/admin/personal-data?email=PAT@example.org');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const data = (await res.json()) as { comments: Array<{ id: number; body_raw: string; email: string; ip: string }>; subscriptions: Array<{ target: string; confirmed: boolean }> };
    assert.deepEqual(data.comments.map((c) => c.id), [ids.root, ids.leaf]);
    assert.equal(data.comments[0]!.body_raw, 'Root by Pat');
    assert.deepEqual(data.subscriptions, [{ target: POST, confirmed: false, created: (data.subscriptions[0] as { created: string }).created }]);
  });

  test('erase with remove: comments deleted, one with a reply kept as a placeholder, subscriptions gone', async () => {
    const res = await server.admin('/api/admin/personal-data/erase', { method: 'POST', body: JSON.stringify({ email: 'pat@example.org', mode: 'remove' }) });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { email: 'pat@example.org', mode: 'remove', comments: 1, placeholders: 1, subscriptions: 1 });
    assert.equal(await server.deps.store.comments.findById(ids.leaf!), undefined);
    const root = await server.deps.store.comments.findById(ids.root!);
    assert.deepEqual([root?.deleted, root?.author, root?.email, root?.bodyRaw], [true, '', '', '']);
    assert.equal((await server.deps.store.comments.findById(ids.reply!))?.author, 'Quinn', 'other people\'s comments stay');
    const after = (await (await server.admin('/api/admin/personal-data?email=pat@example.org')).json()) as { comments: unknown[]; subscriptions: unknown[] };
    assert.deepEqual([after.comments.length, after.subscriptions.length], [0, 0]);
  });

  test('erase with anonymize keeps the words, drops the person', async () => {
    const res = await server.admin('/api/admin/personal-data/erase', { method: 'POST', body: JSON.stringify({ email: 'quinn@example.org', mode: 'anonymize' }) });
    assert.deepEqual(await res.json(), { email: 'quinn@example.org', mode: 'anonymize', comments: 1, placeholders: 0, subscriptions: 0 });
    const reply = await server.deps.store.comments.findById(ids.reply!);
    assert.deepEqual([reply?.author, reply?.email, reply?.url, reply?.ip, reply?.bodyRaw], ['Anonymous', '', '', '', 'Reply by Quinn']);
    const page = (await (await server.request(`/api/comments?target=${encodeURIComponent(POST)}`)).json()) as { comments: Array<{ id: number; author: string }> };
    assert.equal(page.comments.find((c) => c.id === ids.reply)?.author, 'Anonymous');
  });
});
