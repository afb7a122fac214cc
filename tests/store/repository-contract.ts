/**
 * The behaviour every Store backend must have. Backends run it from their own test file
 * (sqlite-store.test.ts today, a PostgreSQL one later), so this file speaks only through the Store
 * interface: no SQL, no backend types. One fresh, empty store per test.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { COMMENT_STATUSES, type Comment, type LinkbackKind, type NewComment, type Thread } from '../../src/domain/comment.js';
import type { CommentEdit, ExportedComment, Store, TransferComment } from '../../src/store/repository.js';

export interface StoreFixture {
  store: Store;
  /** Closes the store and removes whatever the backend created for this test. */
  cleanup(): Promise<void>;
}

const POST = 'https://blog.example/2024/03/hello/';
const OTHER_POST = 'https://blog.example/2024/03/second/';
const SOURCE = 'https://alice.example/2024/03/reply';

/** Milliseconds on purpose: a backend that rounds to seconds fails the round-trip tests. */
const T0 = Date.UTC(2024, 2, 9, 14, 5, 7, 123);
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);

function aComment(threadId: number, overrides: Partial<NewComment> = {}): NewComment {
  return {
    threadId,
    parent: null,
    kind: 'comment',
    status: 'approved',
    author: 'Ann',
    email: 'ann@example.org',
    url: '',
    bodyHtml: '<p>Hello</p>',
    bodyRaw: 'Hello',
    source: null,
    sourceKey: null,
    title: null,
    mentionType: null,
    authorPhoto: null,
    ip: '192.0.2.0',
    userAgent: 'contract-test',
    reasons: [],
    editTokenHash: null,
    created: at(0),
    ...overrides,
  };
}

function aLinkback(threadId: number, kind: LinkbackKind, sourceKey: string, overrides: Partial<NewComment> = {}): NewComment {
  return aComment(threadId, {
    kind,
    author: 'Alice writes',
    email: '',
    url: sourceKey,
    bodyHtml: '<p>[…] a reply […]</p>',
    bodyRaw: '[…] a reply […]',
    source: sourceKey,
    sourceKey,
    title: 'A reply to Hello',
    ...overrides,
  });
}

/** What insert must hand back for `input`: every field as given, plus the database-assigned ones. */
function stored(input: NewComment, id: number, target: string): Comment {
  const { sourceKey: _key, ...fields } = input;
  return { ...fields, id, target, deleted: false, edited: null };
}

const ids = (comments: readonly Comment[]): number[] => comments.map((c) => c.id);

