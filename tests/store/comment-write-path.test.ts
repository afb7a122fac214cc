/**
 * The statements a new comment costs (issue 15.3): the thread and the duplicate check in one read, the
 * insert answering with the stored comment without selecting it back (on both databases, with and
 * without an outbox plan), and on SQLite the duplicate check and the trust check reading through the
 * index meant for them, with a LIMIT that does not make SQLite prepare the statement again on every run.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Comment, NewComment } from '../../src/domain/comment.js';
import { openPostgresStore } from '../../src/store/postgres/pg-store.js';
import type { OutboxPlan, Store } from '../../src/store/repository.js';
import { openSqlite, type SqliteDatabase } from '../../src/store/sqlite/open-sqlite.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { postgresUnavailable, startPostgresCluster, type PostgresCluster } from '../helpers/postgres-cluster.js';
import { recordStatements, type StatementLog } from '../helpers/statement-log.js';

const POST = 'https://blog.example/2026/12/write-path/';
const T0 = Date.UTC(2026, 11, 7, 13, 5, 7, 123);

function aComment(threadId: number, overrides: Partial<NewComment> = {}): NewComment {
  return {
    threadId, parent: null, kind: 'comment', status: 'approved', author: 'Ann', email: 'ann@example.org', url: '',
    bodyHtml: '<p>Hello</p>', bodyRaw: 'Hello', source: null, sourceKey: null, title: null, mentionType: null, authorPhoto: null,
    ip: '192.0.2.0', userAgent: 'write-path-test', reasons: [], editTokenHash: null, created: new Date(T0), ...overrides,
  };
}

/** Every shape a new item can have: what the insert answers must be what a later read returns. */
function shapes(threadId: number, parent: number): NewComment[] {
  return [
    aComment(threadId),
    aComment(threadId, { parent, status: 'pending', reasons: ['too-many-links', 'akismet'], lang: 'ru', bodyRaw: 'Привет 👋\n\nвторой', bodyHtml: '<p>Привет 👋</p>\n<p>второй</p>' }),
    aComment(threadId, { status: 'spam', email: '', author: '', url: 'https://ann.example/', editTokenHash: 'ab'.repeat(32), owner: true }),
    aComment(threadId, {
      kind: 'webmention', email: '', source: 'https://alice.example/reply', sourceKey: 'alice.example/reply', title: 'A reply',
      mentionType: 'reply', authorPhoto: 'https://alice.example/me.jpg', url: 'https://alice.example/',
    }),
    aComment(threadId, { kind: 'trackback', email: '', source: 'https://bob.example/p', sourceKey: 'bob.example/p', title: 'Bob', likes: 3, dislikes: 1 }),
  ];
}

/** An outbox plan that writes one row per comment and keeps the comment it was shown. */
function recordingPlan(): OutboxPlan & { seen: Comment[] } {
  const seen: Comment[] = [];
  return {
    seen,
    now: new Date(T0),
    readsSubscribers: () => false,
    rows(comment) {
      seen.push(comment);
      return [{ channel: 'webhook', payload: { id: comment.id } }];
    },
    written: () => undefined,
  };
}

async function insertAll(store: Store, withPlan: boolean): Promise<void> {
  const thread = await store.threads.ensure(`${POST}${withPlan ? 'planned' : 'plain'}`, new Date(T0));
  const first = await store.comments.insert(aComment(thread.id, { bodyRaw: 'parent', bodyHtml: '<p>parent</p>' }));
  assert.equal(first.kind, 'inserted');
  for (const input of shapes(thread.id, first.kind === 'inserted' ? first.comment.id : 0)) {
    const plan = withPlan ? recordingPlan() : undefined;
    const result = await store.comments.insert(input, plan);
    assert.equal(result.kind, 'inserted');
    if (result.kind !== 'inserted') return;
    const read = await store.comments.findById(result.comment.id);
    assert.deepEqual(result.comment, read, `${input.kind} ${input.status}: the insert's answer is what a read returns`);
    if (plan) assert.deepEqual(plan.seen, [read], 'the outbox plan is shown the comment as stored');
  }
}

/** findThreadForComment answers what threads.findByTarget and hasSameBody answer, in one read. */
async function threadForComment(store: Store): Promise<void> {
  const target = `${POST}context`;
  assert.deepEqual(await store.comments.findThreadForComment(target, 'Ann', 'ann@example.org', 'Hi'), { thread: undefined, repeated: false });
  const thread = await store.threads.ensure(target, new Date(T0));
  const ask = (author: string, email: string, body: string) => store.comments.findThreadForComment(target, author, email, body);
  assert.deepEqual(await ask('Ann', 'ann@example.org', 'Hi'), { thread, repeated: false });
  await store.comments.insert(aComment(thread.id, { bodyRaw: 'Hi' }));
  await store.comments.insert(aComment(thread.id, { bodyRaw: 'Nameless', author: 'Bob', email: '' }));
  const trashed = await store.comments.insert(aComment(thread.id, { bodyRaw: 'Gone', status: 'trash' }));
  assert.equal(trashed.kind, 'inserted');
  const cases: Array<[string, string, string, boolean]> = [
    ['Ann', 'ann@example.org', 'Hi', true],
    ['Someone else', 'ann@example.org', 'Hi', true],
    ['Ann', 'other@example.org', 'Hi', false],
    ['Ann', 'ann@example.org', 'Hi!', false],
    ['Bob', '', 'Nameless', true],
    ['Carol', '', 'Nameless', false],
    ['Ann', 'ann@example.org', 'Gone', false],
  ];
  for (const [author, email, body, repeated] of cases) {
    assert.deepEqual(await ask(author, email, body), { thread, repeated }, `${author} <${email}>: ${body}`);
    assert.equal(await store.comments.hasSameBody(thread.id, author, email, body), repeated, 'the same answer as hasSameBody');
  }
  await store.threads.setClosed(thread.id, { comments: true });
  assert.deepEqual((await ask('Ann', 'ann@example.org', 'Hi')).thread, await store.threads.findByTarget(target));
}

