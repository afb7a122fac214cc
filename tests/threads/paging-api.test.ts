/**
 * Contract v1.1 "Paging and sorting a thread", over HTTP: limit, cursor, sort, next, total, title,
 * and 400 in the error shape for a malformed cursor, limit or sort.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { POST, startTestServer, type TestServer } from '../helpers/test-server.js';
import { assertErrorShape, type PublicComment } from '../http/http-support.js';
import { seedThread, type SeededThread } from './support.js';

interface Page {
  target: string;
  title: string | null;
  total: number;
  next?: string | null;
  comments: Array<PublicComment & { likes: number; dislikes: number }>;
}

const q = (params: Record<string, string>) => new URLSearchParams({ target: POST, ...params }).toString();

describe('GET /api/comments with limit, cursor and sort', () => {
  let server: TestServer;
  let seeded: SeededThread;

  before(async () => {
    server = await startTestServer();
    // 30 comments: every third one a reply to the top-level comment before it (20 top-level, 10 replies).
    seeded = await seedThread(server.deps.store, POST, 30, 3);
    await server.deps.store.threads.setTitleIfUnknown(seeded.threadId, 'A paged post');
  });
  after(async () => {
    await server.close();
  });

  async function page(params: Record<string, string>): Promise<Page> {
    const res = await server.request(`/api/comments?${q(params)}`);
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as Page;
  }

  /** The top-level ids of a page's comments, and whether each reply follows its own top-level comment. */
  function topIds(p: Page): number[] {
    const tops: number[] = [];
    for (const c of p.comments) {
      if (c.parent === null) tops.push(c.id);
      else assert.ok(seeded.replies.get(tops.at(-1)!)?.includes(c.id), `reply ${c.id} does not follow its top-level comment`);
    }
    return tops;
  }

  test('limit pages the top-level comments, each followed by all its replies; next walks to the end; total and title', async () => {
    const seen: number[] = [];
    let cursor: string | null | undefined = '';
    let pages = 0;
    while (cursor !== null) {
      const p: Page = await page({ limit: '7', ...(cursor ? { cursor } : {}) });
      assert.equal(p.total, 30, 'total counts the whole thread');
      assert.equal(p.title, 'A paged post');
      assert.ok('next' in p, 'a paged answer carries next');
      const tops = topIds(p);
      assert.ok(tops.length <= 7);
      seen.push(...tops);
      for (const id of tops) assert.deepEqual(p.comments.filter((c) => c.parent === id).map((c) => c.id), seeded.replies.get(id));
      cursor = p.next;
      pages++;
    }
    assert.equal(pages, 3);
    assert.deepEqual(seen, seeded.top, 'every top-level comment once, oldest first');
  });

  test('sort=newest reverses the top-level order; replies stay oldest first under their comment', async () => {
    const first = await page({ limit: '5', sort: 'newest' });
    assert.deepEqual(topIds(first), [...seeded.top].reverse().slice(0, 5));
    const second = await page({ limit: '5', sort: 'newest', cursor: first.next! });
    assert.deepEqual(topIds(second), [...seeded.top].reverse().slice(5, 10));
  });

  test('sort=liked orders by likes minus dislikes, then oldest; votes show in likes and dislikes', async () => {
    const [a, b, c] = [seeded.top[4]!, seeded.top[9]!, seeded.top[2]!];
    const vote = async (id: number, voter: string, value: number) => {
      const res = await server.postJson(`/api/comments/${id}/vote`, { value, voter });
      assert.equal(res.status, 200);
    };
    await vote(a, 'voter-aaaaaaaaaaaaaaaa', 1);
    await vote(a, 'voter-bbbbbbbbbbbbbbbb', 1);
    await vote(b, 'voter-aaaaaaaaaaaaaaaa', 1);
    await vote(c, 'voter-aaaaaaaaaaaaaaaa', -1);
    const liked = await page({ limit: '3', sort: 'liked' });
    assert.deepEqual(topIds(liked), [a, b, seeded.top[0]]);
    assert.deepEqual([liked.comments[0]!.likes, liked.comments[0]!.dislikes], [2, 0]);
    let cursor = liked.next;
    const order = topIds(liked);
    while (cursor) {
      const p = await page({ limit: '3', sort: 'liked', cursor });
      order.push(...topIds(p));
      cursor = p.next ?? null;
    }
    assert.equal(order.at(-1), c, 'the disliked comment comes last');
    assert.equal(new Set(order).size, seeded.top.length, 'no comment twice, none missing');
  });

  test('without limit the whole thread, as in v1 (no next); with sort only, the whole thread in that order', async () => {
    const whole = await page({});
    assert.equal(whole.comments.length, 30);
    assert.equal('next' in whole, false);
    const newest = await page({ sort: 'newest' });
    assert.equal(newest.comments.length, 30);
    assert.deepEqual(topIds(newest), [...seeded.top].reverse());
  });

  test('a limit above the maximum is answered with the maximum, not refused', async () => {
    const p = await page({ limit: '100000' });
    assert.equal(topIds(p).length, 20);
    assert.equal(p.next, null);
  });

  test('a malformed cursor, limit or sort is a 400 in the error shape', async () => {
    const bad = async (params: Record<string, string>, field: string) => {
      const error = await assertErrorShape(await server.request(`/api/comments?${q(params)}`), 400, field);
      assert.equal(error.code, 'invalid-body');
    };
    const good = (await page({ limit: '2' })).next!;
    await bad({ limit: '0' }, 'limit');
    await bad({ limit: '-3' }, 'limit');
    await bad({ limit: 'ten' }, 'limit');
    await bad({ limit: '2.5' }, 'limit');
    await bad({ limit: '2', cursor: 'not a cursor!' }, 'cursor');
    await bad({ limit: '2', cursor: Buffer.from('["oldest",1,2,3]').toString('base64url') }, 'cursor');
    await bad({ limit: '2', cursor: Buffer.from('{"id":3}').toString('base64url') }, 'cursor');
    await bad({ limit: '2', cursor: 'AAAA' }, 'cursor');
    await bad({ limit: '2', sort: 'liked', cursor: good }, 'cursor');
    await bad({ cursor: good }, 'limit');
    await bad({ limit: '2', sort: 'random' }, 'sort');
    // The message is translated, the code is not.
    const ru = await assertErrorShape(await server.request(`/api/comments?${q({ limit: 'x', lang: 'ru' })}`), 400, 'limit');
    assert.match(ru.message, /limit должен/);
  });

  test('a page has its own validator: a vote changes it, and a 304 answers an unchanged page', async () => {
    const res = await server.request(`/api/comments?${q({ limit: '4' })}`);
    const etag = res.headers.get('etag')!;
    const whole = (await server.request(`/api/comments?${q({})}`)).headers.get('etag');
    assert.notEqual(etag, whole, 'a page and the whole thread are different representations');
    assert.equal((await server.request(`/api/comments?${q({ limit: '4' })}`, { headers: { 'If-None-Match': etag } })).status, 304);
    const other = await server.request(`/api/comments?${q({ limit: '5' })}`);
    assert.notEqual(other.headers.get('etag'), etag, 'another limit is another page');
    await server.postJson(`/api/comments/${seeded.top[0]}/vote`, { value: 1, voter: 'voter-cccccccccccccccc' });
    const after = await server.request(`/api/comments?${q({ limit: '4' })}`, { headers: { 'If-None-Match': etag } });
    assert.equal(after.status, 200, 'a vote changes the page');
    const body = (await after.json()) as Page;
    assert.ok(body.comments.find((c) => c.id === seeded.top[0])!.likes >= 1);
  });
});
