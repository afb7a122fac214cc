/** The moderation page's queries on SQLite: queue sizes, search, and the thread list. */
import type { Comment, CommentStatus } from '../../domain/comment.js';
import type { CommentSearch, CommentSearchField, ThreadSummary } from '../repository.js';
import { COMMENT_COLUMNS, toComment, type CommentRow } from '../rows/comment-row.js';
import { toStatusCounts, type StatusCountRow } from '../rows/status-count-row.js';
import { toThreadSummary, type ThreadSummaryRow } from '../rows/thread-row.js';
import { likePattern, SEARCH_COLUMNS } from '../search-columns.js';
import type { SqliteDatabase } from './open-sqlite.js';

/** A connection function: JavaScript's Unicode lower-casing. */
const FOLD = 'backtalk_fold';

export class SqliteAdminQueries {
  private readonly searches = new Map<string, ReturnType<SqliteDatabase['prepare']>>();
  private readonly stmts;

  constructor(private readonly db: SqliteDatabase) {
    // SQLite's LIKE and lower() fold ASCII letters only; the search must also find "ОТВЕТ" by "ответ".
    db.function(FOLD, { deterministic: true }, (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value));
    this.stmts = {
      counts: db.prepare(`SELECT status, count(*) AS n FROM comments GROUP BY status`),
      threads: db.prepare(`SELECT t.*,
          (SELECT count(*) FROM comments c WHERE c.thread_id = t.id AND c.status = 'pending') AS n_pending,
          (SELECT count(*) FROM comments c WHERE c.thread_id = t.id AND c.status = 'approved') AS n_approved,
          (SELECT count(*) FROM comments c WHERE c.thread_id = t.id AND c.status = 'spam') AS n_spam,
          (SELECT count(*) FROM comments c WHERE c.thread_id = t.id AND c.status = 'trash') AS n_trash
        FROM threads t WHERE t.id < @before AND (@pattern IS NULL OR t.target LIKE @pattern ESCAPE '\\')
        ORDER BY t.id DESC LIMIT @limit`),
    };
  }

  countByStatus(): Record<CommentStatus, number> {
    return toStatusCounts(this.stmts.counts.all() as StatusCountRow[]);
  }

  search(query: CommentSearch, page: { limit: number; before?: number }): Comment[] {
    // An ASCII query needs only LIKE's own ASCII case folding, about ten times faster than calling
    // into JavaScript per row; other scripts go through the Unicode fold.
    const ascii = /^[\x00-\x7f]*$/.test(query.q);
    const rows = this.searchStatement(query.field, query.status !== undefined, ascii).all({
      needle: ascii ? likePattern(query.q) : query.q.toLowerCase(),
      status: query.status ?? null,
      before: page.before ?? Number.MAX_SAFE_INTEGER,
      limit: page.limit,
    }) as CommentRow[];
    return rows.map(toComment);
  }

  listThreads(page: { limit: number; before?: number; q?: string }): ThreadSummary[] {
    const rows = this.stmts.threads.all({
      before: page.before ?? Number.MAX_SAFE_INTEGER,
      limit: page.limit,
      pattern: page.q ? likePattern(page.q) : null,
    }) as ThreadSummaryRow[];
    return rows.map(toThreadSummary);
  }

  /** One prepared statement per (field, status filter, matcher) made on first use. */
  private searchStatement(field: CommentSearchField | undefined, byStatus: boolean, ascii: boolean) {
    const key = `${field ?? '*'}:${byStatus}:${ascii}`;
    let stmt = this.searches.get(key);
    if (!stmt) {
      const columns = field ? SEARCH_COLUMNS[field] : Object.values(SEARCH_COLUMNS).flat();
      const match = columns
        .map((col) => (ascii ? `${col} LIKE @needle ESCAPE '\\'` : `instr(${FOLD}(${col}), @needle) > 0`))
        .join(' OR ');
      stmt = this.db.prepare(`SELECT ${COMMENT_COLUMNS} FROM comments c JOIN threads t ON t.id = c.thread_id
        WHERE (${match}) ${byStatus ? 'AND c.status = @status' : "AND @status IS NULL"} AND c.id < @before
        ORDER BY c.id DESC LIMIT @limit`);
      this.searches.set(key, stmt);
    }
    return stmt;
  }
}
