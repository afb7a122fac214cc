/**
 * The write path without HTTP (issue 15.1, 15.2): the SQLite store in this process, 16 writers
 * inserting comments (each waits a turn of the event loop first, as a request would) while one reader
 * counts a thread every millisecond. Measured four times in the same run: with synchronous=FULL
 * and a sync inside each COMMIT on the event loop (the store before group commit); with group
 * commit but one transaction per write ('per-item': synchronous=NORMAL, one fdatasync of the -wal
 * file on the thread pool per group); with writes batched into shared transactions ('batched',
 * the store as it runs); and with the batched store on a writer thread's own connection
 * ('writer-thread', a prototype of issue 15.2's suggestion, bench only: writer-thread-worker.ts).
 * Reported: inserts per second, process CPU per insert (all threads: the checkpoint thread and the
 * pool's syncs too), the main thread's busy time per insert, the reader's p50/p99, the event-loop
 * delay, writes per transaction and commits per sync.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { Worker } from 'node:worker_threads';
import type { Comment, NewComment } from '../src/domain/comment.js';
import { SqliteRunner } from '../src/store/sql/sqlite-runner.js';
import { createSqlStore } from '../src/store/sql-store.js';
import { openSqlite } from '../src/store/sqlite/open-sqlite.js';
import { WalDurability } from '../src/store/sqlite/wal-durability.js';
import { benchThread } from './measure.js';
import type { StressContext, StressResult, StressScenario } from './stress.js';
import type { WriterAnswer, WriterRequest } from './writer-thread-worker.js';

const WRITERS = 16;
const TARGET = 'https://blog.example/bench/store-group-commit';
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const round = (n: number) => Number(n.toFixed(2));

function aComment(threadId: number, i: number): NewComment {
  return {
    threadId, parent: null, kind: 'comment', status: 'approved', author: `Reader ${i}`, email: `r${i}@mail.example`, url: '',
    bodyHtml: '<p>A short plain-text reply.</p>', bodyRaw: `A short plain-text reply, number ${i}.`, source: null, sourceKey: null,
    title: null, mentionType: null, authorPhoto: null, ip: '192.0.2.0', userAgent: 'bench', reasons: [], editTokenHash: null, created: new Date(),
  };
}

function at(sorted: number[], p: number): number {
  return round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0);
}

type Mode = 'full' | 'per-item' | 'batched' | 'writer-thread';

/**
 * The main thread's side of the writer-thread prototype (writer-thread-worker.ts): inserts asked in
 * one turn leave in one message; each resolves with the stored comment the thread sends back.
 */
class WriterThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve(c: Comment | undefined): void; reject(e: Error): void }>();
  private batch: { id: number; comment: NewComment }[] = [];
  private ids = 0;
  readonly ready: Promise<void>;

  constructor(file: string) {
    this.worker = benchThread('writer-thread-worker', { file });
    this.ready = new Promise((resolve) => this.worker.once('message', () => resolve()));
    this.worker.on('message', (answers: WriterAnswer[] | 'ready') => {
      if (answers === 'ready') return;
      for (const a of answers) {
        const w = this.waiting.get(a.id)!;
        this.waiting.delete(a.id);
        if (a.error) w.reject(new Error(a.error));
        else w.resolve(a.comment);
      }
    });
  }

  insert(comment: NewComment): Promise<Comment | undefined> {
    if (this.batch.length === 0) setImmediate(() => {
      this.worker.postMessage({ batch: this.batch } satisfies WriterRequest);
      this.batch = [];
    });
    const id = ++this.ids;
    this.batch.push({ id, comment });
    return new Promise((resolve, reject) => this.waiting.set(id, { resolve, reject }));
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.worker.once('exit', resolve));
    this.worker.postMessage({ close: true } satisfies WriterRequest);
    await exited;
  }
}

