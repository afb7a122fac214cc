/** The linkback attempt log, for both databases. */
import { sql } from 'kysely';
import type { LinkbackLogEntry } from '../domain/comment.js';
import type { LinkbackLogRepository } from './repository.js';
import { LOG_KEEP, toLinkbackLogEntry } from './rows/linkback-log-row.js';
import type { SqlRunner } from './sql/sql-runner.js';

export class SqlLinkbackLogRepository implements LinkbackLogRepository {
  private recorded = 0;

  constructor(private readonly sql: SqlRunner) {}

  async record(e: Omit<LinkbackLogEntry, 'id'>): Promise<void> {
    await this.sql.run(this.sql.db.insertInto('linkback_log').values({
      kind: e.kind, source: e.source, target: e.target, outcome: e.outcome, reason: e.reason, ip: e.ip,
      comment_id: e.commentId, created_at: e.created.getTime(),
    }));
    // The log is for diagnosis, not an archive: the newest LOG_KEEP attempts are kept.
    if (++this.recorded % 100 === 0) {
      await this.sql.run(this.sql.db.deleteFrom('linkback_log')
        .where('id', '<=', sql<number>`(SELECT max(id) FROM linkback_log) - ${sql.lit(LOG_KEEP)}`));
    }
  }

  async list(page: { limit: number; before?: number }): Promise<LinkbackLogEntry[]> {
    const rows = await this.sql.all(this.sql.db.selectFrom('linkback_log').selectAll()
      .where('id', '<', page.before ?? Number.MAX_SAFE_INTEGER).orderBy('id', 'desc').limit(page.limit));
    return rows.map(toLinkbackLogEntry);
  }
}
