/**
 * Batched commits on SQLite (issue 15.1, 15.2), at the runner: writes that arrive together are one
 * transaction, and each fails alone (a thrown error inside a transaction's work, a constraint);
 * a COMMIT that fails answers none of them; a read after an awaited write sees it; the checkpoint's
 * copy runs on its own thread while the event loop serves; sessions (import, CLI) never have a
 * batch run inside them. Real SQLite files; the disk sync and the checkpoint thread are held by the
 * test where it says so (tests/helpers/held-disk-sync.ts, held-checkpoint.ts).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import Database from 'better-sqlite3';
import { ConflictError } from '../../src/domain/errors.js';
import { first, run } from '../../src/store/sql/sql-runner.js';
import { beginSession } from '../../src/store/sql/sql-session.js';
import { SqliteRunner } from '../../src/store/sql/sqlite-runner.js';
import { openSqlite, type SqliteDatabase } from '../../src/store/sqlite/open-sqlite.js';
import { WalDurability, type WalDurabilityOptions } from '../../src/store/sqlite/wal-durability.js';
import { HeldCheckpoint } from '../helpers/held-checkpoint.js';
import { HeldDiskSync } from '../helpers/held-disk-sync.js';

let dir: string;
let path: string;
let disk: HeldDiskSync;
let opened: { db: SqliteDatabase; durability: WalDurability; runner: SqliteRunner } | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'backtalk-batch-'));
  path = join(dir, 'backtalk.db');
  disk = new HeldDiskSync();
});
afterEach(async () => {
  disk.release('wal');
  disk.release('db');
  if (opened) {
    await opened.runner.settled();
    await opened.durability.close();
    if (opened.db.open) opened.db.close();
    opened.durability.release();
    opened = undefined;
  }
  await rm(dir, { recursive: true, force: true });
});

function open(options: WalDurabilityOptions = {}) {
  const db = openSqlite(path);
  const durability = new WalDurability(db, { fileSync: disk.fileSync, ...options });
  const runner = new SqliteRunner(db, durability);
  opened = { db, durability, runner };
  const put = (key: string, value = 'v') => runner.db.insertInto('settings').values({ key, value });
  return { db, durability, runner, put };
}

/** The settings rows another connection sees (as another process would). */
function storedKeys(): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT key FROM settings ORDER BY key').all() as { key: string }[]).map((r) => r.key);
  } finally {
    db.close();
  }
}

function watch<T>(promise: Promise<T>): { settled: () => boolean; promise: Promise<T> } {
  let settled = false;
  promise.then(() => (settled = true), () => (settled = true));
  return { settled: () => settled, promise };
}

async function turns(n = 20): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

test('an error thrown from the work of one transaction undoes that transaction alone; the rest of its batch commits', async () => {
  const { runner, durability, put } = open();
  const before = storedKeys();
  // In one turn: one batch.
  const failing = runner.transaction(function* () {
    yield* run(put('written-then-undone'));
    throw new ConflictError('duplicate', 'duplicate-comment');
  });
  const other = runner.transaction(function* () {
    yield* run(put('tx-1'));
    yield* run(put('tx-2'));
    return 'kept';
  });
  const alone = runner.run(put('alone'));
  const conflict = runner.run(put('alone')); // the same key: a constraint failure of a lone statement
  await assert.rejects(failing, (err: unknown) => err instanceof ConflictError && err.code === 'duplicate');
  await assert.rejects(conflict, /UNIQUE constraint failed/);
  assert.equal(await other, 'kept');
  assert.equal(await alone, 1);
  assert.deepEqual(storedKeys().filter((k) => !before.includes(k)), ['alone', 'tx-1', 'tx-2']);
  assert.equal(durability.stats.commits, 1, 'all four were one transaction');
  assert.equal(durability.stats.largestTransaction, 2, 'holding the two that wrote');
});

test('a COMMIT that fails answers none of the batch\'s writes, and none of them is stored', async () => {
  const { db, runner, put } = open();
  // A deferred foreign key is checked only at COMMIT: the one way SQL alone makes a COMMIT fail.
  db.exec('CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (parent_id INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)');
  const child = runner.db.withTables<{ child: { parent_id: number } }>().insertInto('child').values({ parent_id: 42 });
  const before = storedKeys();
  const good = runner.run(put('good'));
  const tx = runner.transaction(function* () {
    yield* run(put('in-transaction'));
  });
  const orphan = runner.run(child);
  const read = runner.transaction(function* () {
    return yield* first(runner.db.selectFrom('settings').select('key').where('key', '=', 'nothing'));
  });
  for (const write of [good, tx, orphan]) await assert.rejects(write, /FOREIGN KEY constraint failed/);
  assert.equal(await read, undefined, 'a transaction that only read is answered');
  assert.deepEqual(storedKeys(), before);
  assert.equal(db.inTransaction, false, 'the failed transaction was rolled back');
  assert.equal(await runner.run(put('after')), 1, 'the next batch commits');
  assert.deepEqual(storedKeys().filter((k) => !before.includes(k)), ['after']);
});

