import type { OutboxChannel, OutboxItem, OutboxRepository, OutboxStatus } from '../repository.js';
import { toOutboxItem, type OutboxRow } from '../rows/outbox-row.js';
import type { SqliteDatabase } from './open-sqlite.js';
import { SqliteLeasedQueue } from './sqlite-leased-queue.js';

const SENT_KEEP_MS = 30 * 24 * 3600_000;

export class SqliteOutboxRepository implements OutboxRepository {
  private readonly stmts;
  private readonly queue: SqliteLeasedQueue<OutboxRow, OutboxItem>;
  private sentCount = 0;

  constructor(db: SqliteDatabase) {
    this.queue = new SqliteLeasedQueue(db, 'outbox', toOutboxItem);
    this.stmts = {
      insert: db.prepare(`INSERT INTO outbox (channel, payload, status, next_attempt_at, created_at)
        VALUES (@channel, @payload, 'pending', @now, @now)`),
      byId: db.prepare(`SELECT * FROM outbox WHERE id = ?`),
      sent: db.prepare(`UPDATE outbox SET status = 'sent', sent_at = @now, claimed_until = NULL, last_error = NULL WHERE id = @id`),
      retry: db.prepare(`UPDATE outbox SET last_error = @error, next_attempt_at = @next, claimed_until = NULL WHERE id = @id`),
      failed: db.prepare(`UPDATE outbox SET status = 'failed', last_error = @error, claimed_until = NULL WHERE id = @id`),
      list: db.prepare(`SELECT * FROM outbox WHERE status = ? ORDER BY id DESC LIMIT ?`),
      // Delivered items are kept a while for the owner to look at, not for ever.
      pruneSent: db.prepare(`DELETE FROM outbox WHERE status = 'sent' AND sent_at < ?`),
    };
  }

  async enqueue(item: { channel: OutboxChannel; payload: Record<string, unknown>; now: Date }): Promise<OutboxItem> {
    const info = this.stmts.insert.run({ channel: item.channel, payload: JSON.stringify(item.payload), now: item.now.getTime() });
    return toOutboxItem(this.stmts.byId.get(info.lastInsertRowid) as OutboxRow);
  }

  async findById(id: number): Promise<OutboxItem | undefined> {
    const row = this.stmts.byId.get(id) as OutboxRow | undefined;
    return row && toOutboxItem(row);
  }

  async claimDue(now: Date, limit: number, leaseMs: number): Promise<OutboxItem[]> {
    return this.queue.claimDue(now, limit, leaseMs);
  }

  async markSent(id: number, now: Date): Promise<void> {
    this.stmts.sent.run({ id, now: now.getTime() });
    if (++this.sentCount % 100 === 0) this.stmts.pruneSent.run(now.getTime() - SENT_KEEP_MS);
  }

  async retryLater(id: number, result: { error: string; nextAttemptAt: Date }): Promise<void> {
    this.stmts.retry.run({ id, error: result.error.slice(0, 1000), next: result.nextAttemptAt.getTime() });
  }

  async markFailed(id: number, error: string): Promise<void> {
    this.stmts.failed.run({ id, error: error.slice(0, 1000) });
  }

  async countDue(now: Date): Promise<number> {
    return this.queue.countDue(now);
  }

  async listByStatus(status: OutboxStatus, limit: number): Promise<OutboxItem[]> {
    return (this.stmts.list.all(status, limit) as OutboxRow[]).map(toOutboxItem);
  }
}
