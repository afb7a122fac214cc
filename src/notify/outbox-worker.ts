/**
 * Delivers outbox items (mail, webhooks) in the background: polls for due items, leases them, and
 * runs each delivery on its own. A failed delivery is retried with exponential back-off up to
 * `maxAttempts`, then marked `failed`; a crash mid-delivery leaves the lease to run out, and the item
 * comes back. Requests never wait for any of this.
 */
import { createJobWorker } from '../jobs/job-worker.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { OutboxChannel, OutboxItem, OutboxRepository } from '../store/repository.js';

export type Deliver = (item: OutboxItem) => Promise<void>;

export interface OutboxWorkerOptions {
  repo: OutboxRepository;
  /** One deliverer per configured channel; an item whose channel is no longer configured fails. */
  deliver: Partial<Record<OutboxChannel, Deliver>>;
  clock: Clock;
  logger: Logger;
  concurrency?: number;
  pollMs?: number;
  /** Longer than one delivery's whole timeout (SMTP 10 s connect + 30 s socket; webhook 10 s). */
  leaseMs?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/** Delay before attempt n + 1 after n failed ones: base · 2^(n−1), capped. */
export function backoffMs(attempts: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
}

export interface OutboxWorker {
  wake(): void;
  start(): void;
  stop(): Promise<void>;
  drain(): Promise<void>;
}

export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { repo, clock, logger } = options;
  const leaseMs = options.leaseMs ?? 120_000;
  // 16 tries over about 28 hours (30 s, 1 min, 2 min … then every 4 h): an SMTP outage of a day loses nothing.
  const maxAttempts = options.maxAttempts ?? 16;
  const baseDelayMs = options.baseDelayMs ?? 30_000;
  const maxDelayMs = options.maxDelayMs ?? 4 * 3600_000;

  async function run(item: OutboxItem): Promise<void> {
    const deliver = options.deliver[item.channel];
    if (!deliver) {
      await repo.markFailed(item.id, `${item.channel} is not configured`);
      return;
    }
    try {
      await deliver(item);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (item.attempts >= maxAttempts) {
        logger.error({ id: item.id, channel: item.channel, attempts: item.attempts, err: message }, 'delivery failed for good');
        await repo.markFailed(item.id, message);
      } else {
        const nextAttemptAt = new Date(clock.now().getTime() + backoffMs(item.attempts, baseDelayMs, maxDelayMs));
        logger.warn({ id: item.id, channel: item.channel, attempts: item.attempts, err: message, nextAttemptAt }, 'delivery failed; will retry');
        await repo.retryLater(item.id, { error: message, nextAttemptAt });
      }
      return;
    }
    await repo.markSent(item.id, clock.now());
  }

  // Polling, leases, bounded concurrency, stop and drain are the same as for the Webmention queue.
  const { wake, start, stop, drain } = createJobWorker({
    repo, run, clock, logger, concurrency: options.concurrency ?? 2, pollMs: options.pollMs ?? 5000, leaseMs,
  });
  return { wake, start, stop, drain };
}

