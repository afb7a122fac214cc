/**
 * The checkpoint thread (src/store/sqlite/checkpoint-worker.ts) is an isolate of its own: it ends
 * once idle, and the next copy starts a new one that copies as well as the first. The thread ending
 * for idleness is not a failure (a failed thread refuses every later copy).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { CheckpointWorker } from '../../src/store/sqlite/checkpoint-worker.js';
import { openSqlite } from '../../src/store/sqlite/open-sqlite.js';
import { WalDurability } from '../../src/store/sqlite/wal-durability.js';
import { until } from '../helpers/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'backtalk-checkpoint-thread-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('an idle checkpoint thread ends, and the next copy starts another that copies the WAL', { timeout: 60_000 }, async () => {
  const file = join(dir, 'c.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  const fill = () => {
    for (let i = 0; i < 50; i++) insert.run('x'.repeat(500));
  };
  const worker = new CheckpointWorker(file, undefined, 50);
  try {
    fill();
    const first = await worker.copy();
    assert.ok(first.log > 0 && first.checkpointed === first.log, `the first thread copied the whole WAL (${JSON.stringify(first)})`);
    assert.equal(worker.threadRunning, true);
    await until(() => !worker.threadRunning);

    fill();
    const second = await worker.copy();
    assert.ok(second.checkpointed > 0 && second.checkpointed === second.log, `a new thread copied again (${JSON.stringify(second)})`);
    assert.equal((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 100);
  } finally {
    await worker.close();
    db.close();
  }
  assert.equal(worker.threadRunning, false);
});

test('a thread started ahead of a copy that never comes ends once idle too', { timeout: 60_000 }, async () => {
  const file = join(dir, 'ahead.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  const worker = new CheckpointWorker(file, undefined, 50);
  try {
    worker.start();
    assert.equal(worker.threadRunning, true);
    await until(() => !worker.threadRunning);
    db.exec('CREATE TABLE t (v TEXT)');
    const copied = await worker.copy();
    assert.ok(copied.log > 0 && copied.checkpointed === copied.log, `a new thread copies (${JSON.stringify(copied)})`);
  } finally {
    await worker.close();
    db.close();
  }
});

test('a WAL left half full starts the thread once, not again after each idle end (the job workers poll with commits)', { timeout: 60_000 }, async () => {
  const db = openSqlite(join(dir, 'half.db'));
  // Half of 400 frames starts the thread ahead of the checkpoint; 400 would start the copy.
  const durability = new WalDurability(db, { checkpointFrames: 400, checkpointIdleMs: 50 });
  try {
    db.exec('CREATE TABLE t (v TEXT)');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 250; i++) insert.run('x'.repeat(3000));
    })();
    await durability.committed();
    assert.equal(durability.checkpointThreadRunning, true, 'started ahead once the WAL was half full');
    await until(() => !durability.checkpointThreadRunning);
    for (let i = 0; i < 5; i++) {
      insert.run(`poll ${i}`);
      await durability.committed();
      assert.equal(durability.checkpointThreadRunning, false, `commit ${i + 1} after the idle end started no new thread`);
    }
    assert.equal(durability.stats.checkpoints, 0, 'no checkpoint was due');
  } finally {
    await durability.close();
    db.close();
    durability.release();
  }
});
