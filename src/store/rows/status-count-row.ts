/** The rows of `SELECT status, count(*) AS n FROM comments GROUP BY status`, as a count per status. */
import { COMMENT_STATUSES, type CommentStatus } from '../../domain/comment.js';

/** `n` is a number on both backends: the PostgreSQL pool parses BIGINT counts (open-postgres.ts). */
export interface StatusCountRow {
  status: CommentStatus;
  n: number;
}

/** Every status, zero where no row names it. */
export function toStatusCounts(rows: Iterable<StatusCountRow>): Record<CommentStatus, number> {
  const counts = Object.fromEntries(COMMENT_STATUSES.map((s) => [s, 0])) as Record<CommentStatus, number>;
  for (const row of rows) counts[row.status] = row.n;
  return counts;
}