test('a read made after an awaited write sees it, for every write of a batch', async () => {
  const { runner, put } = open();
  const keys = Array.from({ length: 12 }, (_, i) => `key-${i}`);
  await Promise.all(keys.map(async (key) => {
    await runner.run(put(key, `value of ${key}`));
    const row = await runner.first(runner.db.selectFrom('settings').select('value').where('key', '=', key));
    assert.equal(row?.value, `value of ${key}`);
  }));
});

test('the checkpoint copies on its own thread: while it is held the event loop serves reads and timers, and no write is committed or answered', async () => {
  const checkpoint = new HeldCheckpoint();
  // Any commit starts a checkpoint.
  const { runner, durability, put } = open({ checkpointFrames: 1, checkpointLatch: checkpoint.latch });
  checkpoint.hold();
  await runner.run(put('first'));
  // untilWaiting polls with timers: they fire while the thread is blocked.
  await checkpoint.untilWaiting();
  const write = watch(runner.run(put('during')));
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  while (ticks < 5) await new Promise((resolve) => setTimeout(resolve, 1));
  clearInterval(timer);
  assert.equal((await runner.first(runner.db.selectFrom('settings').select('key').where('key', '=', 'first')))?.key, 'first', 'a read answers');
  await turns();
  assert.equal(checkpoint.waiting, true, 'the copy is still held');
  assert.equal(write.settled(), false, 'the write waits at the gate');
  assert.equal(storedKeys().includes('during'), false, 'and has not begun: the WAL must not be reused before the database file is on disk');
  assert.equal(durability.stats.checkpoints, 0);

  checkpoint.release();
  assert.equal(await write.promise, 1);
  assert.ok(durability.stats.checkpoints >= 1);
  assert.ok(storedKeys().includes('during'));
  assert.ok(disk.count('db') >= 1, 'the database file was synced after the copy');
});

test('a write session (import): writes of others wait for its end and are not part of it; a rollback keeps them', async () => {
  const { runner, put } = open();
  const before = storedKeys();
  const session = await beginSession(runner, 'write');
  await session.run(put('in-session'));
  const outside = watch(runner.run(put('outside')));
  await turns();
  assert.equal(outside.settled(), false, 'the write waits while the session holds the connection');
  assert.equal(await session.first(runner.db.selectFrom('settings').select('key').where('key', '=', 'outside')), undefined, 'it is not inside the session');
  await session.rollback();
  assert.equal(await outside.promise, 1);
  assert.deepEqual(storedKeys().filter((k) => !before.includes(k)), ['outside'], 'the rollback undid the session alone');

  const second = await beginSession(runner, 'write');
  await second.run(put('committed-in-session'));
  const later = runner.run(put('after-commit'));
  await second.commit();
  await later;
  assert.deepEqual(storedKeys().filter((k) => !before.includes(k)), ['after-commit', 'committed-in-session', 'outside']);
});

test('a snapshot session (export) reads one state while writes wait for its end, then commit', async () => {
  const { runner, put } = open();
  await runner.run(put('before'));
  const session = await beginSession(runner, 'snapshot');
  const count = async () => Number((await session.first(runner.db.selectFrom('settings').select((eb) => eb.fn.countAll<number>().as('n'))))?.n);
  const seen = await count();
  const write = watch(runner.run(put('during-export')));
  await turns();
  assert.equal(write.settled(), false);
  assert.equal(await count(), seen, 'the snapshot does not change');
  await session.rollback();
  assert.equal(await write.promise, 1, 'the write committed after the snapshot ended (its rollback did not take it)');
  assert.ok(storedKeys().includes('during-export'));
});

test('an error that ends the whole transaction fails its own item; the items it undid are run again in the next transaction', async () => {
  const { runner, durability, put } = open();
  await runner.run(put('existing'));
  const before = storedKeys();
  const commits = durability.stats.commits;
  // OR ROLLBACK: a conflict rolls back the whole transaction, not just the statement
  // (https://sqlite.org/lang_conflict.html), as SQLITE_FULL or an I/O error may.
  const a = runner.run(put('a'));
  const b = runner.transaction(function* () {
    yield* run(put('b'));
  });
  const rollingBack = runner.run(runner.db.insertInto('settings').orRollback().values({ key: 'existing', value: 'again' }));
  const c = runner.run(put('c'));
  await assert.rejects(rollingBack, /UNIQUE constraint failed/);
  await Promise.all([a, b, c]);
  assert.deepEqual(storedKeys().filter((k) => !before.includes(k)), ['a', 'b', 'c']);
  assert.equal(durability.stats.commits - commits, 1, 'one commit: the undone batch never committed, the rest went in together');
  assert.equal(durability.stats.largestTransaction, 3);
});
