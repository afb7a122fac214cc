/**
 * Paging, sorting and votes (contract v1.1) as every Store backend must do them; run by
 * sqlite-store.test.ts and postgres-store.test.ts, through the Store interface only.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { Comment, NewComment } from '../../src/domain/comment.js';
import type { PageCursor, ThreadSort } from '../../src/domain/thread-page.js';
import type { Store, VoteRequest } from '../../src/store/repository.js';
import type { StoreFixture } from './repository-contract.js';

const POST = 'https://blog.example/2024/03/paged/';
const T0 = Date.UTC(2024, 2, 9, 14, 5, 7, 123);
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);

function aComment(threadId: number, n: number, overrides: Partial<NewComment> = {}): NewComment {
  return {
    threadId, parent: null, kind: 'comment', status: 'approved', author: `Reader ${n}`, email: '', url: '',
    bodyHtml: `<p>Comment ${n}</p>`, bodyRaw: `Comment ${n}`, source: null, sourceKey: null, title: null, mentionType: null,
    authorPhoto: null, ip: '192.0.2.0', userAgent: 'pages-contract', reasons: [], editTokenHash: null, created: at(n), ...overrides,
  };
}

export function describeThreadPagesContract(name: string, makeStore: () => Promise<StoreFixture>): void {
  describe(`Thread pages and votes: ${name}`, () => {
    let fixture: StoreFixture;
    let store: Store;
    let threadId: number;

    beforeEach(async () => {
      fixture = await makeStore();
      store = fixture.store;
      threadId = (await store.threads.ensure(POST, at(0))).id;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    async function add(n: number, overrides: Partial<NewComment> = {}): Promise<Comment> {
      const result = await store.comments.insert(aComment(threadId, n, overrides));
      assert.equal(result.kind, 'inserted');
      return (result as { comment: Comment }).comment;
    }

    const vote = (commentId: number, voter: string, value: -1 | 0 | 1, extra: Partial<VoteRequest> = {}) =>
      store.votes.cast({ commentId, voter, network: 'net-a', value, perNetwork: 100, now: at(100), ...extra });

    /** Every page of the thread in `sort` order, `limit` top-level items at a time. */
    async function allPages(sort: ThreadSort, limit: number): Promise<number[][]> {
      const pages: number[][] = [];
      let after: PageCursor | null = null;
      do {
        const page = await store.comments.listPage(threadId, { sort, limit, after });
        pages.push(page.items.map((c) => c.id));
        after = page.next;
        assert.ok(pages.length < 50, 'paging must end');
      } while (after);
      return pages;
    }

    test('oldest and newest: top-level items in id order, each followed by all of its replies', async () => {
      const a = await add(1);
      const b = await add(2);
      const a1 = await add(3, { parent: a.id });
      const c = await add(4);
      const a1x = await add(5, { parent: a1.id });
      const b1 = await add(6, { parent: b.id });
      const d = await add(7);
      assert.deepEqual(await allPages('oldest', 2), [[a.id, a1.id, a1x.id, b.id, b1.id], [c.id, d.id]]);
      assert.deepEqual(await allPages('newest', 3), [[d.id, c.id, b.id, b1.id], [a.id, a1.id, a1x.id]]);
      const whole = await store.comments.listPage(threadId, { sort: 'oldest', limit: 10, after: null });
      assert.equal(whole.next, null, 'no next cursor on the last page');
      assert.deepEqual(new Set(whole.items.map((x) => x.id)), new Set((await store.comments.listVisible(threadId)).map((x) => x.id)),
        'the pages show exactly what listVisible shows');
    });

    test('a page is cut after the asked number of top-level items; comments added meanwhile neither repeat nor shift items', async () => {
      const ids: number[] = [];
      for (let n = 1; n <= 5; n++) ids.push((await add(n)).id);
      const first = await store.comments.listPage(threadId, { sort: 'oldest', limit: 2, after: null });
      assert.deepEqual(first.items.map((c) => c.id), ids.slice(0, 2));
      const late = await add(6);
      const second = await store.comments.listPage(threadId, { sort: 'oldest', limit: 2, after: first.next });
      assert.deepEqual(second.items.map((c) => c.id), ids.slice(2, 4));
      const third = await store.comments.listPage(threadId, { sort: 'oldest', limit: 2, after: second.next });
      assert.deepEqual(third.items.map((c) => c.id), [ids[4], late.id]);
      assert.equal(third.next, null);
    });

    test('held, spam and deleted items are left out; a placeholder with replies and a reply to a hidden comment stay', async () => {
      const a = await add(1);
      const held = await add(2, { status: 'pending' });
      const orphan = await add(3, { parent: held.id });
      await add(4, { status: 'spam' });
      const gone = await add(5);
      const placeholder = await add(6);
      const reply = await add(7, { parent: placeholder.id });
      assert.equal(await store.comments.remove(gone.id), 'removed');
      assert.equal(await store.comments.remove(placeholder.id), 'placeholder');
      const page = await store.comments.listPage(threadId, { sort: 'oldest', limit: 10, after: null });
      assert.deepEqual(page.items.map((c) => c.id), [a.id, orphan.id, placeholder.id, reply.id]);
      assert.equal(page.items[2]!.deleted, true);
    });

    test('liked: by likes minus dislikes, ties oldest first, paged by the same order', async () => {
      const [a, b, c, d] = [await add(1), await add(2), await add(3), await add(4)];
      await vote(c.id, 'v1', 1);
      await vote(c.id, 'v2', 1);
      await vote(b.id, 'v1', 1);
      await vote(d.id, 'v1', 1);
      await vote(d.id, 'v2', -1);
      await vote(a.id, 'v1', -1);
      // c: +2, b: +1, d: 0, a: -1
      assert.deepEqual(await allPages('liked', 1), [[c.id], [b.id], [d.id], [a.id]]);
      assert.deepEqual(await allPages('liked', 3), [[c.id, b.id, d.id], [a.id]]);
      const page = await store.comments.listPage(threadId, { sort: 'liked', limit: 1, after: null });
      assert.deepEqual(page.next, { sort: 'liked', keys: [2], id: c.id });
      assert.equal(page.items[0]!.likes, 2);
    });

    test('votes: one per voter and comment, changeable and withdrawable; the counts follow the votes table', async () => {
      const c = await add(1);
      assert.deepEqual(await vote(c.id, 'ann', 1), { kind: 'counted', likes: 1, dislikes: 0, target: POST });
      assert.deepEqual(await vote(c.id, 'ann', 1), { kind: 'counted', likes: 1, dislikes: 0, target: POST }, 'the same vote again counts once');
      assert.deepEqual(await vote(c.id, 'bob', 1), { kind: 'counted', likes: 2, dislikes: 0, target: POST });
      assert.deepEqual(await vote(c.id, 'ann', -1), { kind: 'counted', likes: 1, dislikes: 1, target: POST }, 'a second vote replaces the first');
      assert.deepEqual(await vote(c.id, 'ann', 0), { kind: 'counted', likes: 1, dislikes: 0, target: POST });
      assert.deepEqual(await vote(c.id, 'carl', 0), { kind: 'counted', likes: 1, dislikes: 0, target: POST }, 'withdrawing nothing changes nothing');
      const read = await store.comments.findById(c.id);
      assert.equal(read?.likes, 1);
      assert.equal(read?.dislikes, 0);
    });

    test('votes from many voters at once are all counted', async () => {
      const c = await add(1);
      await Promise.all(Array.from({ length: 20 }, (_, i) => vote(c.id, `voter-${i}`, i % 4 === 0 ? -1 : 1)));
      const read = await store.comments.findById(c.id);
      assert.deepEqual([read?.likes, read?.dislikes], [15, 5]);
    });

    test('a network holds at most perNetwork voters on one comment; voters already counted may still change their vote', async () => {
      const c = await add(1);
      assert.equal((await vote(c.id, 'a', 1, { perNetwork: 2 })).kind, 'counted');
      assert.equal((await vote(c.id, 'b', 1, { perNetwork: 2 })).kind, 'counted');
      assert.deepEqual(await vote(c.id, 'c', 1, { perNetwork: 2 }), { kind: 'network-full' });
      assert.equal((await vote(c.id, 'd', 1, { perNetwork: 2, network: 'net-b' })).kind, 'counted', 'another network is not affected');
      assert.deepEqual(await vote(c.id, 'a', -1, { perNetwork: 2 }), { kind: 'counted', likes: 2, dislikes: 1, target: POST });
      assert.equal((await store.comments.findById(c.id))?.likes, 2);
    });

    test('only approved, shown comments can be voted on', async () => {
      const held = await add(1, { status: 'pending' });
      assert.deepEqual(await vote(held.id, 'a', 1), { kind: 'no-comment' });
      assert.deepEqual(await vote(held.id + 1000, 'a', 1), { kind: 'no-comment' });
      const parent = await add(2);
      await add(3, { parent: parent.id });
      await store.comments.remove(parent.id);
      assert.deepEqual(await vote(parent.id, 'a', 1), { kind: 'no-comment' }, 'a deleted placeholder');
      assert.equal((await store.comments.findById(held.id))?.likes, undefined);
    });
  });
}
