/**
 * Pure normalization: trims, checks lengths and formats, canonicalizes URLs, and turns the
 * "plain text" fields of linkbacks into real plain text. No I/O.
 */
import type { CommentFields, LinkbackSubmission, MentionType, VerifiedSource } from '../domain/comment.js';
import { ValidationError, msg } from '../domain/errors.js';
import { countCodePoints, truncateText } from '../lib/text.js';
import { linkKey, parseHttpUrl } from '../lib/url.js';
import { toPlainText } from './sanitize.js';

export const LIMITS = { body: 10_000, author: 100, email: 254, url: 500, title: 250, excerpt: 255, linkbackBody: 1_000 } as const;

export interface NormalizedComment {
  author: string;
  email: string;
  url: string;
  bodyRaw: string;
  parent: number | null;
  honeypot: string;
}

export interface NormalizedLinkback {
  source: string;
  sourceKey: string;
  author: string;
  url: string;
  title: string;
  /** Plain text shown as the linkback's body. */
  excerpt: string;
  authorPhoto: string | null;
  mentionType: MentionType | null;
}

/**
 * Invisible format characters a name must not carry (UAX #9 and Unicode's default-ignorables): the
 * bidi embeddings, overrides, isolates and marks, which would reverse or reorder the text around a
 * name wherever it is shown (in mail, feeds and logs too, not only pages that isolate it with
 * <bdi>), and zero-width spaces, word joiners and the BOM, which make "Ann" and "An\u200Bn" look
 * alike. ZWJ and ZWNJ stay only between two non-ASCII characters, where an emoji sequence or a
 * script (Persian, Indic) needs them; next to ASCII they can only serve as disguise.
 */
const INVISIBLE_IN_NAMES = /[\u061C\u180E\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]|(?<![^\x00-\x7F])[\u200C\u200D]|[\u200C\u200D](?![^\x00-\x7F])/g;

/** A person's or a blog's name as plain text on one line, without invisible format characters. */
export function plainName(raw: string): string {
  return toPlainText(raw).replace(INVISIBLE_IN_NAMES, '').replace(/ {2,}/g, ' ').trim();
}

/**
 * A post's title as plain text (issue 16.5): from the widget's page title, a form, an import or the
 * fetched post page. Tags stripped, one line, trimmed, at most LIMITS.title code points; empty: unknown.
 */
export function plainPostTitle(raw: string | null | undefined): string | null {
  const title = truncateText(plainName(raw ?? ''), LIMITS.title);
  return title === '' ? null : title;
}

export function normalizeComment(input: CommentFields): NormalizedComment {
  const bodyRaw = (input.body ?? '').replace(/\r\n?/g, '\n').replace(/\u0000/g, '').trim();
  if (bodyRaw === '') throw new ValidationError('missing-field', 'comment-required', 'body');
  if (longerThan(bodyRaw, LIMITS.body)) {
    throw new ValidationError('field-too-long', msg('comment-too-long', { max: LIMITS.body }), 'body');
  }
  const author = plainName(input.author ?? '');
  if (longerThan(author, LIMITS.author)) {
    throw new ValidationError('field-too-long', msg('name-too-long', { max: LIMITS.author }), 'author');
  }
  const email = (input.email ?? '').trim().toLowerCase();
  if (email !== '' && (email.length > LIMITS.email || !/^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/.test(email))) {
    throw new ValidationError('invalid-body', 'email-invalid', 'email');
  }
  return { author, email, url: normalizeAuthorUrl(input.url), bodyRaw, parent: input.parent ?? null, honeypot: input.honeypot ?? '' };
}

/** More than `max` code points; counted only when the UTF-16 length (never fewer) is over `max`. */
function longerThan(text: string, max: number): boolean {
  return text.length > max && countCodePoints(text) > max;
}

/** Author websites must be http(s); a bare host name gets `http://`, as WordPress does. */
function normalizeAuthorUrl(raw: string | undefined): string {
  const trimmed = (raw ?? '').trim();
  if (trimmed === '') return '';
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(trimmed) ? trimmed : `http://${trimmed}`;
  const url = parseHttpUrl(withScheme);
  if (!url || url.href.length > LIMITS.url) {
    throw new ValidationError('invalid-url', 'website-invalid', 'url');
  }
  return url.href;
}

/**
 * A linkback's displayed fields. TrackBack brings its own title, excerpt and blog name; Pingback and
 * Webmention take them from the verified source page. All of it is plain text from here on.
 */
export function normalizeLinkback(input: LinkbackSubmission, verified: VerifiedSource | undefined): NormalizedLinkback {
  const sourceUrl = parseHttpUrl(input.source);
  const sourceKey = linkKey(input.source);
  if (!sourceUrl || !sourceKey) throw new ValidationError('invalid-url', msg('url-invalid', { url: input.source }), 'url');
  const source = sourceUrl.href;
  const clean = (s: string | undefined, max: number) => truncateText(toPlainText(s ?? ''), max);
  const claimedTitle = clean(input.title, LIMITS.title);
  // TrackBack 1.2 titles an untitled ping with its URL; Pingback and Webmention fall back to the host.
  const title = claimedTitle || clean(verified?.title, LIMITS.title) || (input.kind === 'trackback' ? source : sourceUrl.host);
  const excerptLimit = input.kind === 'trackback' ? LIMITS.excerpt : LIMITS.linkbackBody;
  const excerpt = clean(input.excerpt, excerptLimit) || clean(verified?.excerpt, excerptLimit);
  const name = (s: string | undefined) => truncateText(plainName(s ?? ''), LIMITS.author);
  const author = name(input.blogName) || name(verified?.authorName) || name(verified?.title) || sourceUrl.host;
  const authorUrl = parseHttpUrl(verified?.authorUrl)?.href ?? source;
  return {
    source,
    sourceKey,
    author,
    url: authorUrl,
    title,
    excerpt,
    authorPhoto: parseHttpUrl(verified?.authorPhoto)?.href ?? null,
    mentionType: input.kind === 'webmention' ? (verified?.mentionType ?? 'mention') : null,
  };
}
