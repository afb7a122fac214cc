import type { LinkbackLogEntry, WebmentionJob } from '../../domain/comment.js';
import type { LinkbackLogRepository, NewWebmentionJob, WebmentionRepository } from '../repository.js';
import { LOG_KEEP, toLinkbackLogEntry, type LinkbackLogRow } from '../rows/linkback-log-row.js';
import { toWebmentionJob, type WebmentionRow } from '../rows/webmention-row.js';
import type { SqliteDatabase } from './open-sqlite.js';
import { SqliteLeasedQueue } from './sqlite-leased-queue.js';

export class SqliteWebmentionRepository implements WebmentionRepository {
  private readonly stmts;
  private readonly queue: SqliteLeasedQueue<WebmentionRow, WebmentionJob>;

  constructor(private readonly db: SqliteDatabase) {
    this.queue = new SqliteLeasedQueue(db, 'webmentions', toWebmentionJob);
    this.stmts = {
      unclaimed: db.prepare(`SELECT * FROM webmentions WHERE source = ? AND target = ? AND status = 'pending'
          AND claimed_until IS NULL AND attempts = 0 LIMIT 1`),
      insert: db.prepare(`INSERT INTO webmentions (token, source, target, status, next_attempt_at, client_ip, user_agent, created_at, updated_at)
        VALUES (@token, @source, @target, 'pending', @now, @client_ip, @user_agent, @now, @now)`),
      byToken: db.prepare(`SELECT * FROM webmentions WHERE token = ?`),
      byId: db.prepare(`SELECT * FROM webmentions WHERE id = ?`),
      finish: db.prepare(`UPDATE webmentions SET status = @status, reason = @reason, comment_id = @comment_id,
          claimed_until = NULL, updated_at = @now WHERE id = @id`),
      retry: db.prepare(`UPDATE webmentions SET reason = @reason, next_attempt_at = @next, claimed_until = NULL,
          attempts = attempts - @refund, updated_at = @now WHERE id = @id`),
    };
  }

  async enqueue(job: NewWebmentionJob): Promise<WebmentionJob> {
    return this.db.transaction(() => {
      const waiting = this.stmts.unclaimed.get(job.source, job.target) as WebmentionRow | undefined;
      if (waiting) return toWebmentionJob(waiting);
      const info = this.stmts.insert.run({
        token: job.token, source: job.source, target: job.target, now: job.now.getTime(), client_ip: job.clientIp, user_agent: job.userAgent,
      });
      return toWebmentionJob(this.stmts.byId.get(info.lastInsertRowid) as WebmentionRow);
    }).immediate();
  }

  async findByToken(token: string): Promise<WebmentionJob | undefined> {
    const row = this.stmts.byToken.get(token) as WebmentionRow | undefined;
    return row && toWebmentionJob(row);
  }

  async claimDue(now: Date, limit: number, leaseMs: number): Promise<WebmentionJob[]> {
    return this.queue.claimDue(now, limit, leaseMs);
  }

  async finish(id: number, result: { status: 'accepted' | 'rejected'; reason: string; commentId: number | null; now: Date }): Promise<void> {
    this.stmts.finish.run({ id, status: result.status, reason: result.reason, comment_id: result.commentId, now: result.now.getTime() });
  }

  async retryLater(id: number, result: { reason: string; nextAttemptAt: Date; now: Date; refund?: boolean }): Promise<void> {
    this.stmts.retry.run({ id, reason: result.reason, next: result.nextAttemptAt.getTime(), now: result.now.getTime(), refund: result.refund ? 1 : 0 });
  }

  async countDue(now: Date): Promise<number> {
    return this.queue.countDue(now);
  }
}

export class SqliteLinkbackLogRepository implements LinkbackLogRepository {
  private readonly stmts;
  private recorded = 0;

  constructor(db: SqliteDatabase) {
    this.stmts = {
      insert: db.prepare(`INSERT INTO linkback_log (kind, source, target, outcome, reason, ip, comment_id, created_at)
        VALUES (@kind, @source, @target, @outcome, @reason, @ip, @comment_id, @created_at)`),
      list: db.prepare(`SELECT * FROM linkback_log WHERE id < ? ORDER BY id DESC LIMIT ?`),
      // The log is for diagnosis, not an archive: the newest LOG_KEEP attempts are kept.
      prune: db.prepare(`DELETE FROM linkback_log WHERE id <= (SELECT max(id) FROM linkback_log) - ${LOG_KEEP}`),
    };
  }

  async record(e: Omit<LinkbackLogEntry, 'id'>): Promise<void> {
    this.stmts.insert.run({
      kind: e.kind, source: e.source, target: e.target, outcome: e.outcome, reason: e.reason, ip: e.ip,
      comment_id: e.commentId, created_at: e.created.getTime(),
    });
    if (++this.recorded % 100 === 0) this.stmts.prune.run();
  }

  async list(page: { limit: number; before?: number }): Promise<LinkbackLogEntry[]> {
    const rows = this.stmts.list.all(page.before ?? Number.MAX_SAFE_INTEGER, page.limit) as LinkbackLogRow[];
    return rows.map(toLinkbackLogEntry);
  }
}
