/** The moderation page's queries on PostgreSQL: queue sizes, search, and the thread list. */
import type pg from 'pg';
import type { Comment, CommentStatus } from '../../domain/comment.js';
import type { CommentSearch, ThreadSummary } from '../repository.js';
import { COMMENT_COLUMNS, toComment, type CommentRow } from '../rows/comment-row.js';
import { toStatusCounts, type StatusCountRow } from '../rows/status-count-row.js';
import { toThreadSummary, type ThreadSummaryRow } from '../rows/thread-row.js';
import { likePattern, SEARCH_COLUMNS } from '../search-columns.js';

export async function countByStatus(pool: pg.Pool): Promise<Record<CommentStatus, number>> {
  const result = await pool.query<StatusCountRow>({ name: 'admin-counts', text: `SELECT status, count(*) AS n FROM comments GROUP BY status` });
  return toStatusCounts(result.rows);
}

/**
 * The collation that lower-cases every script the same whatever the database's locale: ICU's root
 * locale when PostgreSQL was built with ICU (Debian's is), else the database default (a database made
 * with the C locale then folds ASCII only). Looked up once per pool.
 */
const foldCollation = new WeakMap<pg.Pool, Promise<string>>();
function collationFor(pool: pg.Pool): Promise<string> {
  let found = foldCollation.get(pool);
  if (!found) {
    found = pool.query(`SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu'`)
      .then((r) => (r.rowCount ? ' COLLATE "und-x-icu"' : ''))
      .catch(() => '');
    foldCollation.set(pool, found);
  }
  return found;
}

export async function searchComments(pool: pg.Pool, query: CommentSearch, page: { limit: number; before?: number }): Promise<Comment[]> {
  const field = query.field;
  const columns = field ? SEARCH_COLUMNS[field] : Object.values(SEARCH_COLUMNS).flat();
  // strpos on lower-cased text: a literal substring (no wildcards to escape), case ignored in any
  // script ("ОТВЕТ" is found by "ответ"), as the SQLite backend does with its JavaScript fold.
  const collate = await collationFor(pool);
  const match = columns.map((col) => `strpos(lower(${col}${collate}), lower($1${collate})) > 0`).join(' OR ');
  const result = await pool.query<CommentRow>({
    name: `admin-search-${field ?? 'any'}`,
    text: `SELECT ${COMMENT_COLUMNS} FROM comments c JOIN threads t ON t.id = c.thread_id
      WHERE (${match}) AND ($2::text IS NULL OR c.status = $2) AND c.id < $3 ORDER BY c.id DESC LIMIT $4`,
    values: [query.q, query.status ?? null, page.before ?? Number.MAX_SAFE_INTEGER, page.limit],
  });
  return result.rows.map(toComment);
}

export async function listThreads(pool: pg.Pool, page: { limit: number; before?: number; q?: string }): Promise<ThreadSummary[]> {
  const result = await pool.query<ThreadSummaryRow>({
    name: 'admin-threads',
    text: `SELECT t.id, t.target, t.title, t.comments_closed, t.linkbacks_closed, t.created_at,
        count(c.id) FILTER (WHERE c.status = 'pending') AS n_pending,
        count(c.id) FILTER (WHERE c.status = 'approved') AS n_approved,
        count(c.id) FILTER (WHERE c.status = 'spam') AS n_spam,
        count(c.id) FILTER (WHERE c.status = 'trash') AS n_trash
      FROM (SELECT * FROM threads WHERE id < $1 AND ($3::text IS NULL OR target ILIKE $3 ESCAPE '\\') ORDER BY id DESC LIMIT $2) t
      LEFT JOIN comments c ON c.thread_id = t.id
      GROUP BY t.id, t.target, t.title, t.comments_closed, t.linkbacks_closed, t.created_at
      ORDER BY t.id DESC`,
    values: [page.before ?? Number.MAX_SAFE_INTEGER, page.limit, page.q ? likePattern(page.q) : null],
  });
  return result.rows.map(toThreadSummary);
}
