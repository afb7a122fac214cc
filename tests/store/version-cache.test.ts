/**
 * Thread versions are kept between reads (every read of a thread asks for its version first, which
 * was a SQL statement per GET) until the database changes: a write through this store, or a commit
 * by another connection to the same file — a CLI import or moderation run beside the server — which
 * the WAL's shared header tells the server's store (its commit counter, read from the -shm file), and
 * SQLite's PRAGMA data_version tells a store without group commit. Real SQLite file, two connections.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { NewComment } from '../../src/domain/comment.js';
import type { Store } from '../../src/store/repository.js';
import { openSqlite, type SqliteDatabase } from '../../src/store/sqlite/open-sqlite.js';
import { createSqliteStore, openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { SqliteRunner } from '../../src/store/sql/sqlite-runner.js';
import { createSqlStore } from '../../src/store/sql-store.js';
import { StampedCache } from '../../src/store/sql/stamped-cache.js';
import { recordStatements, type StatementLog } from '../helpers/statement-log.js';

const POST = 'https://blog.example/2026/12/versions/';
const dir = mkdtempSync(join(tmpdir(), 'backtalk-version-cache-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const aComment = (threadId: number, n: number, status: NewComment['status'] = 'approved'): NewComment => ({
  threadId, parent: null, kind: 'comment', status, author: `Reader ${n}`, email: `r${n}@example.org`, url: '',
  bodyHtml: `<p>Comment ${n}</p>`, bodyRaw: `Comment ${n}`, source: null, sourceKey: null, title: null, mentionType: null,
  authorPhoto: null, ip: '192.0.2.0', userAgent: 'version-cache-test', reasons: [], editTokenHash: null, created: new Date(Date.UTC(2026, 11, 7, 0, n)),
});

interface TwoConnections {
  server: Store;
  /** Another connection to the same file: what a CLI process beside the server is. */
  cli: Store;
  statements: StatementLog;
  threadId: number;
  /** The thread's version as `server` reads it. */
  tag(): Promise<string | undefined>;
}

/** `open`'s store on a new file holding one comment in POST's thread, and a second connection to it; both closed after `work`. */
async function withTwoConnections(
  name: string, open: (db: SqliteDatabase) => Store, ignore: RegExp | undefined, work: (c: TwoConnections) => Promise<void>,
): Promise<void> {
  const file = join(dir, name);
  const db = openSqlite(file);
  const statements = recordStatements(db, ignore);
  const server = open(db);
  const cli = openSqliteStore(file);
  try {
    const thread = await server.threads.ensure(POST, new Date(Date.UTC(2026, 11, 7)));
    await server.comments.insert(aComment(thread.id, 1));
    const tag = async () => (await server.comments.threadVersions([POST])).get(POST);
    await work({ server, cli, statements, threadId: thread.id, tag });
  } finally {
    await cli.close();
    await server.close();
  }
}

test('a thread version is read once until a write here or a commit by another connection changes the database', { timeout: 30_000 }, async () => {
  await withTwoConnections('v.db', createSqliteStore, /^PRAGMA data_version/, async ({ server, cli, statements, threadId, tag }) => {
    const first = await statements.during(tag);
    assert.ok(first, 'the thread has a version');
    assert.equal(statements.log.length, 1, `the first read asks the database (${statements.log.join(' | ')})`);
    assert.equal(await statements.during(tag), first);
    assert.deepEqual(statements.log, [], 'the second read, with nothing changed, asks nothing');

    await cli.comments.insert(aComment(threadId, 2));
    const afterCli = await statements.during(tag);
    assert.notEqual(afterCli, first, 'a comment stored by another connection changes the version read here');
    assert.equal(afterCli, (await cli.comments.threadVersions([POST])).get(POST), 'both connections read the same version');
    assert.equal(statements.log.length, 1);

    const held = await server.comments.insert(aComment(threadId, 3, 'pending'));
    assert.equal(await tag(), afterCli, 'a held comment changes nothing readers see');
    if (held.kind !== 'inserted') assert.fail('the held comment was stored');
    await server.comments.setStatus(held.comment.id, 'approved');
    assert.notEqual(await tag(), afterCli, 'approving it here changes the version at once');

    assert.equal((await server.comments.threadVersions(['https://blog.example/none/'])).size, 0);
    await statements.during(() => server.comments.threadVersions(['https://blog.example/none/']));
    assert.deepEqual(statements.log, [], 'a thread that is not there is remembered as not there, too');
  });
});

test('a read that a change overtook while it was awaited is not kept under the newer stamp', () => {
  const cache = new StampedCache<string, string>(10);
  assert.equal(cache.get('1.0', POST), undefined);
  // Another caller sees the database changed (another process committed) before the first read returns.
  assert.equal(cache.get('1.1', POST), undefined);
  cache.keep('1.0', POST, 'old version');
  assert.equal(cache.get('1.1', POST), undefined, 'the old answer is not served under the new stamp');
  cache.keep('1.1', POST, 'new version');
  assert.equal(cache.get('1.1', POST), 'new version');
  cache.keep(undefined, 'x', 'never');
  assert.equal(cache.get(undefined, 'x'), undefined, 'without a stamp nothing is kept');
});

test("the server's store tells another connection's commit from the WAL header, without asking SQLite on each read", { timeout: 30_000 }, async () => {
  // Nothing ignored: PRAGMA data_version would show here.
  await withTwoConnections('header.db', createSqliteStore, undefined, async ({ cli, statements, threadId, tag }) => {
    const first = await tag();
    for (let i = 0; i < 3; i++) {
      assert.equal(await statements.during(tag), first);
      assert.deepEqual(statements.log, [], 'a read with nothing changed runs no statement at all, PRAGMA data_version included');
    }
    await cli.comments.insert(aComment(threadId, 2));
    assert.notEqual(await statements.during(tag), first, "another connection's commit is seen");
    assert.deepEqual(statements.log.filter((s) => /data_version/i.test(s)), []);
  });
});

/** What the CLI and the migrations run: a runner with no CommitDurability, so no WAL header reader. */
function plainStore(db: SqliteDatabase): Store {
  return createSqlStore(new SqliteRunner(db), {
    backup: async () => undefined,
    close: async () => {
      db.close();
    },
  });
}

test('a store without group commit tells the same from PRAGMA data_version', { timeout: 30_000 }, async () => {
  await withTwoConnections('plain.db', plainStore, undefined, async ({ cli, statements, threadId, tag }) => {
    const first = await tag();
    await new Promise((resolve) => setImmediate(resolve));
    // Two reads in one turn of the event loop: data_version is asked once, by the first.
    assert.equal(await statements.during(async () => (await tag(), tag())), first);
    assert.deepEqual(statements.log.filter((s) => !/data_version/i.test(s)), [], 'the version itself is not read again');
    assert.equal(statements.log.filter((s) => /data_version/i.test(s)).length, 1, 'data_version is asked once in the turn');
    await cli.comments.insert(aComment(threadId, 2));
    assert.notEqual(await tag(), first, "another connection's commit is seen");
  });
});
