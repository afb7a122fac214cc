/**
 * The writer thread of the 'writer-thread' mode of store-group-commit.ts: a prototype of issue
 * 15.2's suggestion, built only to measure it. The same store (createSqlStore, WalDurability, batched
 * transactions) on this thread's own connection; comments arrive from the main thread in batches,
 * and every answer (the stored comment, cloned back) leaves in one message per turn.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Comment, NewComment } from '../src/domain/comment.js';
import { SqliteRunner } from '../src/store/sql/sqlite-runner.js';
import { createSqlStore } from '../src/store/sql-store.js';
import { openSqlite } from '../src/store/sqlite/open-sqlite.js';
import { WalDurability } from '../src/store/sqlite/wal-durability.js';

export type WriterRequest = { batch: { id: number; comment: NewComment }[] } | { close: true };
export type WriterAnswer = { id: number; comment?: Comment; error?: string };

const port = parentPort!;
const db = openSqlite((workerData as { file: string }).file);
const durability = new WalDurability(db);
const runner = new SqliteRunner(db, durability);
const store = createSqlStore(runner, {
  backup: async () => undefined,
  close: async () => {
    await runner.settled();
    await durability.close();
    db.close();
    durability.release();
  },
});

let answers: WriterAnswer[] = [];
function answer(a: WriterAnswer): void {
  if (answers.length === 0) setImmediate(() => {
    port.postMessage(answers);
    answers = [];
  });
  answers.push(a);
}

port.on('message', (msg: WriterRequest) => {
  if ('close' in msg) {
    void store.close().then(() => port.close());
    return;
  }
  for (const { id, comment } of msg.batch) {
    store.comments.insert(comment).then(
      (result) => answer({ id, comment: result.kind === 'inserted' ? result.comment : undefined }),
      (err: unknown) => answer({ id, error: String(err) }),
    );
  }
});
port.postMessage('ready');
