/**
 * SIGKILL in the middle of a batch (issue 15: "a new one kills the server in the middle of a
 * batch"): a process whose SQLite store has acknowledged 20 comments queues 17 more in one turn,
 * and is killed from inside the ninth one's transaction, while the batch's transaction is open with
 * nine comments written into it (tests/crash/batch-kill-child.ts). Another process then opens the
 * file: every acknowledged comment is there once, nothing of the killed batch is (all of it or none
 * of it: none, as its COMMIT never ran), and integrity_check passes. The kill during a batch's sync
 * (committed, not yet acknowledged) is tests/crash/group-commit-kill.test.ts.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';

const CHILD = fileURLToPath(new URL('./batch-kill-child.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const dir = mkdtempSync(join(tmpdir(), 'backtalk-batch-kill-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('SIGKILL inside a batch\'s open transaction: every acknowledged comment is there once, nothing of the batch is', { timeout: 120_000 }, async () => {
  const dbPath = join(dir, 'backtalk.db');
  const child = spawn(process.execPath, ['--import', TSX, CHILD, dbPath], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
  assert.equal(signal, 'SIGKILL', `the child killed itself (stderr: ${err})`);
  const acked = [...out.matchAll(/^acked (\d+) (\d+)$/gm)].map((m) => ({ n: Number(m[1]), id: Number(m[2]) }));
  assert.equal(acked.length, 20, 'twenty comments were acknowledged before the batch');

  const db = new Database(dbPath);
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    const rows = db.prepare(`SELECT id, body_raw FROM comments ORDER BY id`).all() as { id: number; body_raw: string }[];
    assert.deepEqual(rows, acked.map((a) => ({ id: a.id, body_raw: `batch-kill ${a.n}` })), 'exactly the acknowledged comments, once each');
    assert.equal((db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n, 0);
  } finally {
    db.close();
  }
});
