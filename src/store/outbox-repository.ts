/** The durable outbox for mail and webhooks, for both databases. */
import { LeasedQueue } from './leased-queue.js';
import type { OutboxChannel, OutboxItem, OutboxRepository, OutboxStatus } from './repository.js';
import { toOutboxItem, type OutboxRow } from './rows/outbox-row.js';
import type { SqlRunner } from './sql/sql-runner.js';

/** Delivered items are kept a while for the owner to look at, not for ever. */
const SENT_KEEP_MS = 30 * 24 * 3600_000;
/** Error texts are for the owner to read, not a transcript. */
const ERROR_KEEP = 1000;

export class SqlOutboxRepository implements OutboxRepository {
  private readonly queue: LeasedQueue<OutboxRow, OutboxItem>;
  private sentCount = 0;

  constructor(private readonly sql: SqlRunner) {
    this.queue = new LeasedQueue(sql, 'outbox', toOutboxItem);
  }

  async enqueue(item: { channel: OutboxChannel; payload: Record<string, unknown>; now: Date }): Promise<OutboxItem> {
    const now = item.now.getTime();
    const row = await this.sql.first(this.sql.db.insertInto('outbox')
      .values({ channel: item.channel, payload: JSON.stringify(item.payload), status: 'pending', next_attempt_at: now, created_at: now })
      .returningAll());
    return toOutboxItem(row!);
  }

  async findById(id: number): Promise<OutboxItem | undefined> {
    const row = await this.sql.first(this.sql.db.selectFrom('outbox').selectAll().where('id', '=', id));
    return row && toOutboxItem(row);
  }

  claimDue(now: Date, limit: number, leaseMs: number): Promise<OutboxItem[]> {
    return this.queue.claimDue(now, limit, leaseMs);
  }

  async markSent(id: number, now: Date): Promise<void> {
    const outbox = this.sql.db.updateTable('outbox');
    await this.sql.run(outbox.set({ status: 'sent', sent_at: now.getTime(), claimed_until: null, last_error: null }).where('id', '=', id));
    if (++this.sentCount % 100 === 0) {
      await this.sql.run(this.sql.db.deleteFrom('outbox').where('status', '=', 'sent').where('sent_at', '<', now.getTime() - SENT_KEEP_MS));
    }
  }

  async retryLater(id: number, result: { error: string; nextAttemptAt: Date }): Promise<void> {
    await this.sql.run(this.sql.db.updateTable('outbox')
      .set({ last_error: result.error.slice(0, ERROR_KEEP), next_attempt_at: result.nextAttemptAt.getTime(), claimed_until: null })
      .where('id', '=', id));
  }

  async markFailed(id: number, error: string): Promise<void> {
    await this.sql.run(this.sql.db.updateTable('outbox')
      .set({ status: 'failed', last_error: error.slice(0, ERROR_KEEP), claimed_until: null }).where('id', '=', id));
  }

  async retryFailed(id: number, now: Date): Promise<OutboxItem | undefined> {
    const changed = await this.sql.run(this.sql.db.updateTable('outbox')
      .set({ status: 'pending', attempts: 0, next_attempt_at: now.getTime(), claimed_until: null })
      .where('id', '=', id).where('status', '=', 'failed'));
    return changed > 0 ? this.findById(id) : undefined;
  }

  countDue(now: Date): Promise<number> {
    return this.queue.countDue(now);
  }

  async listByStatus(status: OutboxStatus, limit: number): Promise<OutboxItem[]> {
    const rows = await this.sql.all(this.sql.db.selectFrom('outbox').selectAll().where('status', '=', status).orderBy('id', 'desc').limit(limit));
    return rows.map(toOutboxItem);
  }
}
