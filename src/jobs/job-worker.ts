/**
 * Runs queued jobs in the background with bounded concurrency: polls for due jobs, leases them, and
 * runs each on its own so one slow source never holds up the others. A failure is logged and its
 * lease runs out, so the job comes back; nothing here ever rejects into the caller.
 */
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';

/** A durable queue whose claims are leases: the Webmention queue and the mail/webhook outbox. */
export interface LeasedQueue<J> {
  /** Atomically leases up to `limit` due jobs. */
  claimDue(now: Date, limit: number, leaseMs: number): Promise<J[]>;
  /** Jobs due at `now` or earlier. */
  countDue(now: Date): Promise<number>;
}

export interface JobWorkerOptions<J extends { id: number }> {
  repo: LeasedQueue<J>;
  run: (job: J) => Promise<void>;
  clock: Clock;
  logger: Logger;
  concurrency: number;
  pollMs: number;
  /** How long a claim lasts; longer than the fetcher's whole timeout. */
  leaseMs: number;
}

export interface JobWorker {
  /** A new job was queued: poll now rather than at the next tick (only while started; tests drain instead). */
  wake(): void;
  start(): void;
  /** Stops polling and waits for the jobs in flight. */
  stop(): Promise<void>;
  /** Runs until no job is due and none is in flight (tests, and `backtalk` CLI commands). */
  drain(): Promise<void>;
  queueDepth(): Promise<number>;
}

export function createJobWorker<J extends { id: number }>(options: JobWorkerOptions<J>): JobWorker {
  const { repo, clock, logger } = options;
  const inFlight = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let polling: Promise<void> | undefined;

  async function poll(): Promise<void> {
    const free = options.concurrency - inFlight.size;
    if (free <= 0) return;
    const jobs = await repo.claimDue(clock.now(), free, options.leaseMs);
    for (const job of jobs) {
      const task = options.run(job)
        .catch((err: unknown) => logger.error({ err, job: job.id }, 'job failed; it will be retried when its lease expires'))
        .finally(() => {
          inFlight.delete(task);
          if (running) wake();
        });
      inFlight.add(task);
    }
  }

  /** Polls now (coalescing concurrent wake-ups). */
  function wake(): void {
    if (polling) return;
    polling = poll()
      .catch((err: unknown) => logger.error({ err }, 'job poll failed'))
      .finally(() => (polling = undefined));
  }

  return {
    /** A new job was queued: poll now rather than at the next tick (only while started; tests drain instead). */
    wake(): void {
      if (running) wake();
    },
    start(): void {
      if (running) return;
      running = true;
      timer = setInterval(wake, options.pollMs);
      timer.unref();
      wake();
    },
    /** Stops polling and waits for the jobs in flight. */
    async stop(): Promise<void> {
      running = false;
      if (timer) clearInterval(timer);
      await polling;
      await Promise.allSettled([...inFlight]);
    },
    /** Runs until no job is due and none is in flight (tests, and `backtalk` CLI commands). */
    async drain(): Promise<void> {
      for (;;) {
        await polling;
        await poll();
        if (inFlight.size === 0 && (await repo.countDue(clock.now())) === 0) return;
        await Promise.race([...inFlight, new Promise((r) => setTimeout(r, 20))]);
      }
    },
    queueDepth: () => repo.countDue(clock.now()),
  };
}

