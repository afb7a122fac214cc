/**
 * Contract v1.1 "Single comments" (issue 14, point 17): the Location of a 201 answers GET with the
 * same public object the thread list carries, and nothing that is not approved is visible there.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';

import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { PUBLIC_COMMENT_KEYS, assertErrorShape, listComments, moderate, type PublicComment } from './http-support.js';
import { POST } from '../helpers/test-server.js';

async function start(t: TestContext, env: Record<string, string> = {}): Promise<TestServer> {
  const server = await startTestServer(env);
  t.after(() => server.close());
  return server;
}

async function post(server: TestServer, body: string): Promise<{ location: string; comment: PublicComment }> {
  const res = await server.postJson('/comments', { target: POST, body, author: 'Ann', email: 'ann@mail.example' });
  assert.equal(res.status, 201);
  const location = res.headers.get('location');
  assert.ok(location, '201 without Location');
  return { location, comment: (await res.json()) as PublicComment };
}

describe('GET /api/comments/:id', () => {
  it('the Location of a 201 answers 200 with the object the list has, public fields only', async (t) => {
    const server = await start(t);
    const { location, comment } = await post(server, 'Hello, single world');
    const res = await fetch(location);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const single = (await res.json()) as PublicComment;
    assert.deepEqual(Object.keys(single).sort(), [...PUBLIC_COMMENT_KEYS].sort());
    assert.equal(single.id, comment.id);
    const listed = (await listComments(server)).comments.find((c) => c.id === comment.id);
    assert.deepEqual(single, listed);
  });

  it('answers 404 for a held comment, and for one the owner moved to spam or trash', async (t) => {
    const held = await start(t, { BACKTALK_MODERATION: 'all' });
    const { location } = await post(held, 'Awaiting moderation');
    await assertErrorShape(await fetch(location), 404);

    const server = await start(t);
    for (const action of ['spam', 'trash']) {
      const { location: url, comment } = await post(server, `Soon in ${action}`);
      assert.equal((await fetch(url)).status, 200);
      assert.equal((await moderate(server, comment.id, action)).status, 200);
      const res = await fetch(url);
      const text = await res.text();
      assert.equal(res.status, 404, `${action}: ${text}`);
      assert.ok(!text.includes(`Soon in ${action}`), 'the body of a hidden comment leaked');
    }
  });

  it('answers 404 for ids that do not exist or are not ids', async (t) => {
    const server = await start(t);
    for (const id of ['999999', '0', 'abc', '1e3']) {
      await assertErrorShape(await server.request(`/api/comments/${id}`), 404);
    }
  });
});