export function describeStoreContract(name: string, makeStore: () => Promise<StoreFixture>): void {
  describe(`Store contract: ${name}`, () => {
    let fixture: StoreFixture;
    let store: Store;

    beforeEach(async () => {
      fixture = await makeStore();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    const thread = (target = POST): Promise<Thread> => store.threads.ensure(target, at(0));

    async function insertOk(input: NewComment): Promise<Comment> {
      const result = await store.comments.insert(input);
      if (result.kind !== 'inserted') assert.fail(`expected a new row, got ${result.kind} of #${result.existing.id}`);
      return result.comment;
    }

    describe('threads', () => {
      test('ensure creates the thread once, open, with its creation time', async () => {
        const first = await store.threads.ensure(POST, at(0));
        assert.deepEqual(first, { id: first.id, target: POST, title: null, commentsClosed: false, linkbacksClosed: false, created: at(0) });
        const again = await store.threads.ensure(POST, at(60));
        assert.deepEqual(again, first, 'a second ensure returns the existing thread unchanged');
        const other = await store.threads.ensure(OTHER_POST, at(60));
        assert.notEqual(other.id, first.id);
      });

      test('concurrent ensure of one target creates a single thread', async () => {
        const threads = await Promise.all(Array.from({ length: 10 }, (_, i) => store.threads.ensure(POST, at(i))));
        assert.equal(new Set(threads.map((t) => t.id)).size, 1);
        assert.equal((await store.threads.findByTarget(POST))?.id, threads[0]?.id);
      });

      test('findByTarget and findById return the thread, undefined when unknown', async () => {
        const t = await thread();
        assert.deepEqual(await store.threads.findByTarget(POST), t);
        assert.deepEqual(await store.threads.findById(t.id), t);
        assert.equal(await store.threads.findByTarget(OTHER_POST), undefined);
        assert.equal(await store.threads.findById(t.id + 1000), undefined);
      });

      test('setClosed sets each flag on its own and can reopen', async () => {
        const t = await thread();
        const flags = async () => {
          const found = await store.threads.findById(t.id);
          return { comments: found?.commentsClosed, linkbacks: found?.linkbacksClosed };
        };
        await store.threads.setClosed(t.id, { linkbacks: true });
        assert.deepEqual(await flags(), { comments: false, linkbacks: true });
        await store.threads.setClosed(t.id, { comments: true });
        assert.deepEqual(await flags(), { comments: true, linkbacks: true });
        await store.threads.setClosed(t.id, { linkbacks: false });
        assert.deepEqual(await flags(), { comments: true, linkbacks: false });
        await store.threads.setClosed(t.id, {});
        assert.deepEqual(await flags(), { comments: true, linkbacks: false }, 'an empty change changes nothing');
      });

      test('setTitleIfUnknown records the first title and never overwrites it', async () => {
        const t = await thread();
        assert.equal(await store.threads.setTitleIfUnknown(t.id, 'Ёжик в тумане'), true);
        assert.equal((await store.threads.findById(t.id))?.title, 'Ёжик в тумане');
        assert.equal(await store.threads.setTitleIfUnknown(t.id, 'Another title'), false);
        assert.equal((await store.threads.findByTarget(POST))?.title, 'Ёжик в тумане', 'a known title stays');
        assert.equal(await store.threads.setTitleIfUnknown(t.id + 1000, 'x'), false, 'an unknown thread changes nothing');
      });
    });

    describe('comments.insert', () => {
      test('returns the stored comment with every field round-tripped', async () => {
        const t = await thread();
        const parentInput = aComment(t.id, { created: at(1) });
        const parent = await insertOk(parentInput);
        assert.deepEqual(parent, stored(parentInput, parent.id, POST));

        const replyInput = aComment(t.id, {
          parent: parent.id,
          status: 'pending',
          author: 'Zoë «Z» O’Brien',
          email: 'zoe@example.net',
          url: 'https://zoe.example/',
          bodyHtml: '<p>Ünïcode 👍 &amp; <a href="https://x.example/" rel="nofollow ugc">x</a></p>',
          bodyRaw: 'Ünïcode 👍 & <script>alert(1)</script>\n\nsecond paragraph',
          ip: '2001:db8::',
          userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
          reasons: ['akismet', 'too many links: 4'],
          editTokenHash: 'a'.repeat(64),
          created: new Date(T0 + 1),
        });
        const reply = await insertOk(replyInput);
        assert.deepEqual(reply, stored(replyInput, reply.id, POST));
        assert.ok(reply.created instanceof Date);
        assert.equal(reply.created.getTime(), T0 + 1, 'created keeps its milliseconds');
        assert.deepEqual(await store.comments.findById(reply.id), reply);
      });

      test('round-trips the linkback fields', async () => {
        const t = await thread();
        const input = aLinkback(t.id, 'webmention', SOURCE, {
          source: 'https://Alice.example/2024/03/reply#top',
          mentionType: 'reply',
          authorPhoto: 'https://alice.example/me.jpg',
          status: 'spam',
          reasons: ['akismet'],
        });
        const linkback = await insertOk(input);
        assert.deepEqual(linkback, stored(input, linkback.id, POST));
        assert.deepEqual(await store.comments.findById(linkback.id), linkback);
      });

      test('gives every comment its own id; findById is undefined for unknown ids', async () => {
        const t = await thread();
        const a = await insertOk(aComment(t.id));
        const b = await insertOk(aComment(t.id));
        assert.notEqual(a.id, b.id);
        assert.equal(await store.comments.findById(b.id + 1000), undefined);
      });
    });

    describe('linkback uniqueness', () => {
      test('a second linkback from the same source to the same thread is a duplicate of the first', async () => {
        const t = await thread();
        const first = await insertOk(aLinkback(t.id, 'pingback', SOURCE));
        const result = await store.comments.insert(aLinkback(t.id, 'pingback', SOURCE, { created: at(5), title: 'changed' }));
        assert.deepEqual(result, { kind: 'duplicate-linkback', existing: first });
      });

      test('is one linkback whatever the protocol: trackback, then pingback, then webmention', async () => {
        const t = await thread();
        const first = await insertOk(aLinkback(t.id, 'trackback', SOURCE, { source: 'http://alice.example/2024/03/reply' }));
        for (const kind of ['pingback', 'webmention'] as const) {
          const result = await store.comments.insert(aLinkback(t.id, kind, SOURCE));
          assert.deepEqual(result, { kind: 'duplicate-linkback', existing: first }, kind);
        }
      });

      test('20 concurrent inserts of one linkback store exactly one row', async () => {
        const t = await thread();
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.comments.insert(aLinkback(t.id, 'webmention', SOURCE, { created: at(i) }))),
        );
        const inserted = results.flatMap((r) => (r.kind === 'inserted' ? [r.comment] : []));
        assert.equal(inserted.length, 1);
        const winner = inserted[0]!;
        for (const r of results) {
          if (r.kind === 'duplicate-linkback') assert.deepEqual(r.existing, winner);
        }
        const rows = (await store.comments.listByStatus('approved', { limit: 100 })).filter((c) => c.threadId === t.id);
        assert.deepEqual(ids(rows), [winner.id]);
      });

      test('the same source on another thread is a separate linkback', async () => {
        const a = await thread(POST);
        const b = await thread(OTHER_POST);
        const onA = await insertOk(aLinkback(a.id, 'pingback', SOURCE));
        const onB = await insertOk(aLinkback(b.id, 'pingback', SOURCE));
        assert.notEqual(onA.id, onB.id);
        assert.equal(onB.target, OTHER_POST);
      });

      test('comments (no source key) never collide, even when identical', async () => {
        const t = await thread();
        const input = aComment(t.id);
        const results = await Promise.all([store.comments.insert(input), store.comments.insert(input), store.comments.insert(input)]);
        assert.deepEqual(results.map((r) => r.kind), ['inserted', 'inserted', 'inserted']);
      });

      test('findLinkback finds it by thread and source key only', async () => {
        const a = await thread(POST);
        const b = await thread(OTHER_POST);
        const linkback = await insertOk(aLinkback(a.id, 'trackback', SOURCE));
        assert.deepEqual(await store.comments.findLinkback(a.id, SOURCE), linkback);
        assert.equal(await store.comments.findLinkback(b.id, SOURCE), undefined);
        assert.equal(await store.comments.findLinkback(a.id, 'https://alice.example/other'), undefined);
      });
    });

    describe('reading threads', () => {
      test('listVisible: approved only, oldest first, this thread only', async () => {
        const t = await thread();
        const other = await thread(OTHER_POST);
        const first = await insertOk(aComment(t.id, { created: at(1) }));
        await insertOk(aComment(t.id, { status: 'pending', created: at(2) }));
        await insertOk(aComment(t.id, { status: 'spam', created: at(3) }));
        await insertOk(aComment(t.id, { status: 'trash', created: at(4) }));
        const linkback = await insertOk(aLinkback(t.id, 'pingback', SOURCE, { created: at(5) }));
        await insertOk(aComment(other.id, { created: at(6) }));
        const last = await insertOk(aComment(t.id, { created: at(7) }));
        const visible = await store.comments.listVisible(t.id);
        assert.deepEqual(ids(visible), [first.id, linkback.id, last.id]);
        assert.deepEqual(visible[1], linkback);
      });

      test('listVisible shows a deleted placeholder only while it has an approved reply', async () => {
        const t = await thread();
        const parent = await insertOk(aComment(t.id, { created: at(1) }));
        const reply = await insertOk(aComment(t.id, { parent: parent.id, status: 'pending', created: at(2) }));
        assert.equal(await store.comments.remove(parent.id), 'placeholder');
        assert.deepEqual(ids(await store.comments.listVisible(t.id)), [], 'a pending reply does not show the placeholder');

        await store.comments.setStatus(reply.id, 'approved');
        const visible = await store.comments.listVisible(t.id);
        assert.deepEqual(ids(visible), [parent.id, reply.id]);
        assert.equal(visible[0]?.deleted, true);

        assert.equal(await store.comments.remove(reply.id), 'removed');
        assert.deepEqual(ids(await store.comments.listVisible(t.id)), [], 'an orphaned placeholder is hidden');
      });

      test('countVisible counts approved, not deleted, per target; unknown targets are absent', async () => {
        const a = await thread(POST);
        const b = await thread(OTHER_POST);
        await insertOk(aComment(a.id));
        await insertOk(aLinkback(a.id, 'webmention', SOURCE));
        for (const status of ['pending', 'spam', 'trash'] as const) await insertOk(aComment(a.id, { status }));
        const parent = await insertOk(aComment(a.id));
        await insertOk(aComment(a.id, { parent: parent.id }));
        await store.comments.remove(parent.id);
        await insertOk(aComment(b.id, { status: 'pending' }));

        const unknown = 'https://blog.example/never-commented/';
        const counts = await store.comments.countVisible([POST, OTHER_POST, unknown, POST]);
        assert.deepEqual([...counts.entries()].sort(), [
          [POST, 3],
          [OTHER_POST, 0],
        ]);
        assert.equal(counts.has(unknown), false);
        assert.equal((await store.comments.countVisible([])).size, 0);
      });

      test('threadVersions: a tag per thread readers can see, that changes with every public change, and only then', async () => {
        const a = await thread(POST);
        const b = await thread(OTHER_POST);
        const unknown = 'https://blog.example/never-commented/';
        const tagOf = async (target = POST) => (await store.comments.threadVersions([target])).get(target);
        assert.equal((await store.comments.threadVersions([POST, OTHER_POST, unknown])).size, 0, 'threads with nothing shown read like no thread');
        assert.equal((await store.comments.threadVersions([])).size, 0);

        // Issue 14.12: held, spam and trashed comments arriving or changing are not seen through the tag.
        const held = await insertOk(aComment(a.id, { status: 'pending' }));
        await insertOk(aComment(a.id, { status: 'spam' }));
        await store.comments.setStatus(held.id, 'trash');
        await store.comments.setStatus(held.id, 'pending');
        await store.comments.edit(held.id, { author: 'Ann', url: '', bodyRaw: 'held edit', bodyHtml: '<p>held edit</p>', status: 'pending', reasons: [], edited: at(60) });
        assert.equal(await tagOf(), undefined, 'a thread a held comment created reads like no thread');

        const seen = new Set<string>();
        const changed = async (what: string) => {
          const tag = await tagOf();
          assert.ok(tag !== undefined && !seen.has(tag), `the tag did not change after ${what}`);
          seen.add(tag);
        };
        const unchanged = async (what: string) => {
          const tag = await tagOf();
          assert.ok(tag !== undefined && seen.has(tag) && [...seen].at(-1) === tag, `the tag changed after ${what}`);
        };
        await store.comments.setStatus(held.id, 'approved');
        await changed('approving the held comment');
        const both = await store.comments.threadVersions([POST, OTHER_POST, unknown]);
        assert.deepEqual([...both.keys()], [POST]);
        assert.equal(both.get(POST), await tagOf(POST), 'one target or many: the same tag');

        const another = await insertOk(aComment(a.id, { status: 'pending' }));
        await unchanged('a held insert');
        await store.comments.setStatus(another.id, 'spam');
        await unchanged('held → spam');
        await store.comments.edit(another.id, { author: 'Ann', url: '', bodyRaw: 'spam edit', bodyHtml: '<p>spam edit</p>', status: 'spam', reasons: [], edited: at(90) });
        await unchanged('editing a spam comment');
        await store.comments.remove(another.id);
        await unchanged('removing a spam comment');

        const c = await insertOk(aComment(a.id));
        await changed('an approved insert');
        await insertOk(aComment(b.id));
        assert.ok(seen.has((await tagOf(POST))!), 'another thread\'s insert left it alone');
        assert.notEqual(await tagOf(OTHER_POST), undefined, 'the other thread is shown now');
        await store.comments.setStatus(c.id, 'spam');
        await changed('approved → spam');
        await store.comments.edit(c.id, { author: 'Ann', url: '', bodyRaw: 'new', bodyHtml: '<p>new</p>', status: 'approved', reasons: [], edited: at(120) });
        await changed('an edit into approved');
        await store.comments.edit(c.id, { author: 'Ann', url: '', bodyRaw: 'newer', bodyHtml: '<p>newer</p>', status: 'approved', reasons: [], edited: at(150) });
        await changed('an edit of an approved comment');
        await insertOk(aComment(a.id, { parent: c.id }));
        await changed('a reply');
        await store.comments.remove(c.id);
        await changed('remove (placeholder)');
        await store.threads.setClosed(a.id, { comments: true });
        await changed('setClosed');
      });

      test('listByStatus: newest first across threads, paged with limit and a `before` id cursor', async () => {
        const a = await thread(POST);
        const b = await thread(OTHER_POST);
        const pending: Comment[] = [];
        for (let i = 0; i < 5; i++) {
          pending.push(await insertOk(aComment(i % 2 === 0 ? a.id : b.id, { status: 'pending', created: at(i) })));
          await insertOk(aComment(a.id, { status: 'approved', created: at(i) }));
        }
        const newestFirst = ids(pending).reverse();
        const page1 = await store.comments.listByStatus('pending', { limit: 2 });
        assert.deepEqual(ids(page1), newestFirst.slice(0, 2));
        const page2 = await store.comments.listByStatus('pending', { limit: 2, before: page1[1]!.id });
        assert.deepEqual(ids(page2), newestFirst.slice(2, 4));
        const page3 = await store.comments.listByStatus('pending', { limit: 2, before: page2[1]!.id });
        assert.deepEqual(ids(page3), newestFirst.slice(4));
        assert.deepEqual(await store.comments.listByStatus('pending', { limit: 2, before: page3[0]!.id }), []);
        assert.deepEqual(await store.comments.listByStatus('pending', { limit: 10 }), [...pending].reverse());
        assert.deepEqual(await store.comments.listByStatus('spam', { limit: 10 }), []);
      });
    });

    describe('checks used by the pipeline', () => {
      test('hasSameBody: same e-mail, same thread, same body; trashed ones do not count', async () => {
        const t = await thread();
        const other = await thread(OTHER_POST);
        const c = await insertOk(aComment(t.id, { bodyRaw: 'Great post!' }));
        assert.equal(await store.comments.hasSameBody(t.id, 'Ann', 'ann@example.org', 'Great post!'), true);
        assert.equal(await store.comments.hasSameBody(t.id, 'Someone else', 'ann@example.org', 'Great post!'), true);
        assert.equal(await store.comments.hasSameBody(t.id, 'Ann', 'ann@example.org', 'Great post!!'), false);
        assert.equal(await store.comments.hasSameBody(t.id, 'Ann', 'other@example.org', 'Great post!'), false);
        assert.equal(await store.comments.hasSameBody(other.id, 'Ann', 'ann@example.org', 'Great post!'), false);
        await store.comments.setStatus(c.id, 'trash');
        assert.equal(await store.comments.hasSameBody(t.id, 'Ann', 'ann@example.org', 'Great post!'), false);
      });

      test('hasSameBody: by author name when there is no e-mail', async () => {
        const t = await thread();
        await insertOk(aComment(t.id, { author: 'Bob', email: '', bodyRaw: 'First!' }));
        assert.equal(await store.comments.hasSameBody(t.id, 'Bob', '', 'First!'), true);
        assert.equal(await store.comments.hasSameBody(t.id, 'Carol', '', 'First!'), false);
      });

      test('hasApprovedFrom: name and e-mail of an approved comment, approved only', async () => {
        const t = await thread();
        const c = await insertOk(aComment(t.id, { status: 'pending' }));
        assert.equal(await store.comments.hasApprovedFrom('ann@example.org', 'Ann'), false);
        await store.comments.setStatus(c.id, 'approved');
        assert.equal(await store.comments.hasApprovedFrom('ann@example.org', 'Ann'), true);
        assert.equal(await store.comments.hasApprovedFrom('other@example.org', 'Ann'), false);
        assert.equal(await store.comments.hasApprovedFrom('', 'Ann'), false, 'a name is not matched against comments that had an e-mail');
        await store.comments.remove(c.id);
        assert.equal(await store.comments.hasApprovedFrom('ann@example.org', 'Ann'), false, 'a removed comment vouches for nobody');
      });

      test('hasApprovedFrom: WordPress\'s rule — a public name or someone else\'s e-mail alone is not trusted (issue 14.2)', async () => {
        const t = await thread();
        await insertOk(aComment(t.id, { author: 'Ann', email: 'ann@example.org' }));
        await insertOk(aComment(t.id, { author: 'Bob', email: '' }));
        await insertOk(aComment(t.id, { author: '', email: '' }));
        assert.equal(await store.comments.hasApprovedFrom('mallory@example.org', 'Ann'), false, 'the name of an approved commenter under another e-mail');
        assert.equal(await store.comments.hasApprovedFrom('ann@example.org', 'Mallory'), false, 'an approved commenter\'s e-mail under another name');
        assert.equal(await store.comments.hasApprovedFrom('', 'Bob'), false, 'no e-mail: never trusted on the name alone');
        assert.equal(await store.comments.hasApprovedFrom('bob@example.org', 'Bob'), false, 'Bob never gave this e-mail');
        assert.equal(await store.comments.hasApprovedFrom('', ''), false, 'one approved anonymous comment does not vouch for all');
        assert.equal(await store.comments.hasApprovedFrom('ann@example.org', 'Ann'), true, 'both match: trusted');
      });
    });

    describe('changing comments', () => {
      test('edit replaces the editable fields, sets edited, and keeps the rest', async () => {
        const t = await thread();
        const before = await insertOk(aComment(t.id, { editTokenHash: 'b'.repeat(64), reasons: ['held'] }));
        const change: CommentEdit = {
          author: 'Ann B.',
          url: 'https://ann.example/',
          bodyRaw: 'Hello, corrected',
          bodyHtml: '<p>Hello, corrected</p>',
          status: 'pending',
          reasons: ['edited-links'],
          edited: new Date(T0 + 90_001),
        };
        const after = await store.comments.edit(before.id, change);
        assert.deepEqual(after, { ...before, ...change });
        assert.deepEqual(await store.comments.findById(before.id), after);
        assert.equal(await store.comments.edit(before.id + 1000, change), undefined);
      });

      test('setStatus changes the status only; undefined for an unknown id', async () => {
        const t = await thread();
        const before = await insertOk(aComment(t.id, { status: 'pending' }));
        const after = await store.comments.setStatus(before.id, 'spam');
        assert.deepEqual(after, { ...before, status: 'spam' });
        assert.deepEqual(await store.comments.findById(before.id), after);
        assert.equal(await store.comments.setStatus(before.id + 1000, 'approved'), undefined);
      });

      test('remove deletes a comment without replies', async () => {
        const t = await thread();
        const c = await insertOk(aComment(t.id));
        assert.equal(await store.comments.remove(c.id), 'removed');
        assert.equal(await store.comments.findById(c.id), undefined);
        assert.deepEqual(await store.comments.listByStatus('approved', { limit: 10 }), []);
        assert.equal(await store.comments.remove(c.id), 'missing');
      });

      test('remove keeps a comment with replies as a blanked placeholder', async () => {
        const t = await thread();
        const parent = await insertOk(
          aComment(t.id, { url: 'https://ann.example/', authorPhoto: 'https://ann.example/me.jpg', editTokenHash: 'c'.repeat(64) }),
        );
        const reply = await insertOk(aComment(t.id, { parent: parent.id, author: 'Bob', email: 'bob@example.org' }));
        assert.equal(await store.comments.remove(parent.id), 'placeholder');
        const placeholder = await store.comments.findById(parent.id);
        assert.ok(placeholder);
        assert.equal(placeholder.deleted, true);
        assert.deepEqual(
          {
            author: placeholder.author,
            email: placeholder.email,
            url: placeholder.url,
            bodyHtml: placeholder.bodyHtml,
            bodyRaw: placeholder.bodyRaw,
            authorPhoto: placeholder.authorPhoto,
            editTokenHash: placeholder.editTokenHash,
          },
          { author: '', email: '', url: '', bodyHtml: '', bodyRaw: '', authorPhoto: null, editTokenHash: null },
        );
        assert.deepEqual(await store.comments.findById(reply.id), reply, 'the reply keeps its place and content');
      });

      test('remove answers missing for an unknown id', async () => {
        assert.equal(await store.comments.remove(424242), 'missing');
      });
    });

    describe('moderation queries', () => {
      test('countByStatus: every status present, the same rows listByStatus lists', async () => {
        assert.deepEqual(await store.comments.countByStatus(), { pending: 0, approved: 0, spam: 0, trash: 0 });
        const a = await thread(POST);
        const b = await thread(OTHER_POST);
        for (const [status, n] of [['pending', 3], ['approved', 2], ['spam', 1]] as const) {
          for (let i = 0; i < n; i++) await insertOk(aComment(i % 2 === 0 ? a.id : b.id, { status }));
        }
        const counts = await store.comments.countByStatus();
        assert.deepEqual(counts, { pending: 3, approved: 2, spam: 1, trash: 0 });
        for (const status of ['pending', 'approved', 'spam', 'trash'] as const) {
          assert.equal((await store.comments.listByStatus(status, { limit: 100 })).length, counts[status], status);
        }
      });

      test('search finds a substring in each field on its own, and in any field without one', async () => {
        const t = await thread();
        const body = await insertOk(aComment(t.id, { bodyRaw: 'Cheap Watches here', bodyHtml: '<p>Cheap Watches here</p>', author: 'Bob', email: 'bob@mail.test', ip: '198.51.100.0' }));
        const author = await insertOk(aComment(t.id, { author: 'Watchful Wendy', email: 'wendy@mail.test', ip: '203.0.113.0' }));
        const email = await insertOk(aComment(t.id, { author: 'Carl', email: 'watches@spam.test', ip: '203.0.113.0' }));
        const link = await insertOk(aLinkback(t.id, 'pingback', 'https://watch-blog.example/post', { title: 'On clocks', ip: '192.0.2.0' }));
        const ip = await insertOk(aComment(t.id, { author: 'Dora', email: 'dora@mail.test', ip: '2001:db8:5::' }));
        const search = async (q: string, field?: Parameters<Store['comments']['search']>[0]['field']) =>
          ids(await store.comments.search({ q, field }, { limit: 50 }));

        assert.deepEqual(await search('cheap watch', 'text'), [body.id], 'case-insensitive, in the body');
        assert.deepEqual(await search('On clocks', 'text'), [link.id], 'a linkback title counts as text');
        assert.deepEqual(await search('watchful', 'author'), [author.id]);
        assert.deepEqual(await search('watches@', 'email'), [email.id]);
        assert.deepEqual(await search('2001:db8:5', 'ip'), [ip.id]);
        assert.deepEqual(await search('203.0.113', 'ip'), [email.id, author.id], 'newest first');
        assert.deepEqual(await search('watch-blog.example', 'source'), [link.id]);
        assert.deepEqual(await search('watch'), [link.id, email.id, author.id, body.id], 'any field');
        assert.deepEqual(await search('watch', 'ip'), []);
      });

      test('search takes % and _ literally, ignores case in any script, filters by status, and pages like listByStatus', async () => {
        const t = await thread();
        const percent = await insertOk(aComment(t.id, { bodyRaw: '100% sure', status: 'pending' }));
        await insertOk(aComment(t.id, { bodyRaw: '100 sure', status: 'pending' }));
        const under = await insertOk(aComment(t.id, { bodyRaw: 'snake_case', status: 'spam' }));
        await insertOk(aComment(t.id, { bodyRaw: 'snakeXcase', status: 'spam' }));
        assert.deepEqual(ids(await store.comments.search({ q: '0%' }, { limit: 10 })), [percent.id]);
        assert.deepEqual(ids(await store.comments.search({ q: 'e_c' }, { limit: 10 })), [under.id]);
        const cyrillic = await insertOk(aComment(t.id, { bodyRaw: 'Спасибо за ОТВЕТ', author: 'Ёжик' }));
        assert.deepEqual(ids(await store.comments.search({ q: 'ответ' }, { limit: 10 })), [cyrillic.id], 'case is ignored beyond ASCII');
        assert.deepEqual(ids(await store.comments.search({ q: 'ёЖИК', field: 'author' }, { limit: 10 })), [cyrillic.id]);

        const many: Comment[] = [];
        for (let i = 0; i < 5; i++) many.push(await insertOk(aComment(t.id, { bodyRaw: `needle ${i}`, status: i % 2 === 0 ? 'spam' : 'pending' })));
        const spam = ids(many.filter((c) => c.status === 'spam')).reverse();
        assert.deepEqual(ids(await store.comments.search({ q: 'needle', status: 'spam' }, { limit: 10 })), spam);
        const page1 = await store.comments.search({ q: 'needle' }, { limit: 2 });
        const page2 = await store.comments.search({ q: 'needle' }, { limit: 2, before: page1[1]!.id });
        assert.deepEqual([...ids(page1), ...ids(page2)], ids(many).reverse().slice(0, 4));
      });

      test('threads.list: newest first with per-status counts, filtered by target, paged', async () => {
        const a = await thread(POST);
        const b = await thread(OTHER_POST);
        await insertOk(aComment(a.id, { status: 'pending' }));
        await insertOk(aComment(a.id, { status: 'approved' }));
        await insertOk(aComment(a.id, { status: 'approved' }));
        await insertOk(aComment(b.id, { status: 'spam' }));
        await store.threads.setClosed(b.id, { comments: true });

        const all = await store.threads.list({ limit: 10 });
        assert.deepEqual(all.map((t) => t.id), [b.id, a.id]);
        assert.deepEqual(all[0], { ...(await store.threads.findById(b.id))!, counts: { pending: 0, approved: 0, spam: 1, trash: 0 } });
        assert.deepEqual(all[1]?.counts, { pending: 1, approved: 2, spam: 0, trash: 0 });
        assert.deepEqual((await store.threads.list({ limit: 10, q: 'hello' })).map((t) => t.id), [a.id]);
        assert.deepEqual((await store.threads.list({ limit: 1 })).map((t) => t.id), [b.id]);
        assert.deepEqual((await store.threads.list({ limit: 10, before: b.id })).map((t) => t.id), [a.id]);
      });
    });

    describe('outbox', () => {
      const mail = { to: 'owner@example.org', subject: 'Hi', text: 'ünïcode ✓' };

      test('enqueue keeps the payload as JSON and starts pending, due at once', async () => {
        const item = await store.outbox.enqueue({ channel: 'mail', payload: mail, now: at(0) });
        assert.equal(item.status, 'pending');
        assert.equal(item.attempts, 0);
        assert.equal(item.channel, 'mail');
        assert.deepEqual(item.payload, mail);
        assert.equal(item.created.getTime(), at(0).getTime());
        assert.equal(await store.outbox.countDue(at(0)), 1);
        assert.deepEqual((await store.outbox.findById(item.id))?.payload, mail);
      });

      test('claims are leases: a claimed item is not claimed again until its lease runs out', async () => {
        const a = await store.outbox.enqueue({ channel: 'mail', payload: mail, now: at(0) });
        const b = await store.outbox.enqueue({ channel: 'webhook', payload: { event: 'x' }, now: at(1) });
        const first = await store.outbox.claimDue(at(2), 10, 60_000);
        assert.deepEqual(first.map((i) => i.id), [a.id, b.id]);
        assert.deepEqual(first.map((i) => i.attempts), [1, 1]);
        assert.deepEqual(await store.outbox.claimDue(at(30), 10, 60_000), [], 'still leased');
        const again = await store.outbox.claimDue(at(63), 1, 60_000);
        assert.deepEqual(again.map((i) => [i.id, i.attempts]), [[a.id, 2]], 'lease ran out; limit respected');
      });

      test('retryLater waits; markSent and markFailed end it', async () => {
        const a = await store.outbox.enqueue({ channel: 'mail', payload: mail, now: at(0) });
        const b = await store.outbox.enqueue({ channel: 'mail', payload: mail, now: at(0) });
        await store.outbox.claimDue(at(0), 10, 60_000);
        await store.outbox.retryLater(a.id, { error: 'ECONNREFUSED', nextAttemptAt: at(30) });
        await store.outbox.markFailed(b.id, 'gave up');
        assert.equal(await store.outbox.countDue(at(29)), 0);
        assert.equal(await store.outbox.countDue(at(30)), 1);
        assert.deepEqual(await store.outbox.claimDue(at(29), 10, 60_000), [], 'not due before its time, even though unleased');
        const [again] = await store.outbox.claimDue(at(30), 10, 60_000);
        assert.equal(again?.id, a.id);
        assert.equal(again?.lastError, 'ECONNREFUSED');
        await store.outbox.markSent(a.id, at(31));
        const sent = await store.outbox.findById(a.id);
        assert.equal(sent?.status, 'sent');
        assert.equal(sent?.sent?.getTime(), at(31).getTime());
        assert.equal(await store.outbox.countDue(at(999)), 0);
        assert.deepEqual((await store.outbox.listByStatus('failed', 10)).map((i) => [i.id, i.lastError]), [[b.id, 'gave up']]);
        assert.deepEqual((await store.outbox.listByStatus('sent', 10)).map((i) => i.id), [a.id]);
      });
    });

    describe('subscriptions and used tokens', () => {
      test('request creates an unconfirmed row, renews it while unconfirmed, and never un-confirms', async () => {
        const t = await thread();
        const first = await store.subscriptions.request('ann@example.org', t.id, 'hash-1', at(0));
        assert.equal(first.renewed, true);
        assert.equal(first.subscription.confirmed, false);
        assert.equal(first.subscription.tokenHash, 'hash-1');
        const renewed = await store.subscriptions.request('ann@example.org', t.id, 'hash-2', at(5));
        assert.equal(renewed.subscription.id, first.subscription.id);
        assert.equal(renewed.subscription.tokenHash, 'hash-2');
        assert.deepEqual(await store.subscriptions.listConfirmed(t.id), []);

        assert.equal(await store.subscriptions.confirm(first.subscription.id), true);
        const again = await store.subscriptions.request('ann@example.org', t.id, 'hash-3', at(9));
        assert.equal(again.renewed, false);
        assert.equal(again.subscription.confirmed, true);
        assert.equal(again.subscription.tokenHash, 'hash-2');
        assert.deepEqual((await store.subscriptions.listConfirmed(t.id)).map((s) => s.email), ['ann@example.org']);
        assert.equal((await store.subscriptions.findByEmail('ann@example.org', t.id))?.id, first.subscription.id);
      });

      test('subscriptions are per thread; remove deletes one', async () => {
        const a = await thread();
        const b = await thread(OTHER_POST);
        const sa = (await store.subscriptions.request('x@example.org', a.id, 'h', at(0))).subscription;
        const sb = (await store.subscriptions.request('x@example.org', b.id, 'h', at(0))).subscription;
        assert.notEqual(sa.id, sb.id);
        await store.subscriptions.confirm(sa.id);
        await store.subscriptions.confirm(sb.id);
        assert.equal(await store.subscriptions.remove(sa.id), true);
        assert.equal(await store.subscriptions.remove(sa.id), false);
        assert.equal(await store.subscriptions.findById(sa.id), undefined);
        assert.deepEqual((await store.subscriptions.listConfirmed(b.id)).map((s) => s.id), [sb.id]);
      });

      test('a nonce is usable once, for at least as long as a link can live (7 days)', async () => {
        assert.equal(await store.usedTokens.use('nonce-1', at(0)), true);
        assert.equal(await store.usedTokens.use('nonce-1', at(1)), false);
        assert.equal(await store.usedTokens.use('nonce-2', at(1)), true);
        const week = 7 * 24 * 3600;
        for (let i = 0; i < 150; i++) await store.usedTokens.use(`filler-${i}`, at(week));
        assert.equal(await store.usedTokens.use('nonce-1', at(week)), false, 'still remembered a week later');
      });
    });

    describe('transfer (import, export, personal data, purge)', () => {
      const moved = (key: string, overrides: Partial<TransferComment> = {}): TransferComment => {
        const { threadId: _t, parent: _p, ...rest } = aComment(0);
        return { ...rest, key, parentKey: null, target: POST, deleted: false, edited: null, ...overrides };
      };
      const everything = async (order?: 'id' | 'thread') => {
        const out: ExportedComment[] = [];
        for await (const c of store.transfer.exportComments('inst', order)) out.push(c);
        return out;
      };

      test('an import links replies to parents that come later, by key, and creates threads with their flags', async () => {
        const session = await store.transfer.beginImport();
        await session.importBatch({
          threads: [{ target: POST, title: 'Hello', commentsClosed: true, linkbacksClosed: false, created: at(-60) }],
          comments: [moved('x:2', { parentKey: 'x:1', created: at(2) })],
        });
        await session.importBatch({ threads: [], comments: [moved('x:1', { created: at(1) }), moved('x:3', { target: OTHER_POST, parentKey: 'x:missing' })] });
        assert.deepEqual(await session.commit(), { threads: 2, comments: 3, skipped: 0 });
        const [reply, parent, orphan] = await everything();
        assert.equal(reply!.parent, parent!.id);
        assert.equal(reply!.parentKey, 'x:1');
        assert.equal(orphan!.parent, null, 'a parent missing from the file leaves the reply top-level');
        assert.deepEqual(await store.threads.findByTarget(POST), { id: reply!.threadId, target: POST, title: 'Hello', commentsClosed: true, linkbacksClosed: false, created: at(-60) });
        assert.equal((await store.threads.findByTarget(OTHER_POST))?.created.getTime(), at(0).getTime(), 'a thread named only by a comment is created at its time');
      });

      test('keys already imported are skipped; an existing thread keeps its flags and gains a missing title', async () => {
        const existing = await thread();
        await store.threads.setClosed(existing.id, { linkbacks: true });
        const first = await store.transfer.beginImport();
        await first.importBatch({ threads: [], comments: [moved('k:1'), moved('k:2', { parentKey: 'k:1' })] });
        await first.commit();
        const second = await store.transfer.beginImport();
        const counts = await second.importBatch({
          threads: [{ target: POST, title: 'Now titled', commentsClosed: true, linkbacksClosed: false, created: at(99) }],
          comments: [moved('k:1', { bodyRaw: 'changed' }), moved('k:2'), moved('k:3')],
        });
        assert.deepEqual(counts, { threads: 0, comments: 1, skipped: 2 });
        await second.commit();
        const all = await everything();
        assert.deepEqual(all.map((c) => c.key), ['k:1', 'k:2', 'k:3']);
        assert.equal(all[0]!.bodyRaw, 'Hello', 'the first import wins');
        assert.equal(all[1]!.parent, all[0]!.id, 'a skipped reply keeps its parent');
        assert.deepEqual(await store.threads.findById(existing.id), { ...existing, title: 'Now titled', linkbacksClosed: true });
      });

      test('rollback leaves no thread and no comment behind', async () => {
        const session = await store.transfer.beginImport();
        await session.importBatch({
          threads: [{ target: POST, title: null, commentsClosed: false, linkbacksClosed: false, created: at(0) }],
          comments: [moved('r:1'), moved('r:2', { target: OTHER_POST })],
        });
        await session.rollback();
        assert.deepEqual(await store.transfer.counts(), { threads: 0, comments: 0 });
        assert.equal(await store.threads.findByTarget(POST), undefined);
        await thread(); // the store is usable again afterwards
      });

      test('export: every status, every column, in pages; comments without a key get json:<instance>#<id>', async () => {
        const t = await thread();
        const other = await thread(OTHER_POST);
        const made: Comment[] = [];
        for (let i = 0; i < 1203; i++) {
          made.push(await insertOk(aComment(i % 2 ? other.id : t.id, { status: COMMENT_STATUSES[i % 4]!, parent: i === 5 ? made[0]!.id : null, created: at(i) })));
        }
        const byId = await everything();
        assert.deepEqual(byId.map((c) => c.id), ids(made));
        assert.deepEqual(byId.map((c) => c.status), made.map((c) => c.status));
        assert.equal(byId[0]!.key, `json:inst#${made[0]!.id}`);
        assert.equal(byId[5]!.parentKey, `json:inst#${made[0]!.id}`);
        const { key: _k, parentKey: _pk, sourceKey, ...asComment } = byId[5]!;
        assert.deepEqual(asComment, made[5]);
        assert.equal(sourceKey, null);
        const byThread = await everything('thread');
        assert.deepEqual(byThread.map((c) => c.threadId), [...made.filter((c) => c.threadId === t.id), ...made.filter((c) => c.threadId === other.id)].map((c) => c.threadId));
        const threads = [];
        for await (const th of store.transfer.exportThreads()) threads.push(th.target);
        assert.deepEqual(threads, [POST, OTHER_POST]);
        assert.deepEqual(await store.transfer.counts(), { threads: 2, comments: 1203 });
      });

      test('personal data: found case-insensitively; anonymize rewrites, remove deletes or keeps placeholders', async () => {
        const t = await thread();
        const mine = await insertOk(aComment(t.id, { email: 'me@example.org' }));
        const myReply = await insertOk(aComment(t.id, { email: 'ME@example.org', parent: mine.id }));
        const theirs = await insertOk(aComment(t.id, { email: 'them@example.org', parent: mine.id }));
        const data = await store.transfer.personalData('Me@Example.org');
        assert.deepEqual(ids(data.comments), [mine.id, myReply.id]);

        const anonymized = await store.transfer.erasePersonalData('me@example.org', 'anonymize');
        assert.equal(anonymized.comments, 2);
        const anon = await store.comments.findById(myReply.id);
        assert.deepEqual([anon?.author, anon?.email, anon?.url, anon?.ip, anon?.bodyRaw], ['Anonymous', '', '', '', 'Hello']);

        const other = await insertOk(aComment(t.id, { email: 'x@example.org' }));
        const otherReply = await insertOk(aComment(t.id, { email: 'x@example.org', parent: other.id }));
        assert.deepEqual(await store.transfer.erasePersonalData('x@example.org', 'remove'), { comments: 2, placeholders: 0, subscriptions: 0 },
          'a comment whose only replies are also removed goes entirely');
        assert.equal(await store.comments.findById(otherReply.id), undefined);
        assert.deepEqual(await store.transfer.erasePersonalData('them@example.org', 'remove'), { comments: 1, placeholders: 0, subscriptions: 0 });
        assert.equal(await store.comments.findById(theirs.id), undefined);
      });

      test('purge deletes the given statuses created before the date, nothing else', async () => {
        const t = await thread();
        const oldSpam = await insertOk(aComment(t.id, { status: 'spam', created: at(0) }));
        const oldTrash = await insertOk(aComment(t.id, { status: 'trash', created: at(0) }));
        const oldApproved = await insertOk(aComment(t.id, { status: 'approved', created: at(0) }));
        const newSpam = await insertOk(aComment(t.id, { status: 'spam', created: at(100) }));
        assert.equal(await store.transfer.purge(['spam', 'trash'], at(50)), 2);
        assert.equal(await store.comments.findById(oldSpam.id), undefined);
        assert.equal(await store.comments.findById(oldTrash.id), undefined);
        assert.ok(await store.comments.findById(oldApproved.id));
        assert.ok(await store.comments.findById(newSpam.id));
      });
    });

    describe('settings and health', () => {
      test('get is undefined until set; set overwrites; keys are independent', async () => {
        assert.equal(await store.settings.get('admin-token-hash'), undefined);
        await store.settings.set('admin-token-hash', 'one');
        await store.settings.set('other', '');
        assert.equal(await store.settings.get('admin-token-hash'), 'one');
        await store.settings.set('admin-token-hash', 'two');
        assert.equal(await store.settings.get('admin-token-hash'), 'two');
        assert.equal(await store.settings.get('other'), '');
      });

      test('ping answers true', async () => {
        assert.equal(await store.ping(), true);
      });
    });
  });
}
