/**
 * Turning a foreign record into a TransferComment: the same cleaning a new comment gets (plain-text
 * names, checked URLs, the one sanitizer for bodies, reduced IPs), but no spam checks and no
 * notifications, and the source's status kept.
 */
import type { CommentKind, CommentStatus } from '../domain/comment.js';
import { reduceIp } from '../lib/ip.js';
import { truncateText } from '../lib/text.js';
import { linkKey, normalizeHttpUrl } from '../lib/url.js';
import { LIMITS, plainName } from '../pipeline/normalize.js';
import { renderCommentBody, renderPlainText, sanitizeCommentHtml, toPlainText } from '../pipeline/sanitize.js';
import type { TransferComment, TransferThread } from '../store/repository.js';

/** What a reader yields: threads (with their flags) and comments, in file order. */
export type ImportRecord = { type: 'thread'; thread: TransferThread } | { type: 'comment'; comment: TransferComment };

/** A record the file does not allow us to read; `where` names the line or the record. */
export class ImportError extends Error {
  constructor(readonly where: string, message: string) {
    super(`${where}: ${message}`);
    this.name = 'ImportError';
  }
}

export interface ImportOptions {
  /** Keep full client IPs (BACKTALK_KEEP_IP); otherwise reduced like new comments'. */
  keepIp: boolean;
  /** The source blog's IANA time zone, for local times given without UTC (WXR without `_gmt`); default UTC. */
  timeZone?: string;
}

/** What a foreign record offers, loosely typed; `body` is in the `bodyFormat` the source stores. */
export interface ForeignComment {
  key: string;
  parentKey: string | null;
  target: string;
  kind: CommentKind;
  status: CommentStatus;
  author: string;
  email: string;
  url: string;
  ip: string;
  userAgent?: string;
  body: string;
  /** markdown: WordPress and Isso (plain text with a little HTML); html: Disqus; text: linkback excerpts. */
  bodyFormat: 'markdown' | 'html' | 'text';
  created: Date;
  edited?: Date | null;
  deleted?: boolean;
  title?: string | null;
  /** Votes the source counted (Isso); kept as the comment's starting counts. */
  likes?: number;
  dislikes?: number;
}

/** Normalizes a post link into a thread target, or throws naming the record. */
export function targetOf(link: string, where: string): string {
  const target = normalizeHttpUrl(link);
  if (!target) throw new ImportError(where, `the post link "${truncateText(link, 80)}" is not an absolute http(s) URL`);
  return target;
}

export function toTransferComment(c: ForeignComment, options: ImportOptions): TransferComment {
  const isLinkback = c.kind !== 'comment';
  const url = normalizeHttpUrl(c.url) ?? '';
  const render = { markdown: renderCommentBody, html: sanitizeCommentHtml, text: (t: string) => renderPlainText(toPlainText(t)) }[c.bodyFormat];
  const deleted = c.deleted ?? false;
  return {
    key: c.key,
    parentKey: c.parentKey,
    target: c.target,
    kind: c.kind,
    status: c.status,
    author: truncateText(plainName(c.author), LIMITS.author),
    email: c.email.trim().slice(0, LIMITS.email),
    url,
    bodyRaw: deleted ? '' : c.body,
    bodyHtml: deleted ? '' : render(c.body).trim(),
    // WordPress keeps a linkback's source page as the author URL; it is also the uniqueness key.
    source: isLinkback && url ? url : null,
    sourceKey: isLinkback && url ? linkKey(url) ?? null : null,
    title: c.title ? truncateText(toPlainText(c.title), LIMITS.title) : null,
    mentionType: c.kind === 'webmention' ? 'mention' : null,
    authorPhoto: null,
    ip: options.keepIp || c.ip === '' ? c.ip.trim() : reduceIp(c.ip.trim()),
    userAgent: c.userAgent ?? '',
    reasons: [],
    editTokenHash: null,
    deleted,
    created: c.created,
    edited: c.edited ?? null,
    ...votesOf(c),
  };
}

/** The source's vote counts when it has any (whole numbers from 0; anything else counts as none). */
function votesOf(c: ForeignComment): { likes?: number; dislikes?: number } {
  const count = (n: number | undefined) => (Number.isSafeInteger(n) && n! > 0 ? n! : 0);
  const likes = count(c.likes);
  const dislikes = count(c.dislikes);
  return likes || dislikes ? { likes, dislikes } : {};
}

/** A date the source wrote, or an error naming the record. */
export function parseDate(value: string, where: string, field: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new ImportError(where, `${field} "${truncateText(value, 40)}" is not a date`);
  return date;
}
