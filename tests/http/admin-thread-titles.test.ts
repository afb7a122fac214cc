/**
 * Issue 17, point 6: the admin lists name each comment's post by its title when Backtalk knows it
 * (`thread_title`), in the queues and in search, and null when it does not.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';

import { POST, SITE, startTestServer } from '../helpers/test-server.js';

it('queues and search carry the post title of each comment, null when unknown', async (t) => {
  const server = await startTestServer({ BACKTALK_FETCH_POST_TITLES: 'false' });
  t.after(() => server.close());
  const untitled = `${SITE}/2026/12/untitled/`;
  assert.equal((await server.postJson('/comments', { target: POST, body: 'first', author: 'Ann', title: 'Hedgehog in the fog' })).status, 201);
  assert.equal((await server.postJson('/comments', { target: untitled, body: 'second', author: 'Bob' })).status, 201);

  // (A title is learnt from a published comment only: issue 16.5.)
  type Listed = { comments: Array<{ target: string; thread_title: string | null }> };
  const byTarget = (l: Listed) => Object.fromEntries(l.comments.map((c) => [c.target, c.thread_title]));
  const queue = (await (await server.admin('/api/admin/comments?status=approved')).json()) as Listed;
  assert.deepEqual(byTarget(queue), { [POST]: 'Hedgehog in the fog', [untitled]: null });
  const found = (await (await server.admin('/api/admin/comments?q=first')).json()) as Listed;
  assert.deepEqual(byTarget(found), { [POST]: 'Hedgehog in the fog' });
});
