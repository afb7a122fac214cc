/**
 * Queries with a LIMIT write it into their SQL (src/store/sql/literal-limit.ts): SQLite prepares a
 * statement with a bound LIMIT again every time it runs. Checked on a real SQLite file for the
 * queries that run over and over: a thread's page (every new version of a read thread), the outbox
 * and Webmention queue claims (every poll of their workers), the Webmention queue's look for a
 * waiting job, and the export's pages. Each must also still limit: the page and the claims are
 * asked for fewer rows than there are.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { NewComment } from '../../src/domain/comment.js';
import { literalLimit } from '../../src/store/sql/literal-limit.js';
import type { Store } from '../../src/store/repository.js';
import { openSqlite, type SqliteDatabase } from '../../src/store/sqlite/open-sqlite.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { recordStatements, type StatementLog } from '../helpers/statement-log.js';

const POST = 'https://blog.example/2026/12/limits/';
const NOW = new Date(Date.UTC(2026, 11, 7, 20, 0, 0));

function aComment(threadId: number, i: number): NewComment {
  return {
    threadId, parent: null, kind: 'comment', status: 'approved', author: 'Ann', email: 'ann@example.org', url: '',
    bodyHtml: `<p>Comment ${i}</p>`, bodyRaw: `Comment ${i}`, source: null, sourceKey: null, title: null, mentionType: null,
    authorPhoto: null, ip: '192.0.2.0', userAgent: 'limits-test', reasons: [], editTokenHash: null, created: NOW,
  };
}

let dir: string;
let db: SqliteDatabase;
let store: Store;
let statements: StatementLog;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'backtalk-limits-'));
  db = openSqlite(join(dir, 'limits.db'));
  statements = recordStatements(db);
  store = createSqliteStore(db);
  const thread = await store.threads.ensure(POST, NOW);
  for (let i = 0; i < 12; i++) await store.comments.insert(aComment(thread.id, i));
  for (let i = 0; i < 6; i++) await store.outbox.enqueue({ channel: 'webhook', payload: { n: i }, now: NOW });
  for (let i = 0; i < 6; i++) {
    await store.webmentions.enqueue({ token: `t${i}`, source: `https://alice.example/${i}`, target: POST, clientIp: '192.0.2.7', userAgent: 'test', now: NOW });
  }
});

after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `work` and answers the statements with a LIMIT it ran; none may bind it. */
async function limitedStatements(name: string, work: () => Promise<unknown>): Promise<string[]> {
  await statements.during(work);
  const limited = statements.log.filter((s) => /\blimit\b/i.test(s));
  assert.ok(limited.length > 0, `${name}: ran a statement with a LIMIT`);
  for (const s of limited) assert.doesNotMatch(s, /limit \?/i, `${name}: LIMIT is written into the SQL: ${s}`);
  return limited;
}

test("a thread's pages write their LIMIT into the SQL, and still stop at it", async () => {
  const thread = await store.threads.findByTarget(POST);
  let page: Awaited<ReturnType<Store['comments']['listPage']>> | undefined;
  const limited = await limitedStatements('listPage', async () => {
    page = await store.comments.listPage(thread!.id, { sort: 'oldest', limit: 5, after: null });
  });
  assert.match(limited.join('\n'), /limit 6\b/i, 'one more than asked, to know whether a next page exists');
  assert.equal(page!.items.length, 5);
  assert.ok(page!.next, 'a next page');
});

test('queue claims and the waiting-job look write their LIMIT into the SQL, and still stop at it', async () => {
  let claimed = 0;
  await limitedStatements('outbox.claimDue', async () => {
    claimed = (await store.outbox.claimDue(NOW, 4, 60_000)).length;
  });
  assert.equal(claimed, 4);
  await limitedStatements('webmentions.claimDue', async () => {
    claimed = (await store.webmentions.claimDue(NOW, 2, 60_000)).length;
  });
  assert.equal(claimed, 2);
  await limitedStatements('webmentions.enqueue (a job already waiting)', async () => {
    await store.webmentions.enqueue({ token: 'again', source: 'https://alice.example/5', target: POST, clientIp: '192.0.2.7', userAgent: 'test', now: NOW });
  });
});

test("the export's pages write their LIMIT into the SQL", async () => {
  await limitedStatements('exportComments', async () => {
    let n = 0;
    for await (const _ of store.transfer.exportComments('test')) n += 1;
    assert.equal(n, 12);
  });
});

test('only a whole number can become a LIMIT', () => {
  assert.throws(() => literalLimit(1.5), RangeError);
  assert.throws(() => literalLimit(-1), RangeError);
  assert.throws(() => literalLimit(Number.NaN), RangeError);
  assert.throws(() => literalLimit('1; DROP TABLE comments' as unknown as number), RangeError);
});
