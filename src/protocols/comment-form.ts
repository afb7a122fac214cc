/** The comment API's wire format: request fields → CommentSubmission, Comment → public JSON. Pure. */
import type { Arriving, ClientInfo, Comment, CommentSubmission, OwnerCommentSubmission } from '../domain/comment.js';
import { ValidationError, msg } from '../domain/errors.js';

/**
 * Reads only the fields a reader may set (accept-list); anything else in the body is ignored. `lang`
 * is the request's language, not a field of the body.
 */
export function parseCommentForm(body: unknown, client: ClientInfo, lang?: string): Arriving<CommentSubmission> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError('invalid-body', 'form-expected');
  }
  const fields = body as Record<string, unknown>;
  return {
    kind: 'comment',
    target: stringField(fields, 'target') ?? '',
    body: stringField(fields, 'body') ?? '',
    author: stringField(fields, 'author'),
    email: stringField(fields, 'email'),
    url: stringField(fields, 'url'),
    parent: parentField(fields.parent),
    honeypot: stringField(fields, 'website2'),
    subscribe: flagField(fields.subscribe),
    postTitle: stringField(fields, 'title'),
    lang,
    client,
  };
}

/** The owner's comment from the admin API: `target`, `body` and `parent` (contract v1.1); nothing else is read. */
export function parseOwnerComment(body: unknown, client: ClientInfo): Arriving<OwnerCommentSubmission> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError('invalid-body', 'json-object-expected');
  }
  const fields = body as Record<string, unknown>;
  return {
    kind: 'owner-comment',
    target: stringField(fields, 'target') ?? '',
    body: stringField(fields, 'body') ?? '',
    parent: parentField(fields.parent),
    client,
  };
}

/** The edit request's fields: `body`, optionally `author` and `url`. */
export function parseCommentEdit(body: unknown): { body: string; author?: string; url?: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError('invalid-body', 'json-object-expected');
  }
  const fields = body as Record<string, unknown>;
  return { body: stringField(fields, 'body') ?? '', author: stringField(fields, 'author'), url: stringField(fields, 'url') };
}

function stringField(fields: Record<string, unknown>, name: string): string | undefined {
  if (!Object.hasOwn(fields, name)) return undefined;
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ValidationError('invalid-body', msg('field-not-string', { name }), name);
  return value;
}

/** A checkbox (`1`, `on`, `true`) or a JSON boolean. */
function flagField(value: unknown): boolean {
  if (value === true) return true;
  return typeof value === 'string' && ['1', 'on', 'true', 'yes'].includes(value.trim().toLowerCase());
}

function parentField(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw new ValidationError('invalid-parent', 'parent-not-id', 'parent');
  return n;
}

export interface CommentJson {
  id: number;
  parent: number | null;
  type: Comment['kind'];
  author: string;
  url: string;
  avatar: string;
  body_html: string;
  created: string;
  edited: string | null;
  source: string | null;
  title: string | null;
  /** Contract v1.1: written by the site owner (admin API); no reader can set it. */
  owner: boolean;
  /** Contract v1.1: first among the thread's top-level comments. */
  pinned: boolean;
  /** Who made the last edit, when known: `moderator` is shown as "edited by a moderator". */
  edited_by: Comment['editedBy'];
  mention_type?: string;
  deleted?: true;
  /** Contract v1.1: on every comment object. */
  likes: number;
  dislikes: number;
}

/** The public shape (contract): never the e-mail address, the IP or the user agent. */
export function toCommentJson(c: Comment, avatarUrl: string): CommentJson {
  const json: CommentJson = {
    id: c.id,
    parent: c.parent,
    type: c.kind,
    author: c.deleted ? '' : c.author,
    url: c.deleted ? '' : c.url,
    avatar: c.deleted ? '' : avatarUrl,
    body_html: c.bodyHtml,
    created: isoSeconds(c.created),
    edited: c.edited ? isoSeconds(c.edited) : null,
    source: c.source,
    title: c.title,
    owner: c.owner && !c.deleted,
    pinned: c.pinned,
    edited_by: c.edited ? c.editedBy : null,
    likes: c.likes ?? 0,
    dislikes: c.dislikes ?? 0,
  };
  if (c.mentionType) json.mention_type = c.mentionType;
  if (c.deleted) json.deleted = true;
  return json;
}

/** The admin shape: the public one plus what only the owner may see. */
export function toAdminCommentJson(c: Comment, avatarUrl: string) {
  // Added to the new public object, not spread into another: on Node 20's V8 each property added after
  // a spread costs about 1 µs (docs/benchmarks.md, "Spread, then add"); 50 rows a page.
  return Object.assign(toCommentJson(c, avatarUrl), { status: c.status, target: c.target, email: c.email, ip: c.ip, user_agent: c.userAgent, reasons: c.reasons });
}

function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
