/**
 * The SQLite backend: the shared Store contract on a real database file (WAL, -wal/-shm files and all,
 * which ':memory:' would skip), then what only SQLite has: pragmas, schema version, reopening, checkpoint.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { SCHEMA_VERSION } from '../../src/store/sqlite/migrations.js';
import { openSqlite } from '../../src/store/sqlite/open-sqlite.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { describeStoreContract } from './repository-contract.js';
import { describeThreadPagesContract } from './thread-pages-contract.js';

const POST = 'https://blog.example/2024/03/hello/';
const CREATED = new Date(Date.UTC(2024, 2, 9, 14, 5, 7, 123));

const freshDir = (): Promise<string> => mkdtemp(join(tmpdir(), 'backtalk-store-'));

/** Size of the -wal file, or undefined when there is none. */
async function walSize(dbPath: string): Promise<number | undefined> {
  try {
    return (await stat(`${dbPath}-wal`)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** After close: everything is in the main file, and the file is sound. */
async function assertClosedCleanly(dbPath: string): Promise<void> {
  const wal = await walSize(dbPath);
  assert.ok(wal === undefined || wal === 0, `the -wal file still holds ${wal} bytes after close()`);
  const db = openSqlite(dbPath);
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    assert.deepEqual(db.pragma('foreign_key_check'), []);
  } finally {
    db.close();
  }
}

/** A store on a real database file, removed again by cleanup (checked closed cleanly first). */
async function sqliteFixture() {
  const dir = await freshDir();
  const path = join(dir, 'backtalk.db');
  const store = openSqliteStore(path);
  return {
    store,
    async cleanup() {
      try {
        await store.close();
        await assertClosedCleanly(path);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

describeStoreContract('sqlite', sqliteFixture);
describeThreadPagesContract('sqlite', sqliteFixture);

describe('SQLite specifics', () => {
  let dir: string;
  let path: string;

  beforeEach(async () => {
    dir = await freshDir();
    path = join(dir, 'data', 'backtalk.db');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('creates the folder and file, with WAL, foreign keys, synchronous FULL, a 5 s busy timeout and a 2 MB page cache', () => {
    const db = openSqlite(path);
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
      assert.equal(db.pragma('synchronous', { simple: true }), 2, 'FULL');
      assert.equal(db.pragma('busy_timeout', { simple: true }), 5000);
      // SQLite's default, not better-sqlite3's 16 MB: the cache's pages are what stayed resident after a burst.
      assert.equal(db.pragma('cache_size', { simple: true }), -2000);
    } finally {
      db.close();
    }
  });

  test('a new database carries the current schema version', () => {
    const db = openSqlite(path);
    try {
      assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    } finally {
      db.close();
    }
  });

  test('reopening an existing file keeps its data and its version', async () => {
    const first = openSqliteStore(path);
    const thread = await first.threads.ensure(POST, CREATED);
    await first.threads.setClosed(thread.id, { linkbacks: true });
    const inserted = await first.comments.insert({
      threadId: thread.id, parent: null, kind: 'comment', status: 'approved', author: 'Ann', email: 'ann@example.org',
      url: '', bodyHtml: '<p>Kept</p>', bodyRaw: 'Kept', source: null, sourceKey: null, title: null, mentionType: null,
      authorPhoto: null, ip: '192.0.2.0', userAgent: 'test', reasons: [], editTokenHash: null, created: CREATED,
    });
    assert.equal(inserted.kind, 'inserted');
    await first.settings.set('admin-token-hash', 'h');
    await first.close();

    const second = openSqliteStore(path);
    try {
      assert.deepEqual(await second.threads.findByTarget(POST), { ...thread, linkbacksClosed: true });
      assert.deepEqual(await second.comments.listVisible(thread.id), inserted.kind === 'inserted' ? [inserted.comment] : []);
      assert.equal(await second.settings.get('admin-token-hash'), 'h');
    } finally {
      await second.close();
    }
    const db = openSqlite(path);
    try {
      assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    } finally {
      db.close();
    }
  });

  test('refuses a database made by a newer Backtalk, naming both versions', () => {
    const newer = SCHEMA_VERSION + 1;
    const db = openSqlite(path);
    db.pragma(`user_version = ${newer}`);
    db.close();

    assert.throws(
      () => openSqlite(path),
      (err: unknown) =>
        err instanceof Error && /newer/.test(err.message) && err.message.includes(String(newer)) && err.message.includes(String(SCHEMA_VERSION)),
    );
    assert.throws(() => openSqliteStore(path), /newer/);
  });

  test('refusing a newer database closes it again', async () => {
    const db = openSqlite(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    assert.equal(await walSize(path), undefined, 'closing the last connection removes the -wal file');

    assert.throws(() => openSqlite(path), /newer/);
    // SQLite creates -wal when a connection opens a WAL database and deletes it when the last one
    // closes, so a -wal file left behind means the refused connection is still open (and, on
    // Windows, still locking the file the operator is told to hand to a newer Backtalk).
    assert.equal(await walSize(path), undefined, 'the refused connection was left open');
  });

  test('close() checkpoints: the .db file alone holds everything afterwards', async () => {
    const store = openSqliteStore(path);
    const thread = await store.threads.ensure(POST, CREATED);
    await store.settings.set('k', 'v');
    assert.ok(((await walSize(path)) ?? 0) > 0, 'writes went to the WAL first, so this test checks something');
    await store.close();
    const wal = await walSize(path);
    assert.ok(wal === undefined || wal === 0, `the -wal file still holds ${wal} bytes`);

    // A copy of the main file without its -wal, as a naive backup would take it.
    const copy = join(dir, 'copy.db');
    await copyFile(path, copy);
    const copied = openSqliteStore(copy);
    try {
      assert.deepEqual(await copied.threads.findByTarget(POST), thread);
      assert.equal(await copied.settings.get('k'), 'v');
    } finally {
      await copied.close();
    }
    await assertClosedCleanly(path);
  });

  test('close() twice is harmless', async () => {
    const store = openSqliteStore(path);
    await store.close();
    await store.close();
  });
});
