import type pg from 'pg';
import { PgLeasedQueue } from './pg-leased-queue.js';
import type { LinkbackLogEntry, WebmentionJob } from '../../domain/comment.js';
import type { LinkbackLogRepository, NewWebmentionJob, WebmentionRepository } from '../repository.js';
import { LOG_KEEP, toLinkbackLogEntry, type LinkbackLogRow } from '../rows/linkback-log-row.js';
import { toWebmentionJob, WEBMENTION_COLUMNS, type WebmentionRow } from '../rows/webmention-row.js';
import { transaction } from './open-postgres.js';

export class PgWebmentionRepository implements WebmentionRepository {
  private readonly queue: PgLeasedQueue<WebmentionRow, WebmentionJob>;

  constructor(private readonly pool: pg.Pool) {
    this.queue = new PgLeasedQueue(pool, 'webmentions', WEBMENTION_COLUMNS, toWebmentionJob);
  }

  enqueue(job: NewWebmentionJob): Promise<WebmentionJob> {
    return transaction(this.pool, async (client) => {
      // Two instances receiving the same mention at once must end up with one waiting job: a
      // transaction-scoped lock on the (source, target) pair serializes the look-then-insert.
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`webmention\n${job.source}\n${job.target}`]);
      const waiting = await client.query<WebmentionRow>(
        `SELECT ${WEBMENTION_COLUMNS} FROM webmentions WHERE source = $1 AND target = $2 AND status = 'pending'
          AND claimed_until IS NULL AND attempts = 0 LIMIT 1`,
        [job.source, job.target],
      );
      if (waiting.rows[0]) return toWebmentionJob(waiting.rows[0]);
      const inserted = await client.query<WebmentionRow>(
        `INSERT INTO webmentions (token, source, target, status, next_attempt_at, client_ip, user_agent, created_at, updated_at)
          VALUES ($1, $2, $3, 'pending', $4, $5, $6, $4, $4) RETURNING ${WEBMENTION_COLUMNS}`,
        [job.token, job.source, job.target, job.now.getTime(), job.clientIp, job.userAgent],
      );
      return toWebmentionJob(inserted.rows[0]!);
    });
  }

  async findByToken(token: string): Promise<WebmentionJob | undefined> {
    const result = await this.pool.query<WebmentionRow>({ name: 'webmentions-by-token', text: `SELECT ${WEBMENTION_COLUMNS} FROM webmentions WHERE token = $1`, values: [token] });
    return result.rows[0] && toWebmentionJob(result.rows[0]);
  }

  async claimDue(now: Date, limit: number, leaseMs: number): Promise<WebmentionJob[]> {
    return this.queue.claimDue(now, limit, leaseMs);
  }

  async finish(id: number, r: { status: 'accepted' | 'rejected'; reason: string; commentId: number | null; now: Date }): Promise<void> {
    await this.pool.query({
      name: 'webmentions-finish',
      text: `UPDATE webmentions SET status = $2, reason = $3, comment_id = $4, claimed_until = NULL, updated_at = $5 WHERE id = $1`,
      values: [id, r.status, r.reason, r.commentId, r.now.getTime()],
    });
  }

  async retryLater(id: number, r: { reason: string; nextAttemptAt: Date; now: Date; refund?: boolean }): Promise<void> {
    await this.pool.query({
      name: 'webmentions-retry',
      text: `UPDATE webmentions SET reason = $2, next_attempt_at = $3, claimed_until = NULL, attempts = attempts - $5, updated_at = $4 WHERE id = $1`,
      values: [id, r.reason, r.nextAttemptAt.getTime(), r.now.getTime(), r.refund ? 1 : 0],
    });
  }

  async countDue(now: Date): Promise<number> {
    return this.queue.countDue(now);
  }
}

export class PgLinkbackLogRepository implements LinkbackLogRepository {
  private recorded = 0;

  constructor(private readonly pool: pg.Pool) {}

  async record(e: Omit<LinkbackLogEntry, 'id'>): Promise<void> {
    await this.pool.query({
      name: 'linkback-log-insert',
      text: `INSERT INTO linkback_log (kind, source, target, outcome, reason, ip, comment_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      values: [e.kind, e.source, e.target, e.outcome, e.reason, e.ip, e.commentId, e.created.getTime()],
    });
    if (++this.recorded % 100 === 0) {
      await this.pool.query(`DELETE FROM linkback_log WHERE id <= (SELECT max(id) FROM linkback_log) - ${LOG_KEEP}`);
    }
  }

  async list(page: { limit: number; before?: number }): Promise<LinkbackLogEntry[]> {
    const result = await this.pool.query<LinkbackLogRow>({
      name: 'linkback-log-list',
      text: `SELECT * FROM linkback_log WHERE id < $1 ORDER BY id DESC LIMIT $2`,
      values: [page.before ?? Number.MAX_SAFE_INTEGER, page.limit],
    });
    return result.rows.map(toLinkbackLogEntry);
  }
}
