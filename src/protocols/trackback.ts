/**
 * TrackBack 1.2 wire format: a decoded ping form → LinkbackSubmission, and the XML we answer with.
 * The form itself is decoded by form-body.ts (TrackBack bodies arrive in any charset).
 */
import type { Arriving, ClientInfo, LinkbackSubmission } from '../domain/comment.js';
import { ValidationError } from '../domain/errors.js';
import { truncateText } from '../lib/text.js';
import { parseHttpUrl } from '../lib/url.js';
import { escapeXml } from '../lib/xml.js';

const PROLOG = '<?xml version="1.0" encoding="utf-8"?>\n';

/** How much of a refused URL an error message repeats back. */
const URL_ECHO_LIMIT = 200;

/**
 * Reads a TrackBack ping. `url` is required (TrackBack 1.2: "the server MUST respond with an
 * error"); title, excerpt and blog_name are passed on exactly as sent, to be cleaned later in the
 * pipeline. Other fields are ignored.
 * @throws ValidationError('missing-field' | 'invalid-url', …, 'url') with Movable Type's messages.
 */
export function parseTrackbackPing(fields: ReadonlyMap<string, string>, target: string, client: ClientInfo): Arriving<LinkbackSubmission> {
  const url = fields.get('url');
  if (url === undefined || url.trim() === '') {
    throw new ValidationError('missing-field', 'You need to provide a Source URL (url).', 'url');
  }
  const source = parseHttpUrl(url);
  if (!source) {
    throw new ValidationError('invalid-url', `Invalid URL '${truncateExcerpt(url, URL_ECHO_LIMIT)}'`, 'url');
  }
  const submission: Arriving<LinkbackSubmission> = { kind: 'trackback', target, source: source.href, client };
  const title = fields.get('title');
  const excerpt = fields.get('excerpt');
  const blogName = fields.get('blog_name');
  if (title !== undefined) submission.title = title;
  if (excerpt !== undefined) submission.excerpt = excerpt;
  if (blogName !== undefined) submission.blogName = blogName;
  return submission;
}

/**
 * The TrackBack response document: `<error>0</error>` without an argument, otherwise `<error>1</error>`
 * and the message (an empty message is still a refusal, as Movable Type's ping filters send).
 * Always UTF-8, answered with HTTP 200: clients read `<error>`, not the status.
 */
export function formatTrackbackResponse(error?: string): string {
  if (error === undefined) return `${PROLOG}<response>\n<error>0</error>\n</response>\n`;
  return `${PROLOG}<response>\n<error>1</error>\n<message>${escapeXml(error)}</message>\n</response>\n`;
}

export interface TrackbackRssThread {
  target: string;
  title: string | null;
}

export interface TrackbackRssPing {
  title: string | null;
  source: string | null;
  excerpt: string;
}

/**
 * A thread's TrackBacks in Movable Type's `__mode=rss` shape (TrackBack 1.0/1.1): RSS 0.91 inside
 * `<response><error>0</error>…</response>`. The caller passes only visible pings. An untitled ping
 * (null or empty title) is titled with its URL, as Movable Type does; an untitled thread with its target.
 */
export function formatTrackbackRss(thread: TrackbackRssThread, pings: readonly TrackbackRssPing[]): string {
  const threadTitle = thread.title || thread.target;
  const items = pings.map(
    (ping) =>
      `<item>\n<title>${escapeXml(ping.title || ping.source || '')}</title>\n` +
      `<link>${escapeXml(ping.source ?? '')}</link>\n` +
      `<description>${escapeXml(ping.excerpt)}</description>\n</item>\n`,
  );
  return (
    `${PROLOG}<response>\n<error>0</error>\n<rss version="0.91"><channel>\n` +
    `<title>${escapeXml(threadTitle)}</title>\n` +
    `<link>${escapeXml(thread.target)}</link>\n` +
    `<description>${escapeXml(`TrackBacks for ${threadTitle}`)}</description>\n` +
    `<language>en-us</language>\n` +
    items.join('') +
    `</channel>\n</rss></response>\n`
  );
}

/** A TrackBack excerpt: at most `max` code points (255 by default), cut as lib/text's truncateText cuts. */
export function truncateExcerpt(text: string, max = 255): string {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`truncateExcerpt: max must be a positive integer, got ${max}`);
  return truncateText(text, max);
}
