/**
 * Worker threads for CPU-heavy steps, in separate lanes so one kind of work cannot hold up another
 * (issue 14, point 3): a pool busy with source pages leaves a reader's comment waiting only for its
 * own lane, not behind every queued verification.
 *
 * Each lane has its own piscina pool and its own queue. The queue is ours, not piscina's: a task is
 * handed to piscina only when one of the lane's threads is free, and its time limit counts from when
 * the worker starts running it, not from when it was queued. A task over its limit is abandoned; piscina stops
 * the thread running it (a synchronous parse cannot be interrupted any other way) and a new thread
 * takes its place on the next task.
 *
 * Threads start on first use and end after IDLE_THREAD_MS without a task; an idle pool never holds
 * the process open. Each thread is a V8 isolate with sanitize-html, markdown-it and htmlparser2 loaded:
 * about 20 MiB resident (measured: 63 → 87 MiB with the comment lane's thread, 107 MiB with the
 * preview lane's too, back to 66 MiB once both ended), against some 100–300 ms of CPU to start one
 * again. A lane busy now and then pays that start; a server at rest does not hold the memory.
 */
import { availableParallelism } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import type { Piscina } from 'piscina';
import type { WorkerMessage, WorkerTask } from './worker-tasks.js';

/**
 * - 'comment': readers' comments and edits, rendered before they are stored;
 * - 'preview': POST /api/preview, which anyone can call as often as its rate limit allows;
 * - 'linkback': source pages of TrackBacks, Pingbacks and Webmentions, up to 1 MiB each.
 */
export type Lane = 'comment' | 'preview' | 'linkback';

/** Time limit of one task when the caller gives none; a 1 MiB page takes well under a second. */
export const DEFAULT_TASK_TIMEOUT_MS = 5_000;

/** How long a lane's thread waits for another task before it ends (it was 30 s: see above). */
export const IDLE_THREAD_MS = 5_000;

/** The task ran past its time limit and was abandoned (its thread stopped). */
export class WorkerTimeoutError extends Error {
  constructor(readonly lane: Lane, readonly timeoutMs: number) {
    super(`a ${lane} task ran over its ${timeoutMs} ms limit and was abandoned`);
    this.name = 'WorkerTimeoutError';
  }
}

/** The lane's queue is full: refuse now rather than queue without bound. */
export class WorkerBusyError extends Error {
  constructor(readonly lane: Lane) {
    super(`the ${lane} worker queue is full`);
    this.name = 'WorkerBusyError';
  }
}

interface LaneSize {
  threads: number;
  maxQueue: number;
}

export interface WorkerPoolOptions {
  /** Cores to size the lanes for; default os.availableParallelism(). */
  cores?: number;
  /** Tasks each lane may hold waiting for a thread; default 1024 for source pages, 256 for the others. */
  maxQueue?: number;
  /** How long an idle thread lives; default IDLE_THREAD_MS. */
  idleTimeoutMs?: number;
}

function laneSizes({ cores = availableParallelism(), maxQueue }: WorkerPoolOptions): Record<Lane, LaneSize> {
  // One thread per core but one (left to the main thread) for source pages, at least one, at most
  // four; one each for comments and previews, which are short (the body limit is 10,000 characters).
  // Verifications are bounded by the fetch budgets (16 at once), comments and previews by rate limits.
  return {
    linkback: { threads: Math.max(1, Math.min(4, cores - 1)), maxQueue: maxQueue ?? 1024 },
    comment: { threads: 1, maxQueue: maxQueue ?? 256 },
    preview: { threads: 1, maxQueue: maxQueue ?? 256 },
  };
}

class WorkerLane {
  private pool: Piscina | undefined;
  private loading: Promise<Piscina> | undefined;
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly name: Lane, private readonly size: LaneSize, private readonly idleTimeoutMs: number) {}

  async run(task: WorkerTask, timeoutMs: number): Promise<unknown> {
    if (this.running >= this.size.threads) {
      if (this.waiting.length >= this.size.maxQueue) throw new WorkerBusyError(this.name);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    // The clock starts when the worker says it has begun, so a thread's start-up (loading modules,
    // slow on a busy machine) is not counted against the task.
    const { port1: started, port2: startedInWorker } = new MessageChannel();
    const abandon = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    started.once('message', () => {
      timer = setTimeout(() => abandon.abort(), timeoutMs);
    });
    try {
      const message: WorkerMessage = { task, started: startedInWorker };
      const pool = this.pool ?? (await (this.loading ??= this.startPool()));
      return await pool.run(message, { signal: abandon.signal, transferList: [startedInWorker] });
    } catch (err) {
      if (abandon.signal.aborted) throw new WorkerTimeoutError(this.name, timeoutMs);
      throw err;
    } finally {
      clearTimeout(timer);
      started.close();
      // The slot passes straight to the next waiter, so `running` never drops below what is in flight.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  /** Tasks waiting for a thread of this lane (not counting those running). */
  queued(): number {
    return this.waiting.length;
  }

  /** Threads of this lane alive now. */
  threads(): number {
    return this.pool?.threads.length ?? 0;
  }

  /** piscina is loaded with the first task: a server whose comments are all plain text never needs it. */
  private async startPool(): Promise<Piscina> {
    const { Piscina } = await import('piscina');
    // Under tsx the sources are .ts; after tsc or esbuild they are .js next to this file.
    const file = import.meta.url.endsWith('.ts') ? './worker-tasks.ts' : './worker-tasks.js';
    this.pool = new Piscina({
      filename: new URL(file, import.meta.url).href,
      minThreads: 0,
      maxThreads: this.size.threads,
      idleTimeout: this.idleTimeoutMs,
    });
    return this.pool;
  }
}

export interface WorkerPool {
  /** Runs `task` on a thread of `lane`; rejects with WorkerTimeoutError past `timeoutMs`, WorkerBusyError when the lane is full. */
  run(lane: Lane, task: WorkerTask, timeoutMs?: number): Promise<unknown>;
  queued(lane: Lane): number;
  /** Threads of `lane` alive now: none before its first task, none again once they have been idle a while. */
  threads(lane: Lane): number;
}

export function createWorkerPool(options: WorkerPoolOptions = {}): WorkerPool {
  const sizes = laneSizes(options);
  const idle = options.idleTimeoutMs ?? IDLE_THREAD_MS;
  const lanes: Record<Lane, WorkerLane> = {
    comment: new WorkerLane('comment', sizes.comment, idle),
    preview: new WorkerLane('preview', sizes.preview, idle),
    linkback: new WorkerLane('linkback', sizes.linkback, idle),
  };
  return {
    run: (lane, task, timeoutMs = DEFAULT_TASK_TIMEOUT_MS) => lanes[lane].run(task, timeoutMs),
    queued: (lane) => lanes[lane].queued(),
    threads: (lane) => lanes[lane].threads(),
  };
}

let shared: WorkerPool | undefined;

/**
 * The process's pool, made on first use. Threads are a resource of the process, not of one app:
 * several apps in one process (the tests) share it rather than each starting its own threads.
 */
export function sharedWorkerPool(): WorkerPool {
  shared ??= createWorkerPool();
  return shared;
}
