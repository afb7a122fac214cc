/**
 * Contract v1.1 "Votes" over HTTP: POST /api/comments/:id/vote, one vote per reader (voter id, the
 * no-JavaScript form's cookie, or the address), the per-network cap and rate limit, 404 and 403.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { POST, startTestServer, type TestServer } from '../helpers/test-server.js';
import { assertErrorShape, listComments, moderate, postComment } from '../http/http-support.js';

const VOTER_A = 'reader-a-0123456789abcdef';
const VOTER_B = 'reader-b-0123456789abcdef';

describe('POST /api/comments/:id/vote', () => {
  let server: TestServer;
  afterEach(async () => {
    await server.close();
  });

  const vote = (id: number, body: unknown, headers: Record<string, string> = {}) => server.postJson(`/api/comments/${id}/vote`, body, headers);
  async function counts(id: number): Promise<[number, number]> {
    const c = (await listComments(server)).comments.find((x) => x.id === id) as unknown as { likes: number; dislikes: number };
    return [c.likes, c.dislikes];
  }

  test('answers {id, likes, dislikes}; one vote per reader, changeable, withdrawable; every comment object shows the counts', async () => {
    server = await startTestServer();
    const c = await postComment(server, { body: 'Vote on me', author: 'Ann' });
    assert.deepEqual([(c as unknown as { likes: number }).likes, (c as unknown as { dislikes: number }).dislikes], [0, 0]);
    const first = await vote(c.id, { value: 1, voter: VOTER_A });
    assert.equal(first.status, 200);
    assert.deepEqual(await first.json(), { id: c.id, likes: 1, dislikes: 0 });
    assert.deepEqual(await (await vote(c.id, { value: 1, voter: VOTER_A })).json(), { id: c.id, likes: 1, dislikes: 0 }, 'the same reader again: still one');
    assert.deepEqual(await (await vote(c.id, { value: 1, voter: VOTER_B })).json(), { id: c.id, likes: 2, dislikes: 0 });
    assert.deepEqual(await (await vote(c.id, { value: -1, voter: VOTER_A })).json(), { id: c.id, likes: 1, dislikes: 1 }, 'a second vote replaces the first');
    assert.deepEqual(await (await vote(c.id, { value: 0, voter: VOTER_B })).json(), { id: c.id, likes: 0, dislikes: 1 });
    assert.deepEqual(await counts(c.id), [0, 1]);
    const single = (await (await server.request(`/api/comments/${c.id}`)).json()) as { likes: number; dislikes: number };
    assert.deepEqual([single.likes, single.dislikes], [0, 1]);
  });

  test('a client that sends no voter id is recognised by its address: repeating the call replaces the vote', async () => {
    server = await startTestServer();
    const c = await postComment(server, { body: 'Plain API votes' });
    assert.deepEqual(await (await vote(c.id, { value: 1 })).json(), { id: c.id, likes: 1, dislikes: 0 });
    assert.deepEqual(await (await vote(c.id, { value: 1 })).json(), { id: c.id, likes: 1, dislikes: 0 });
    assert.deepEqual(await (await vote(c.id, { value: -1 })).json(), { id: c.id, likes: 0, dislikes: 1 });
  });

  test('ballot stuffing: fresh voter ids from one address stop at BACKTALK_VOTES_PER_NETWORK (429), others still count', async () => {
    server = await startTestServer({ BACKTALK_VOTES_PER_NETWORK: '3' });
    const c = await postComment(server, { body: 'Popular?' });
    for (let i = 0; i < 3; i++) assert.equal((await vote(c.id, { value: 1, voter: `stuffer-${i}-0123456789abcdef` })).status, 200);
    const refused = await assertErrorShape(await vote(c.id, { value: 1, voter: 'stuffer-9-0123456789abcdef' }), 429);
    assert.equal(refused.code, 'rate-limited');
    assert.deepEqual(await counts(c.id), [3, 0]);
    // A voter already counted may still change their mind.
    assert.deepEqual(await (await vote(c.id, { value: -1, voter: 'stuffer-0-0123456789abcdef' })).json(), { id: c.id, likes: 2, dislikes: 1 });
  });

  test('votes per minute per client are limited (BACKTALK_VOTE_RATE_LIMIT): 429 with Retry-After', async () => {
    server = await startTestServer({ BACKTALK_VOTE_RATE_LIMIT: '2' });
    const c = await postComment(server, { body: 'Fast voting' });
    assert.equal((await vote(c.id, { value: 1, voter: VOTER_A })).status, 200);
    assert.equal((await vote(c.id, { value: -1, voter: VOTER_A })).status, 200);
    const res = await vote(c.id, { value: 1, voter: VOTER_A });
    assert.ok(Number(res.headers.get('retry-after')) >= 1);
    await assertErrorShape(res, 429);
  });

  test('404 for a comment that is not approved or does not exist; 400 for a value other than 1, -1, 0', async () => {
    server = await startTestServer({ BACKTALK_MODERATION: 'all' });
    const held = await postComment(server, { body: 'Held for moderation' });
    await assertErrorShape(await vote(held.id, { value: 1 }), 404);
    await assertErrorShape(await vote(held.id + 100, { value: 1 }), 404);
    assert.equal((await moderate(server, held.id, 'approve')).status, 200);
    assert.equal((await vote(held.id, { value: 1 })).status, 200);
    assert.equal((await moderate(server, held.id, 'spam')).status, 200);
    await assertErrorShape(await vote(held.id, { value: 1 }), 404);
    for (const value of [2, '+1', true, null, 0.5, 'like']) await assertErrorShape(await vote(held.id, { value }), 400, 'value');
    await assertErrorShape(await vote(held.id, {}), 400, 'value');
  });

  test('403 when BACKTALK_VOTES=off, and nothing is counted', async () => {
    server = await startTestServer({ BACKTALK_VOTES: 'off' });
    const c = await postComment(server, { body: 'No votes here' });
    const error = await assertErrorShape(await vote(c.id, { value: 1 }), 403);
    assert.equal(error.code, 'forbidden');
    assert.deepEqual(await counts(c.id), [0, 0]);
  });

  test('the no-JavaScript form: 303 back to /thread at the comment, a voter cookie, and the cookie keeps it one vote', async () => {
    server = await startTestServer();
    const c = await postComment(server, { body: 'Form votes' });
    const first = await server.postForm(`/api/comments/${c.id}/vote`, { value: '1', lang: 'de', sort: 'liked', target: POST });
    assert.equal(first.status, 303);
    assert.equal(first.headers.get('location'), `${server.url}/thread?target=${encodeURIComponent(POST)}&lang=de&sort=liked#comment-${c.id}`);
    const cookie = first.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^backtalk_voter=[\w-]{43}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/);
    const jar = cookie.split(';')[0]!;
    const again = await server.postForm(`/api/comments/${c.id}/vote`, { value: '-1' }, { Cookie: jar });
    assert.equal(again.status, 303);
    assert.equal(again.headers.get('set-cookie'), null, 'a reader who has the cookie keeps it');
    assert.deepEqual(await counts(c.id), [0, 1], 'the second form vote replaced the first');
  });
});
