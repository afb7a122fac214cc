/** The moderation page's queries, for both databases: queue sizes, search, and the thread list. */
import type { Comment, CommentStatus } from '../domain/comment.js';
import type { CommentSearch, ThreadSummary } from './repository.js';
import { toComment } from './rows/comment-row.js';
import { toStatusCounts, type StatusCountRow } from './rows/status-count-row.js';
import { toThreadSummary, type ThreadSummaryRow } from './rows/thread-row.js';
import { likePattern, SEARCH_COLUMNS } from './search-columns.js';
import { selectComments, statusLiteral } from './sql/comment-select.js';
import type { SqlRunner } from './sql/sql-runner.js';

export class AdminQueries {
  constructor(private readonly sql: SqlRunner) {}

  async countByStatus(): Promise<Record<CommentStatus, number>> {
    const rows = await this.sql.all(this.sql.db.selectFrom('comments')
      .select((eb) => ['status', eb.fn.countAll<number>().as('n')]).groupBy('status').$castTo<StatusCountRow>());
    return toStatusCounts(rows);
  }

  async search(query: CommentSearch, page: { limit: number; before?: number }): Promise<Comment[]> {
    const columns = query.field ? SEARCH_COLUMNS[query.field] : Object.values(SEARCH_COLUMNS).flat();
    const match = await this.sql.dialect.containsFolded(columns, query.q);
    const rows = await this.sql.all(selectComments(this.sql.db).where(match)
      .$if(query.status !== undefined, (q) => q.where('c.status', '=', query.status!))
      .where('c.id', '<', page.before ?? Number.MAX_SAFE_INTEGER).orderBy('c.id', 'desc').limit(page.limit));
    return rows.map(toComment);
  }

  async listThreads(page: { limit: number; before?: number; q?: string }): Promise<ThreadSummary[]> {
    const { db, dialect } = this.sql;
    const rows = await this.sql.all(db.selectFrom('threads as t')
      .select(['t.id', 't.target', 't.title', 't.comments_closed', 't.linkbacks_closed', 't.created_at'])
      .select((eb) => {
        const count = (status: CommentStatus) => eb.selectFrom('comments as c').select(eb.fn.countAll<number>().as('n'))
          .whereRef('c.thread_id', '=', 't.id').where('c.status', '=', statusLiteral(status));
        return [count('pending').as('n_pending'), count('approved').as('n_approved'), count('spam').as('n_spam'), count('trash').as('n_trash')];
      })
      .where('t.id', '<', page.before ?? Number.MAX_SAFE_INTEGER)
      // Threads are found by address or, once known, by the post's title (issue 16.5).
      .$if(Boolean(page.q), (q) => q.where((eb) => eb.or([
        dialect.likeFolded('t.target', likePattern(page.q!)), dialect.likeFolded('t.title', likePattern(page.q!))])))
      .orderBy('t.id', 'desc').limit(page.limit)
      .$castTo<ThreadSummaryRow>());
    return rows.map(toThreadSummary);
  }
}