describe('the write path of a new comment on SQLite', () => {
  let dir: string;
  let db: SqliteDatabase;
  let store: Store;
  let statements: StatementLog;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'backtalk-write-path-'));
    db = openSqlite(join(dir, 'write-path.db'));
    statements = recordStatements(db);
    store = createSqliteStore(db);
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('insert answers with the comment as a later read returns it, with and without an outbox plan', async () => {
    await insertAll(store, false);
    await insertAll(store, true);
  });

  test('findThreadForComment: the thread and the duplicate check in one statement', async () => {
    await threadForComment(store);
    await statements.during(() => store.comments.findThreadForComment(`${POST}context`, 'Ann', 'ann@example.org', 'Hi'));
    assert.equal(statements.log.length, 1);
  });

  test('an insert is one statement; with an outbox plan the comment is not read back either', async () => {
    const thread = await store.threads.ensure(POST, new Date(T0));
    await statements.during(() => store.comments.insert(aComment(thread.id, { bodyRaw: 'one statement' })));
    assert.equal(statements.log.length, 1, `ran: ${statements.log.join('\n')}`);
    assert.match(statements.log[0]!, /^insert into "comments"/);
    await statements.during(() => store.comments.insert(aComment(thread.id, { bodyRaw: 'with a plan' }), recordingPlan()));
    const readsOfComments = statements.log.filter((s) => /^select/.test(s) && /from "comments"/.test(s));
    assert.deepEqual(readsOfComments, [], 'no comment is selected back inside the transaction');
  });

  test('the duplicate and trust checks read through their index and bind no LIMIT, also after ANALYZE', async () => {
    const thread = await store.threads.ensure('https://blog.example/2026/12/busy/', new Date(T0));
    // The bench's shape: one author (one e-mail) wrote every comment of a busy thread, so an index
    // on e-mail or on (thread, status) would read all of them.
    for (let i = 0; i < 1500; i++) {
      await store.comments.insert(aComment(thread.id, { bodyRaw: `comment ${i}`, bodyHtml: `<p>comment ${i}</p>`, email: 'bench@mail.example' }));
    }
    const checks: Array<[string, () => Promise<boolean>, RegExp]> = [
      ['hasSameBody by e-mail', () => store.comments.hasSameBody(thread.id, 'Ann', 'bench@mail.example', 'comment new'), /comments_same_body/],
      ['hasSameBody by name', () => store.comments.hasSameBody(thread.id, 'Ann', '', 'comment new'), /comments_same_body/],
      ['hasApprovedFrom', () => store.comments.hasApprovedFrom('nobody@mail.example', 'Ann'), /comments_email/],
      ['findThreadForComment by e-mail', async () => (await store.comments.findThreadForComment('https://blog.example/2026/12/busy/', 'Ann', 'bench@mail.example', 'comment new')).repeated, /comments_same_body/],
      ['findThreadForComment by name', async () => (await store.comments.findThreadForComment('https://blog.example/2026/12/busy/', 'Ann', '', 'comment new')).repeated, /comments_same_body/],
    ];
    for (const when of ['fresh', 'after ANALYZE']) {
      if (when === 'after ANALYZE') db.exec('ANALYZE');
      for (const [name, run, index] of checks) {
        await statements.during(run);
        assert.equal(statements.log.length, 1, `${name}: one statement`);
        const sql = statements.log[0]!;
        // SQLite re-prepares a statement with a bound LIMIT each time the value is bound (every run).
        assert.doesNotMatch(sql, /limit \?/i, `${name}: LIMIT is written into the SQL`);
        const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...sqlParams(sql)) as Array<{ detail: string }>).map((r) => r.detail).join('; ');
        assert.match(plan, index, `${name} (${when}): ${plan}`);
        assert.doesNotMatch(plan, /SCAN/, `${name} (${when}): ${plan}`);
      }
    }
  });
});

/** Placeholder values for EXPLAIN: the plan of these statements does not depend on them. */
function sqlParams(sql: string): unknown[] {
  return Array.from(sql.matchAll(/\?/g), () => 'x');
}

const skip = postgresUnavailable();
describe('the write path of a new comment on PostgreSQL', { skip }, () => {
  let cluster: PostgresCluster;
  before(async () => {
    cluster = await startPostgresCluster();
  });
  after(async () => {
    await cluster?.stop();
  });

  test('insert answers with the comment as a later read returns it; findThreadForComment', async () => {
    const store = await openPostgresStore(await cluster.createDatabase('write_path'), { max: 2 });
    try {
      await insertAll(store, false);
      await insertAll(store, true);
      await threadForComment(store);
    } finally {
      await store.close();
      await cluster.dropDatabase('write_path');
    }
  });
});