async function measure(ctx: StressContext, mode: Mode): Promise<Record<string, number>> {
  const dir = join(ctx.tmp, `store-group-commit-${mode}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'bench.db');
  const db = openSqlite(file);
  // In 'writer-thread' this process's connection only reads; the thread's own one writes, durably.
  const durability = mode === 'full' || mode === 'writer-thread' ? undefined : new WalDurability(db);
  const runner = new SqliteRunner(db, durability, { maxBatch: mode === 'per-item' ? 1 : undefined });
  const store = createSqlStore(runner, {
    backup: async () => undefined,
    close: async () => {
      await runner.settled();
      await durability?.close();
      db.close();
      durability?.release();
    },
  });
  try {
    const thread = await store.threads.ensure(TARGET, new Date());
    const writer = mode === 'writer-thread' ? new WriterThread(file) : undefined;
    await writer?.ready;
    const insert = writer ? (c: NewComment) => writer.insert(c) : (c: NewComment) => store.comments.insert(c);
    const delay = monitorEventLoopDelay({ resolution: 1 });
    const reads: number[] = [];
    let inserts = 0;
    const end = Date.now() + ctx.duration * 1000;
    const started = performance.now();
    const cpu = process.cpuUsage();
    const loop = performance.eventLoopUtilization();
    delay.enable();
    const reader = (async () => {
      while (Date.now() < end) {
        const asked = performance.now();
        await nextTurn();
        await store.comments.countVisible([TARGET]);
        reads.push(performance.now() - asked);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    const writers = Array.from({ length: WRITERS }, async () => {
      while (Date.now() < end) {
        await nextTurn();
        await insert(aComment(thread.id, inserts++));
      }
    });
    await Promise.all([reader, ...writers]);
    delay.disable();
    const used = process.cpuUsage(cpu);
    // The main thread's busy time: what a writer thread would take off it (ELU's active part).
    const mainBusyMs = performance.eventLoopUtilization(loop).active;
    await writer?.close();
    const seconds = (performance.now() - started) / 1000;
    reads.sort((a, b) => a - b);
    const figures: Record<string, number> = {
      [`${mode} inserts/s`]: Math.round(inserts / seconds),
      [`${mode} CPU µs per insert`]: Math.round((used.user + used.system) / Math.max(1, inserts)),
      [`${mode} main-thread busy µs per insert`]: Math.round((mainBusyMs * 1000) / Math.max(1, inserts)),
      [`${mode} reader p50`]: at(reads, 0.5),
      [`${mode} reader p99`]: at(reads, 0.99),
      [`${mode} reads (count)`]: reads.length,
      [`${mode} event-loop delay p99`]: round(delay.percentile(99) / 1e6),
      [`${mode} event-loop delay max`]: round(delay.max / 1e6),
    };
    if (durability) {
      const { commits, items, largestTransaction, syncs, checkpoints } = durability.stats;
      figures[`${mode} writes per transaction`] = round(items / Math.max(1, commits));
      figures[`${mode} largest transaction`] = largestTransaction;
      figures[`${mode} commits per sync`] = round(commits / Math.max(1, syncs));
      figures[`${mode} checkpoints (count)`] = checkpoints;
    }
    return figures;
  } finally {
    await store.close();
  }
}

export const storeGroupCommit: StressScenario = {
  name: 'store-group-commit',
  description: `the SQLite store in-process: ${WRITERS} writers inserting while a reader counts a thread every millisecond, ` +
    'synchronous=FULL with a sync per COMMIT on the event loop, group commit with one transaction per write, group commit with batched transactions, ' +
    'and the batched store on a writer thread (prototype)',
  async run(ctx): Promise<StressResult> {
    const figures = {
      ...(await measure(ctx, 'full')), ...(await measure(ctx, 'per-item')), ...(await measure(ctx, 'batched')),
      ...(await measure(ctx, 'writer-thread')),
    };
    const ratio = (a: string, b: string) => round((figures[a] ?? 0) / Math.max(1, figures[b] ?? 0));
    figures['batched / full inserts (×)'] = ratio('batched inserts/s', 'full inserts/s');
    figures['batched / per-item inserts (×)'] = ratio('batched inserts/s', 'per-item inserts/s');
    figures['batched / per-item CPU per insert (×)'] = round((figures['batched CPU µs per insert'] ?? 0) / Math.max(1, figures['per-item CPU µs per insert'] ?? 0));
    figures['writer-thread / batched main-thread busy per insert (×)'] = round(
      (figures['writer-thread main-thread busy µs per insert'] ?? 0) / Math.max(1, figures['batched main-thread busy µs per insert'] ?? 0));
    ctx.say(`[store-group-commit] ${Object.entries(figures).map(([k, v]) => `${k}: ${v}`).join('; ')}`);
    return { name: this.name, description: this.description, figures, problems: [] };
  },
};
