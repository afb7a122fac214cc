/**
 * The leasing part of a durable PostgreSQL queue, shared by the Webmention queue and the mail/webhook
 * outbox: claiming due rows with FOR UPDATE SKIP LOCKED, and the due count.
 */
import type pg from 'pg';

export class PgLeasedQueue<Row extends pg.QueryResultRow, Item extends { id: number; nextAttemptAt: Date }> {
  private readonly claimSql: string;
  private readonly countSql: string;

  /** `table` is one of our own queue tables (never user input); `columns` is its row's column list. */
  constructor(
    private readonly pool: pg.Pool,
    private readonly table: 'webmentions' | 'outbox',
    columns: string,
    private readonly toItem: (row: Row) => Item,
  ) {
    // SKIP LOCKED: workers of other instances claiming at the same moment pass over the rows this
    // statement has locked instead of waiting for them or claiming them twice.
    this.claimSql = `UPDATE ${table} q SET claimed_until = $2, attempts = q.attempts + 1
        FROM (SELECT id FROM ${table} WHERE status = 'pending' AND next_attempt_at <= $1
                AND (claimed_until IS NULL OR claimed_until < $1)
              ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) due
        WHERE q.id = due.id
        RETURNING ${columns.split(', ').map((c) => `q.${c}`).join(', ')}`;
    this.countSql = `SELECT count(*) AS n FROM ${table} WHERE status = 'pending' AND next_attempt_at <= $1`;
  }

  async claimDue(now: Date, limit: number, leaseMs: number): Promise<Item[]> {
    const result = await this.pool.query<Row>({
      name: `${this.table}-claim`, text: this.claimSql, values: [now.getTime(), now.getTime() + leaseMs, limit],
    });
    // RETURNING gives no order; due order is what the worker expects.
    return result.rows.map(this.toItem).sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || a.id - b.id);
  }

  async countDue(now: Date): Promise<number> {
    const result = await this.pool.query<{ n: number }>({ name: `${this.table}-count-due`, text: this.countSql, values: [now.getTime()] });
    return result.rows[0]?.n ?? 0;
  }
}
