/** The comments row as PostgreSQL returns it; mapped through the SQLite backend's toComment. */
import type { Comment } from '../../domain/comment.js';
import { toComment, type CommentRow } from '../sqlite/comment-row.js';

/** The columns of a Comment, joined with its thread's target (the same names as the SQLite backend). */
export const COMMENT_COLUMNS = `c.id, c.thread_id, t.target, c.parent_id, c.kind, c.status, c.author, c.email, c.url,
  c.body_html, c.body_raw, c.source_url, c.title, c.mention_type, c.author_photo, c.ip, c.user_agent,
  c.reasons, c.edit_token_hash, c.deleted, c.created_at, c.edited_at`;

export type PgCommentRow = Omit<CommentRow, 'deleted'> & { deleted: boolean };

/** Only the flag's type differs (BOOLEAN here, 0/1 in SQLite). */
export const fromCommentRow = (row: PgCommentRow): Comment => toComment({ ...row, deleted: row.deleted ? 1 : 0 });
