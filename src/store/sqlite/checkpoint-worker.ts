/**
 * The checkpoint's copy (WAL → database file) on a worker thread with its own connection to the
 * same file, so the event loop never waits for it (issue 15.2). SQLite allows it: WAL mode lets any
 * connection checkpoint while others read (https://sqlite.org/wal.html#checkpointing), and
 * better-sqlite3's SQLite is built thread-safe (SQLITE_THREADSAFE=2: one connection per thread),
 * its unix VFS sharing one set of file locks between the connections of one process.
 *
 * The worker's code is a string evaluated as a CommonJS script, so it runs the same under tsx, the
 * bench's esbuild output and dist/; it loads better-sqlite3 from the path this module resolves.
 * The connection runs with synchronous=OFF: the copy only writes into the page cache, and the caller
 * (wal-durability.ts) syncs the database file afterwards, under its own write gate.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('wal_autocheckpoint = 0');
db.pragma('synchronous = OFF');
const latch = workerData.latch ? new Int32Array(workerData.latch) : undefined;
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    if (latch) {
      Atomics.store(latch, 1, 1);
      while (Atomics.load(latch, 0) === 1) Atomics.wait(latch, 0, 1);
      Atomics.store(latch, 1, 0);
    }
    const row = db.pragma('wal_checkpoint(PASSIVE)')[0];
    parentPort.postMessage({ ok: true, log: row.log, checkpointed: row.checkpointed });
  } catch (err) {
    parentPort.postMessage({ ok: false, message: String(err && err.message || err), code: err && err.code });
  }
});
`;

/** What one PASSIVE checkpoint did: frames in the WAL, frames copied into the database file. */
export interface CheckpointResult {
  log: number;
  checkpointed: number;
}

/**
 * A test's hold on the worker (tests/helpers/held-checkpoint.ts): a SharedArrayBuffer of two
 * Int32s; while [0] is 1 the worker waits before copying, and [1] is 1 while it waits.
 */
export type CheckpointLatch = SharedArrayBuffer;

/**
 * An idle thread ends after this long: it is a V8 isolate of its own (~6–8 MiB resident, measured in
 * `rss-after-load`), and checkpoints come minutes apart on a quiet blog. The next WAL that fills
 * halfway starts it again (wal-durability.ts), as the worker lanes do (src/workers/worker-pool.ts).
 */
const IDLE_MS = 5_000;

export class CheckpointWorker {
  private worker: Worker | undefined;
  private running: { resolve(r: CheckpointResult): void; reject(err: Error): void } | undefined;
  private failed: Error | undefined;
  private idle: NodeJS.Timeout | undefined;

  /** `file`: the database's resolved path. Nothing starts until start() or the first copy(). */
  constructor(private readonly file: string, private readonly latch?: CheckpointLatch, private readonly idleMs = IDLE_MS) {}

  /** True while the thread exists (started, and not yet ended for idleness or by close()). */
  get threadRunning(): boolean {
    return this.worker !== undefined;
  }

  /** Starts the thread (tens of milliseconds) ahead of the first copy, off the write path. */
  start(): void {
    if (this.worker || this.failed) return;
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file: this.file, latch: this.latch } });
    // An idle thread never keeps the process alive (close() ends it); a copy under way does (copy()).
    worker.unref();
    worker.on('message', (message: { ok: true } & CheckpointResult | { ok: false; message: string; code?: string }) => {
      const running = this.running;
      this.running = undefined;
      worker.unref();
      this.idle = setTimeout(() => this.retire(worker), this.idleMs).unref();
      if (message.ok) running?.resolve({ log: message.log, checkpointed: message.checkpointed });
      else running?.reject(Object.assign(new Error(message.message), { code: message.code }));
    });
    const lost = (err: Error) => {
      // A thread ended for idleness (retire) is not a failure: the next copy starts another.
      if (this.worker !== worker) return;
      this.failed = err;
      this.worker = undefined;
      this.running?.reject(err);
      this.running = undefined;
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`the checkpoint thread exited (code ${code})`)));
    this.worker = worker;
    // Started ahead of a copy that may never come (the writes stopped with the WAL half full).
    this.idle = setTimeout(() => this.retire(worker), this.idleMs).unref();
  }

  /** Copies the WAL into the database file on the thread (PASSIVE: never waits for readers). One at a time. */
  copy(): Promise<CheckpointResult> {
    if (this.running) return Promise.reject(new Error('a checkpoint is already running'));
    clearTimeout(this.idle);
    this.start();
    if (!this.worker) return Promise.reject(this.failed ?? new Error('no checkpoint thread'));
    const worker = this.worker;
    return new Promise((resolve, reject) => {
      this.running = { resolve, reject };
      worker.ref();
      worker.postMessage('copy');
    });
  }

  /** Ends an idle thread; its connection is closed first. */
  private retire(worker: Worker): void {
    if (this.worker !== worker || this.running) return;
    this.worker = undefined;
    worker.postMessage('close');
  }

  /** Ends the thread (after the copy under way, if any); its connection is closed first. */
  async close(): Promise<void> {
    clearTimeout(this.idle);
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    this.failed = new Error('the checkpoint thread is closed');
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.ref();
    worker.postMessage('close');
    await exited;
  }
}
