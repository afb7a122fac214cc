/** The durable Webmention queue, for both databases. */
import type { WebmentionJob } from '../domain/comment.js';
import { LeasedQueue } from './leased-queue.js';
import type { NewWebmentionJob, WebmentionRepository } from './repository.js';
import { toWebmentionJob, type WebmentionRow } from './rows/webmention-row.js';
import { first, lock, type SqlRunner, type TxWork } from './sql/sql-runner.js';

export class SqlWebmentionRepository implements WebmentionRepository {
  private readonly queue: LeasedQueue<WebmentionRow, WebmentionJob>;

  constructor(private readonly sql: SqlRunner) {
    this.queue = new LeasedQueue(sql, 'webmentions', toWebmentionJob);
  }

  enqueue(job: NewWebmentionJob): Promise<WebmentionJob> {
    return this.sql.transaction(() => this.enqueueWork(job));
  }

  private *enqueueWork(job: NewWebmentionJob): TxWork<WebmentionJob> {
    const db = this.sql.db;
    // Two instances receiving the same mention at once must end up with one waiting job: the lock
    // on the (source, target) pair serializes the look-then-insert.
    yield* lock(`webmention\n${job.source}\n${job.target}`);
    const waiting = yield* first(db.selectFrom('webmentions').selectAll()
      .where('source', '=', job.source).where('target', '=', job.target).where('status', '=', 'pending')
      .where('claimed_until', 'is', null).where('attempts', '=', 0).limit(1));
    if (waiting) return toWebmentionJob(waiting);
    const now = job.now.getTime();
    const inserted = yield* first(db.insertInto('webmentions').values({
      token: job.token, source: job.source, target: job.target, status: 'pending', next_attempt_at: now,
      client_ip: job.clientIp, user_agent: job.userAgent, created_at: now, updated_at: now,
    }).returningAll());
    return toWebmentionJob(inserted!);
  }

  async findByToken(token: string): Promise<WebmentionJob | undefined> {
    const row = await this.sql.first(this.sql.db.selectFrom('webmentions').selectAll().where('token', '=', token));
    return row && toWebmentionJob(row);
  }

  claimDue(now: Date, limit: number, leaseMs: number): Promise<WebmentionJob[]> {
    return this.queue.claimDue(now, limit, leaseMs);
  }

  async finish(id: number, r: { status: 'accepted' | 'rejected'; reason: string; commentId: number | null; now: Date }): Promise<void> {
    await this.sql.run(this.sql.db.updateTable('webmentions').set({
      status: r.status, reason: r.reason, comment_id: r.commentId, claimed_until: null, updated_at: r.now.getTime(),
    }).where('id', '=', id));
  }

  async retryLater(id: number, r: { reason: string; nextAttemptAt: Date; now: Date; refund?: boolean }): Promise<void> {
    await this.sql.run(this.sql.db.updateTable('webmentions').set((eb) => ({
      reason: r.reason, next_attempt_at: r.nextAttemptAt.getTime(), claimed_until: null, updated_at: r.now.getTime(),
      attempts: eb('attempts', '-', r.refund ? 1 : 0),
    })).where('id', '=', id));
  }

  countDue(now: Date): Promise<number> {
    return this.queue.countDue(now);
  }
}
