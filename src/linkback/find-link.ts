/**
 * Does a fetched source document link to the target, and what should the linkback show?
 * Pure: the caller (pipeline/verify-source) fetches, caps the size and decodes the body first.
 *
 * Matching is exact after normalization on both sides (lib/url linkKey): fragment dropped, scheme
 * and host case, default port and percent-escape case folded, non-ASCII percent-encoded as UTF-8 in
 * NFC, so `/тест` in a page matches a target of `/%d1%82%d0%b5%d1%81%d1%82` (table 7.3 W19). Nothing
 * more is folded: `/post` and `/post/` differ, and so do http and https, `www.` and no `www.`
 * (WM-SPEC §3.2.2 asks for "an exact match of the target URL").
 */
import type { VerifiedSource } from '../domain/comment.js';
import { linkKey, normalizeHttpUrl } from '../lib/url.js';
import { baseUrlOf, firstLinkTo, scanHtml, type LinkRule } from './source-document.js';

export type { LinkRule };
import { excerptAround, clipPhrase } from './link-context.js';
import { MAX_TITLE, readPrimaryEntry } from './microformats.js';


export interface SourceDocument {
  /** Final URL after redirects: the base for relative links. */
  url: string;
  /** The Content-Type header, e.g. 'text/html; charset=utf-8'; '' when unknown (treated as HTML). */
  contentType: string;
  /** The body, already decoded to text. */
  body: string;
}

export type LinkCheck =
  | { kind: 'linked'; source: VerifiedSource }
  | { kind: 'no-link' }
  /** `<meta http-equiv="Status" content="410 Gone">` in an HTML page: the Webmention delete signal. */
  | { kind: 'gone' };

export type MediaKind = 'html' | 'json' | 'text' | 'other';

const NO_LINK: LinkCheck = { kind: 'no-link' };

/**
 * Checks whether `doc` links to `target` under `rule`, and extracts the title, excerpt and, for
 * Webmention, the h-entry's author and response type. A page declaring itself gone is reported as
 * 'gone' under either rule; the caller decides what that means for its protocol.
 */
export function checkSourceLinks(doc: SourceDocument, target: string, rule: LinkRule): LinkCheck {
  const targetKey = linkKey(target);
  if (targetKey === undefined) return NO_LINK;
  switch (mediaKindOf(doc.contentType)) {
    case 'html':
      return checkHtml(doc, targetKey, rule);
    case 'json':
      return rule === 'webmention' && jsonNames(doc.body, target, targetKey) ? linked({ mentionType: 'mention' }) : NO_LINK;
    case 'text':
      return rule === 'webmention' ? checkPlainText(doc.body, target) : NO_LINK;
    case 'other':
      // Images, PDFs and the rest: we cannot see links in them (the Pingback spec asks for "text of some sort").
      return NO_LINK;
  }
}

/**
 * Media kind from a Content-Type. Only text/plain is searched as text: other text/* types (CSS,
 * JavaScript, CSV) are not documents a reader sees a mention in.
 */
export function mediaKindOf(contentType: string): MediaKind {
  const essence = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  if (essence === '' || essence === 'text/html' || essence === 'application/xhtml+xml') return 'html';
  if (essence === 'application/json' || essence.endsWith('+json')) return 'json';
  if (essence === 'text/plain') return 'text';
  return 'other';
}

function checkHtml(doc: SourceDocument, targetKey: string, rule: LinkRule): LinkCheck {
  const scan = scanHtml(doc.body, rule);
  if (scan.gone) return { kind: 'gone' };
  const base = baseUrlOf(scan, doc.url);
  const link = firstLinkTo(scan, base, targetKey, linkKey);
  if (link === undefined) return NO_LINK;
  const { block } = link;
  const blockText = scan.text.slice(block.start, block.end);
  const end = Math.min(link.textEnd, block.end);
  const excerpt = excerptAround(blockText, link.textStart - block.start, end - block.start);
  const title = scan.title === undefined ? undefined : clipPhrase(scan.title, MAX_TITLE);
  if (rule === 'anchor') return linked({ title, excerpt });
  // parse5, under microformats-parser, is itself super-linear on such nesting; the link was found.
  const entry = scan.pathological ? undefined : readPrimaryEntry(doc.body, scan.microformatsSkip, base?.href ?? doc.url, doc.url, targetKey);
  return linked({
    title: entry?.title ?? title,
    excerpt: entry?.excerpt ?? excerpt,
    authorName: entry?.authorName,
    authorUrl: entry?.authorUrl,
    authorPhoto: entry?.authorPhoto,
    mentionType: entry?.mentionType ?? 'mention',
  });
}

/**
 * WM-SPEC §3.2.2: a JSON document mentions the target when a property value is exactly the URL.
 * A string that is an http(s) URL is compared by link key; keys, and longer strings that merely
 * contain the URL, do not count.
 */
function jsonNames(body: string, target: string, targetKey: string): boolean {
  let root: unknown;
  try {
    root = JSON.parse(body);
  } catch {
    return false;
  }
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') {
      if (value === target || (value === value.trim() && linkKey(value) === targetKey)) return true;
    } else if (Array.isArray(value)) {
      for (const item of value) pending.push(item);
    } else if (value !== null && typeof value === 'object') {
      for (const item of Object.values(value)) pending.push(item);
    }
  }
  return false;
}

/**
 * WM-SPEC §3.2.2: a text/plain document mentions the target when it contains it. People write URLs
 * in many forms, so the target as given, its normalized form and its readable (percent-decoded)
 * form are all tried; the earliest occurrence gives the excerpt.
 */
function checkPlainText(body: string, target: string): LinkCheck {
  const normalized = normalizeHttpUrl(target);
  const forms = new Set([target, normalized, linkKey(target), normalized && readable(normalized)]);
  let found: { at: number; length: number } | undefined;
  for (const form of forms) {
    if (!form) continue;
    const at = body.indexOf(form);
    if (at >= 0 && (found === undefined || at < found.at)) found = { at, length: form.length };
  }
  if (found === undefined) return NO_LINK;
  return linked({ excerpt: excerptAround(body, found.at, found.at + found.length), mentionType: 'mention' });
}

function readable(url: string): string | undefined {
  try {
    return decodeURI(url);
  } catch {
    return undefined;
  }
}

/** A 'linked' result without undefined fields, so callers and tests see only what was found. */
function linked(fields: VerifiedSource): LinkCheck {
  const source: VerifiedSource = {};
  for (const [key, value] of Object.entries(fields) as Array<[keyof VerifiedSource, string | undefined]>) {
    if (value !== undefined) Object.assign(source, { [key]: value });
  }
  return { kind: 'linked', source };
}
