/**
 * The leasing part of a durable queue, shared by the Webmention queue, the mail/webhook outbox and
 * the send queue's posts and links,
 * on both databases: which rows are due, claiming them (a lease plus one attempt), the due count.
 */
import type { Kysely } from 'kysely';
import type { LeasedQueueColumns } from './sql/schema-types.js';
import { literalLimit } from './sql/literal-limit.js';
import type { SqlRunner } from './sql/sql-runner.js';

export class LeasedQueue<Row, Item extends { id: number; nextAttemptAt: Date }> {
  /** The builder seen through the columns every queue table has; `table` names the real one. */
  private readonly db: Kysely<{ queue: LeasedQueueColumns }>;

  /** `table` is one of our own queue tables (never user input). */
  constructor(private readonly sql: SqlRunner, private readonly table: 'webmentions' | 'outbox' | 'send_posts' | 'send_links', private readonly toItem: (row: Row) => Item) {
    this.db = sql.db as unknown as Kysely<{ queue: LeasedQueueColumns }>;
  }

  /**
   * Leases up to `limit` due rows in one statement. PostgreSQL: SKIP LOCKED, so workers of other
   * instances claiming at the same moment pass over these rows instead of waiting or claiming them
   * twice. SQLite: one writer, so the single UPDATE is already exclusive.
   */
  async claimDue(now: Date, limit: number, leaseMs: number): Promise<Item[]> {
    const table = this.table as 'queue';
    const due = this.db.selectFrom(table).select('id')
      .where('status', '=', 'pending').where('next_attempt_at', '<=', now.getTime())
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now.getTime())]))
      .orderBy('next_attempt_at').orderBy('id').limit(literalLimit(limit))
      .$if(this.sql.dialect.rowLocks, (q) => q.forUpdate().skipLocked());
    const rows = await this.sql.all(this.db.updateTable(table)
      .set((eb) => ({ claimed_until: now.getTime() + leaseMs, attempts: eb('attempts', '+', 1) }))
      .where('id', 'in', due).returningAll());
    // RETURNING gives no order; due order is what the worker expects.
    return (rows as Row[]).map(this.toItem).sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || a.id - b.id);
  }

  async countDue(now: Date): Promise<number> {
    const row = await this.sql.first(this.db.selectFrom(this.table as 'queue').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'pending').where('next_attempt_at', '<=', now.getTime()));
    return Number(row?.n ?? 0);
  }
}
