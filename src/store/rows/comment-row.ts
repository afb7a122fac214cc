/**
 * The comments table's row shape and its mapping to the domain, for both backends: the only place
 * columns are named outside SQL.
 */
import { hash } from 'node:crypto';
import type { Comment, CommentKind, CommentStatus, EditedBy, MentionType, NewComment } from '../../domain/comment.js';
import type { Insertable, Selectable } from 'kysely';
import type { CommentsTable } from '../sql/schema-types.js';
import { isSet } from './flag.js';

/** A comment's columns as selected (sql/comment-select.ts), joined with its thread's target. */
export type CommentRow = Omit<Selectable<CommentsTable>, 'source_key' | 'import_key' | 'body_hash'> & { target: string };

/** Columns selected for a Comment, joined with its thread's target. */
export const COMMENT_COLUMNS = `c.id, c.thread_id, t.target, c.parent_id, c.kind, c.status, c.author, c.email, c.url,
  c.body_html, c.body_raw, c.source_url, c.title, c.mention_type, c.author_photo, c.ip, c.user_agent,
  c.reasons, c.edit_token_hash, c.deleted, c.created_at, c.edited_at, c.lang, c.likes, c.dislikes, c.owner, c.pinned, c.edited_by`;

export function toComment(row: CommentRow): Comment {
  return {
    id: row.id,
    threadId: row.thread_id,
    target: row.target,
    parent: row.parent_id,
    kind: row.kind as CommentKind,
    status: row.status as CommentStatus,
    author: row.author,
    email: row.email,
    url: row.url,
    bodyHtml: row.body_html,
    bodyRaw: row.body_raw,
    source: row.source_url,
    title: row.title,
    mentionType: row.mention_type as MentionType | null,
    authorPhoto: row.author_photo,
    ip: row.ip,
    userAgent: row.user_agent,
    reasons: JSON.parse(row.reasons) as string[],
    editTokenHash: row.edit_token_hash,
    deleted: isSet(row.deleted),
    created: new Date(row.created_at),
    edited: row.edited_at === null ? null : new Date(row.edited_at),
    editedBy: row.edited_by === 'author' || row.edited_by === 'moderator' ? (row.edited_by as EditedBy) : null,
    owner: isSet(row.owner),
    pinned: isSet(row.pinned),
    // Only when known, so a comment without one reads exactly as it did before the column existed.
    ...(row.lang ? { lang: row.lang } : {}),
    ...(row.likes || row.dislikes ? { likes: Number(row.likes), dislikes: Number(row.dislikes) } : {}),
  };
}

/** The row of a new comment, as both backends insert it. */
export function toInsertParams(c: NewComment): Insertable<CommentsTable> {
  return {
    thread_id: c.threadId,
    parent_id: c.parent,
    kind: c.kind,
    status: c.status,
    author: c.author,
    email: c.email,
    url: c.url,
    body_html: c.bodyHtml,
    body_raw: c.bodyRaw,
    source_url: c.source,
    source_key: c.sourceKey,
    title: c.title,
    mention_type: c.mentionType,
    author_photo: c.authorPhoto,
    ip: c.ip,
    user_agent: c.userAgent,
    reasons: JSON.stringify(c.reasons),
    edit_token_hash: c.editTokenHash,
    created_at: c.created.getTime(),
    body_hash: bodyHash(c.bodyRaw),
    lang: c.lang ?? null,
    likes: c.likes ?? 0,
    dislikes: c.dislikes ?? 0,
    owner: c.owner === true,
  };
}

/**
 * The Comment an INSERT of `row` stored, from the row itself plus what the database added (the id;
 * the thread's target, read in the same statement) and the schema's defaults for the columns a new
 * comment leaves out. The same mapping as a read (toComment), so the comment an insert answers with
 * is the one a later SELECT returns, without that SELECT.
 */
export function insertedComment(row: Insertable<CommentsTable>, id: number, target: string): Comment {
  return toComment({
    id,
    thread_id: row.thread_id,
    target,
    parent_id: row.parent_id ?? null,
    kind: row.kind,
    status: row.status,
    author: row.author ?? '',
    email: row.email ?? '',
    url: row.url ?? '',
    body_html: row.body_html,
    body_raw: row.body_raw,
    source_url: row.source_url ?? null,
    title: row.title ?? null,
    mention_type: row.mention_type ?? null,
    author_photo: row.author_photo ?? null,
    ip: row.ip ?? '',
    user_agent: row.user_agent ?? '',
    reasons: row.reasons ?? '[]',
    edit_token_hash: row.edit_token_hash ?? null,
    deleted: false,
    created_at: row.created_at,
    edited_at: null,
    lang: row.lang ?? null,
    likes: row.likes ?? 0,
    dislikes: row.dislikes ?? 0,
    owner: row.owner ?? false,
    pinned: false,
    edited_by: null,
  });
}

/**
 * Indexed stand-in for body_raw in the duplicate check (comments_same_body), so the check reads the
 * few rows with the same hash instead of the whole thread. 96 bits: collisions only cost a compare.
 */
export function bodyHash(bodyRaw: string): string {
  return hash('sha256', bodyRaw, 'base64url').slice(0, 16);
}
