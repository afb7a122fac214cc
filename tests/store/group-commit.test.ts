/**
 * Group commit on SQLite (issue 15.1 and 15.2): writes are answered only after the -wal file's sync,
 * one sync covers every commit made before it started, a failing item never fails the others of its
 * group, reads never wait for the disk, and our checkpoints never let the WAL be reused before the
 * database file is on disk. The disk sync is the store's own FileSync, held by the test
 * (tests/helpers/held-disk-sync.ts); everything else is a real SQLite file.
 */
import assert from 'node:assert/strict';
import { fstatSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { NewComment } from '../../src/domain/comment.js';
import type { Store } from '../../src/store/repository.js';
import { run } from '../../src/store/sql/sql-runner.js';
import { SqliteRunner } from '../../src/store/sql/sqlite-runner.js';
import { GroupCommit } from '../../src/store/sqlite/group-commit.js';
import { openSqlite } from '../../src/store/sqlite/open-sqlite.js';
import { WalDurability } from '../../src/store/sqlite/wal-durability.js';
import { groupCommitStats, openSqliteStore, type SqliteStoreOptions } from '../../src/store/sqlite/sqlite-store.js';
import { HeldDiskSync } from '../helpers/held-disk-sync.js';

const POST = 'https://blog.example/2026/12/group/';

function aComment(threadId: number, n: number, overrides: Partial<NewComment> = {}): NewComment {
  return {
    threadId, parent: null, kind: 'comment', status: 'approved', author: `Reader ${n}`, email: `r${n}@example.org`, url: '',
    bodyHtml: `<p>Comment ${n}</p>`, bodyRaw: `Comment ${n}`, source: null, sourceKey: null, title: null, mentionType: null,
    authorPhoto: null, ip: '192.0.2.0', userAgent: 'group-commit-test', reasons: [], editTokenHash: null, created: new Date(Date.UTC(2026, 11, 7)),
    ...overrides,
  };
}

const aPingback = (threadId: number, n: number, source: string): NewComment =>
  aComment(threadId, n, { kind: 'pingback', author: 'A blog', email: '', url: source, source, sourceKey: source, title: 'A reply' });

/** Tracks whether a promise has settled, without awaiting it. */
function watch<T>(promise: Promise<T>): { settled: () => boolean; promise: Promise<T> } {
  let settled = false;
  promise.then(() => (settled = true), () => (settled = true));
  return { settled: () => settled, promise };
}

/** Lets every callback that is ready run (the thread pool's fdatasync of a real file included). */
async function turns(n = 20): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('GroupCommit', () => {
  function heldSyncs() {
    const pending: Array<{ resolve(): void; reject(err: Error): void }> = [];
    const sync = () => new Promise<void>((resolve, reject) => pending.push({ resolve, reject }));
    return { sync, pending };
  }

  test('commits that arrive while a sync runs share the next one; each is answered only after the sync that covers it', async () => {
    const { sync, pending } = heldSyncs();
    const group = new GroupCommit(sync);
    const a = watch(group.committed());
    const b = watch(group.committed());
    const c = watch(group.committed());
    await turns(3);
    assert.equal(pending.length, 1, 'one sync in flight at a time');
    assert.equal(a.settled() || b.settled() || c.settled(), false, 'nothing answered before its sync');

    pending[0]!.resolve();
    await a.promise;
    await turns(3);
    assert.equal(pending.length, 2, 'b and c, which came during the first sync, got a second one');
    assert.equal(b.settled() || c.settled(), false, 'the first sync began before b and c committed: it does not cover them');

    pending[1]!.resolve();
    await Promise.all([b.promise, c.promise]);
    assert.deepEqual(group.stats, { commits: 3, items: 3, largestTransaction: 1, syncs: 2, largestGroup: 2 });
  });

  test('a failed sync fails its group and every later commit (a later sync would prove nothing)', async () => {
    const { sync, pending } = heldSyncs();
    const group = new GroupCommit(sync);
    const a = group.committed();
    const b = group.committed();
    await turns(3);
    pending[0]!.reject(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await assert.rejects(a, /EIO/);
    await assert.rejects(b, /EIO/);
    await assert.rejects(group.committed(), /EIO/);
    assert.equal(pending.length, 1, 'no sync after the failed one');
    assert.ok(group.failure);
  });
});

describe('SQLite store with group commit', () => {
  let dir: string;
  let path: string;
  let disk: HeldDiskSync;
  let store: Store | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'backtalk-group-'));
    path = join(dir, 'backtalk.db');
    disk = new HeldDiskSync();
  });
  afterEach(async () => {
    disk.release('wal');
    disk.release('db');
    await store?.close();
    store = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  const open = (options: SqliteStoreOptions = {}) => (store = openSqliteStore(path, { fileSync: disk.fileSync, ...options }));

  /** A second connection, as another process would read the file. */
  function countRows(): number {
    const db = new Database(path, { readonly: true });
    try {
      return (db.prepare('SELECT count(*) AS n FROM comments').get() as { n: number }).n;
    } finally {
      db.close();
    }
  }

  test('writes that arrive while a sync runs are held, then committed as ONE transaction covered by one sync; a duplicate and a failing item fail alone; reads answer meanwhile', async () => {
    const s = open();
    const thread = await s.threads.ensure(POST, new Date());
    disk.hold('wal');

    const first = watch(s.comments.insert(aComment(thread.id, 1)));
    await disk.untilHeld('wal');
    const before = groupCommitStats(s)!;
    // These arrive while the first one's sync is held: they wait, then go in as one transaction.
    const rest = [
      watch(s.comments.insert(aComment(thread.id, 2))),
      watch(s.comments.insert(aPingback(thread.id, 3, 'https://other.example/reply'))),
      watch(s.comments.insert(aPingback(thread.id, 4, 'https://other.example/reply'))),
      watch(s.comments.insert(aComment(thread.id, 5))),
    ];
    const broken = watch(s.comments.insert(aComment(thread.id + 1000, 6))); // no such thread: a foreign key failure
    await turns();
    assert.equal(countRows(), 1, 'only the first is committed: the others are held while its sync runs');
    assert.equal([first, ...rest, broken].filter((w) => w.settled()).length, 0, 'nothing is answered while the sync is held');
    assert.equal((await s.comments.listVisible(thread.id)).length, 1, 'a read answers while the sync is held');

    disk.release('wal');
    await assert.rejects(broken.promise, /FOREIGN KEY/);
    const results = await Promise.all([first, ...rest].map((w) => w.promise));
    assert.deepEqual(results.map((r) => r.kind), ['inserted', 'inserted', 'inserted', 'duplicate-linkback', 'inserted']);
    const after = groupCommitStats(s)!;
    assert.equal(after.commits - before.commits, 1, 'the five held writes were one transaction');
    assert.equal(after.items - before.items, 4, 'of four writes (the failed one wrote nothing)');
    assert.equal(after.largestTransaction, 4);
    assert.equal(after.syncs - before.syncs, 1, 'one sync, after the held one, for the whole batch');
    assert.equal(countRows(), 4);
  });

  test('a duplicate is not reported on the strength of a commit whose sync is still held', async () => {
    const s = open();
    const thread = await s.threads.ensure(POST, new Date());
    disk.hold('wal');
    const original = aComment(thread.id, 1);
    const ping = aPingback(thread.id, 2, 'https://other.example/held');
    const inserts = [watch(s.comments.insert(original)), watch(s.comments.insert(ping))];
    await disk.untilHeld('wal');
    const repeat = watch(s.comments.hasSameBody(thread.id, original.author, original.email, original.bodyRaw));
    const again = watch(s.comments.findLinkback(thread.id, 'https://other.example/held'));
    const other = await s.comments.hasSameBody(thread.id, original.author, original.email, 'something else');
    assert.equal(other, false, 'a check that finds nothing answers at once');
    await turns();
    assert.equal(repeat.settled() || again.settled(), false, 'both checks found the held commits and wait for their sync');
    disk.release('wal');
    assert.equal(await repeat.promise, true);
    assert.equal((await again.promise)?.source, 'https://other.example/held');
    await Promise.all(inserts.map((w) => w.promise));
  });

  test('the synced descriptor is the live -wal file, also after checkpoints restart and truncate it', async () => {
    const s = open({ checkpointFrames: 20 });
    const thread = await s.threads.ensure(POST, new Date());
    for (let i = 0; i < 10; i++) await s.comments.insert(aComment(thread.id, i));
    const other = new Database(path);
    other.pragma('wal_checkpoint(TRUNCATE)');
    other.close();
    await s.comments.insert(aComment(thread.id, 99));
    const last = disk.calls.filter((c) => c.file === 'wal').at(-1)!;
    assert.equal(fstatSync(last.fd).ino, statSync(`${path}-wal`).ino);
    assert.ok(disk.count('db') >= 3, `our checkpoints ran (${disk.count('db')})`);
  });

  test('a database opened through a symlink: the synced -wal file is the one beside the real file, where SQLite writes', async () => {
    await mkdir(join(dir, 'real'));
    const real = join(dir, 'real', 'backtalk.db');
    await symlink(real, path);
    const s = open();
    const thread = await s.threads.ensure(POST, new Date());
    await s.comments.insert(aComment(thread.id, 1));
    const last = disk.calls.filter((c) => c.file === 'wal').at(-1)!;
    assert.equal(fstatSync(last.fd).ino, statSync(`${real}-wal`).ino);
  });

  test('a checkpoint: the database file is synced only after the WAL, and writes wait for it while reads go on', async () => {
    // Any commit starts a checkpoint.
    const s = open({ checkpointFrames: 1 });
    const thread = await s.threads.ensure(POST, new Date());
    // The thread's own commit started one: let it end first.
    while (groupCommitStats(s)!.checkpoints < 1) await new Promise((resolve) => setTimeout(resolve, 1));
    disk.hold('db');
    await s.comments.insert(aComment(thread.id, 0));
    await disk.untilHeld('db');
    assert.equal(disk.calls.at(-1)!.file, 'db');
    assert.equal(disk.calls.at(-2)!.file, 'wal', 'every commit was synced in the WAL before the copy');

    const write = watch(s.comments.insert(aComment(thread.id, 10)));
    await turns();
    assert.equal((await s.comments.listVisible(thread.id)).length, 1, 'a read answers during the checkpoint');
    assert.equal(write.settled(), false);
    assert.equal(countRows(), 1, 'the write has not even begun: the WAL must not be reused before the database file is on disk');

    disk.release('db');
    assert.equal((await write.promise).kind, 'inserted');
    assert.equal(countRows(), 2);
  });

  test('a checkpoint copies only what is synced: writes in one turn are one batch, synced before the copy, and the next waits at the gate', async () => {
    const db = openSqlite(path);
    const durability = new WalDurability(db, { fileSync: disk.fileSync, checkpointFrames: 1 });
    const runner = new SqliteRunner(db, durability);
    const put = (key: string) => runner.db.insertInto('settings').values({ key, value: 'v' });
    try {
      disk.hold('wal');
      // In one turn: an autocommit write and a transaction; their commit starts the checkpoint.
      const alone = runner.run(put('alone'));
      const inTx = runner.transaction(function* () {
        yield* run(put('in-transaction'));
      });
      await disk.untilHeld('wal');
      const later = watch(runner.run(put('later')));
      disk.release('wal');
      await Promise.all([alone, inTx]);
      await later.promise;
      await runner.settled();
      await durability.close();
      const dbSyncs = disk.calls.filter((c) => c.file === 'db');
      assert.ok(dbSyncs.length >= 1, 'the checkpoint ran');
      assert.equal(dbSyncs[0]!.unfinishedBefore, 0, 'no WAL sync was still running when the database file was synced after the copy');
      const order = disk.calls.map((c) => c.file);
      assert.deepEqual(order.slice(0, 3), ['wal', 'db', 'wal'], 'the batch was synced, then the checkpoint, then the write that waited at the gate');
      assert.equal(durability.stats.largestTransaction, 2, 'the two writes of one turn were one transaction');
    } finally {
      if (db.open) db.close();
      durability.release();
    }
  });

  test('checkpoints keep the WAL from growing: it is reused from the start', async () => {
    const s = open({ checkpointFrames: 60 });
    const thread = await s.threads.ensure(POST, new Date());
    for (let i = 0; i < 20; i++) await s.comments.insert(aComment(thread.id, i, { bodyRaw: `${'words '.repeat(200)}${i}` }));
    const early = statSync(`${path}-wal`).size;
    for (let i = 20; i < 200; i++) await s.comments.insert(aComment(thread.id, i, { bodyRaw: `${'words '.repeat(200)}${i}` }));
    assert.ok(disk.count('db') >= 18, `checkpoints ran (${disk.count('db')})`);
    assert.ok(statSync(`${path}-wal`).size <= early * 2, `the -wal file grew from ${early} to ${statSync(`${path}-wal`).size} bytes over 180 more comments`);
    await s.close();
    store = undefined;
    const db = new Database(path, { readonly: true });
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      assert.equal((db.prepare('SELECT count(*) AS n FROM comments').get() as { n: number }).n, 200);
    } finally {
      db.close();
    }
  });

  test('close() waits for the syncs in flight, so a write answered during shutdown is on disk', async () => {
    const s = open();
    const thread = await s.threads.ensure(POST, new Date());
    disk.hold('wal');
    const write = watch(s.comments.insert(aComment(thread.id, 1)));
    await disk.untilHeld('wal');
    const closing = watch(s.close());
    await turns();
    assert.equal(closing.settled(), false, 'close() waits for the held sync');
    disk.release('wal');
    assert.equal((await write.promise).kind, 'inserted');
    await closing.promise;
    store = undefined;
    assert.equal(countRows(), 1);
  });

  test('after a failed sync nothing more is acknowledged, and reads still answer', async () => {
    const s = open();
    const thread = await s.threads.ensure(POST, new Date());
    await s.comments.insert(aComment(thread.id, 1));
    disk.fail(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await assert.rejects(s.comments.insert(aComment(thread.id, 2)), /EIO/);
    await assert.rejects(s.comments.insert(aComment(thread.id, 3)), /EIO/);
    assert.equal(countRows(), 2, 'the write after the failure was refused before it began');
    assert.equal((await s.comments.listVisible(thread.id)).length, 2);
  });
});
