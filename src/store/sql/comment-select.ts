/** The one SELECT of a Comment (its row joined with its thread's target), for every query that returns comments. */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { CommentStatus } from '../../domain/comment.js';
import type { CommentRow } from '../rows/comment-row.js';
import type { Database } from './schema-types.js';

/** The columns of a CommentRow, from `comments as c` joined with `threads as t`. */
export const COMMENT_SELECTION = [
  'c.id', 'c.thread_id', 't.target', 'c.parent_id', 'c.kind', 'c.status', 'c.author', 'c.email', 'c.url',
  'c.body_html', 'c.body_raw', 'c.source_url', 'c.title', 'c.mention_type', 'c.author_photo', 'c.ip', 'c.user_agent',
  'c.reasons', 'c.edit_token_hash', 'c.deleted', 'c.created_at', 'c.edited_at', 'c.lang', 'c.likes', 'c.dislikes',
] as const;

export function selectComments(db: Kysely<Database>) {
  return db.selectFrom('comments as c')
    .innerJoin('threads as t', 't.id', 'c.thread_id')
    .select(COMMENT_SELECTION)
    .$castTo<CommentRow>();
}

/**
 * A status written into the SQL text rather than bound: the partial indexes (comments_visible_count)
 * name `status = 'approved'`, and a planner can only match them against a literal.
 */
export function statusLiteral(status: CommentStatus): RawBuilder<string> {
  return sql.lit(status);
}
