import type pg from 'pg';
import { PgLeasedQueue } from './pg-leased-queue.js';
import type { OutboxChannel, OutboxItem, OutboxRepository, OutboxStatus, Subscription, SubscriptionRepository, UsedTokenRepository } from '../repository.js';
import { OUTBOX_COLUMNS, toOutboxItem, type OutboxRow } from '../rows/outbox-row.js';
import { toSubscription, type SubscriptionRow } from '../rows/subscription-row.js';
import { transaction } from './open-postgres.js';

export class PgOutboxRepository implements OutboxRepository {
  private readonly queue: PgLeasedQueue<OutboxRow, OutboxItem>;

  constructor(private readonly pool: pg.Pool) {
    this.queue = new PgLeasedQueue(pool, 'outbox', OUTBOX_COLUMNS, toOutboxItem);
  }

  async enqueue(item: { channel: OutboxChannel; payload: Record<string, unknown>; now: Date }): Promise<OutboxItem> {
    const result = await this.pool.query<OutboxRow>({
      name: 'outbox-insert',
      text: `INSERT INTO outbox (channel, payload, status, next_attempt_at, created_at) VALUES ($1, $2, 'pending', $3, $3) RETURNING ${OUTBOX_COLUMNS}`,
      values: [item.channel, JSON.stringify(item.payload), item.now.getTime()],
    });
    return toOutboxItem(result.rows[0]!);
  }

  async findById(id: number): Promise<OutboxItem | undefined> {
    const result = await this.pool.query<OutboxRow>({ name: 'outbox-by-id', text: `SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE id = $1`, values: [id] });
    return result.rows[0] && toOutboxItem(result.rows[0]);
  }

  async claimDue(now: Date, limit: number, leaseMs: number): Promise<OutboxItem[]> {
    return this.queue.claimDue(now, limit, leaseMs);
  }

  async markSent(id: number, now: Date): Promise<void> {
    await this.pool.query(`UPDATE outbox SET status = 'sent', sent_at = $2, claimed_until = NULL, last_error = NULL WHERE id = $1`, [id, now.getTime()]);
  }

  async retryLater(id: number, result: { error: string; nextAttemptAt: Date }): Promise<void> {
    await this.pool.query(`UPDATE outbox SET last_error = $2, next_attempt_at = $3, claimed_until = NULL WHERE id = $1`,
      [id, result.error.slice(0, 1000), result.nextAttemptAt.getTime()]);
  }

  async markFailed(id: number, error: string): Promise<void> {
    await this.pool.query(`UPDATE outbox SET status = 'failed', last_error = $2, claimed_until = NULL WHERE id = $1`, [id, error.slice(0, 1000)]);
  }

  async countDue(now: Date): Promise<number> {
    return this.queue.countDue(now);
  }

  async listByStatus(status: OutboxStatus, limit: number): Promise<OutboxItem[]> {
    const result = await this.pool.query<OutboxRow>(`SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE status = $1 ORDER BY id DESC LIMIT $2`, [status, limit]);
    return result.rows.map(toOutboxItem);
  }
}

export class PgSubscriptionRepository implements SubscriptionRepository {
  constructor(private readonly pool: pg.Pool) {}

  async request(email: string, threadId: number, tokenHash: string, now: Date, lang: string | null = null): Promise<{ subscription: Subscription; renewed: boolean }> {
    return transaction(this.pool, async (client) => {
      // Insert-or-nothing first, so two instances asking at once end with one row; then lock that row.
      await client.query(`INSERT INTO subscriptions (email, thread_id, confirmed, token_hash, created_at, lang) VALUES ($1, $2, false, $3, $4, $5)
        ON CONFLICT (email, thread_id) DO NOTHING`, [email, threadId, tokenHash, now.getTime(), lang]);
      const row = (await client.query<SubscriptionRow>(`SELECT * FROM subscriptions WHERE email = $1 AND thread_id = $2 FOR UPDATE`, [email, threadId])).rows[0]!;
      if (row.confirmed) return { subscription: toSubscription(row), renewed: false };
      const renewed = await client.query<SubscriptionRow>(`UPDATE subscriptions SET token_hash = $2, created_at = $3, lang = coalesce($4, lang) WHERE id = $1 RETURNING *`,
        [row.id, tokenHash, now.getTime(), lang]);
      return { subscription: toSubscription(renewed.rows[0]!), renewed: true };
    });
  }

  async findById(id: number): Promise<Subscription | undefined> {
    const row = (await this.pool.query<SubscriptionRow>(`SELECT * FROM subscriptions WHERE id = $1`, [id])).rows[0];
    return row && toSubscription(row);
  }

  async findByEmail(email: string, threadId: number): Promise<Subscription | undefined> {
    const row = (await this.pool.query<SubscriptionRow>(`SELECT * FROM subscriptions WHERE email = $1 AND thread_id = $2`, [email, threadId])).rows[0];
    return row && toSubscription(row);
  }

  async confirm(id: number): Promise<boolean> {
    return ((await this.pool.query(`UPDATE subscriptions SET confirmed = true WHERE id = $1`, [id])).rowCount ?? 0) > 0;
  }

  async remove(id: number): Promise<boolean> {
    return ((await this.pool.query(`DELETE FROM subscriptions WHERE id = $1`, [id])).rowCount ?? 0) > 0;
  }

  async listConfirmed(threadId: number): Promise<Subscription[]> {
    const result = await this.pool.query<SubscriptionRow>(`SELECT * FROM subscriptions WHERE thread_id = $1 AND confirmed ORDER BY id`, [threadId]);
    return result.rows.map(toSubscription);
  }
}

export class PgUsedTokenRepository implements UsedTokenRepository {
  constructor(private readonly pool: pg.Pool) {}

  /** The primary key decides: of two racing uses, on any instances, exactly one inserts. */
  async use(nonce: string, now: Date): Promise<boolean> {
    const result = await this.pool.query(`INSERT INTO used_action_tokens (nonce, used_at) VALUES ($1, $2) ON CONFLICT (nonce) DO NOTHING`, [nonce, now.getTime()]);
    return result.rowCount === 1;
  }
}
