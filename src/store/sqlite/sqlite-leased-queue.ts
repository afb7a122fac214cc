/**
 * The leasing part of a durable SQLite queue, shared by the Webmention queue and the mail/webhook
 * outbox: which rows are due, claiming them (a lease plus one attempt), and the due count.
 */
import type { SqliteDatabase } from './open-sqlite.js';

export class SqliteLeasedQueue<Row, Item> {
  private readonly stmts;

  /** `table` is one of our own queue tables (never user input): it has status, next_attempt_at, claimed_until, attempts. */
  constructor(private readonly db: SqliteDatabase, table: 'webmentions' | 'outbox', private readonly toItem: (row: Row) => Item) {
    this.stmts = {
      due: db.prepare(`SELECT id FROM ${table} WHERE status = 'pending' AND next_attempt_at <= @now
          AND (claimed_until IS NULL OR claimed_until < @now) ORDER BY next_attempt_at, id LIMIT @limit`),
      claim: db.prepare(`UPDATE ${table} SET claimed_until = @until, attempts = attempts + 1 WHERE id = @id`),
      byId: db.prepare(`SELECT * FROM ${table} WHERE id = ?`),
      countDue: db.prepare(`SELECT count(*) AS n FROM ${table} WHERE status = 'pending' AND next_attempt_at <= ?`),
    };
  }

  /** Leases up to `limit` due rows. IMMEDIATE takes the write lock before reading, so two processes never lease the same row. */
  claimDue(now: Date, limit: number, leaseMs: number): Item[] {
    return this.db.transaction(() => {
      const ids = (this.stmts.due.all({ now: now.getTime(), limit }) as Array<{ id: number }>).map((r) => r.id);
      return ids.map((id) => {
        this.stmts.claim.run({ id, until: now.getTime() + leaseMs });
        return this.toItem(this.stmts.byId.get(id) as Row);
      });
    }).immediate();
  }

  countDue(now: Date): number {
    return (this.stmts.countDue.get(now.getTime()) as { n: number }).n;
  }
}
