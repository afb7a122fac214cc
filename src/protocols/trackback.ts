/**
 * TrackBack 1.2 wire format: a decoded ping form → LinkbackSubmission, and the XML we answer with.
 * The form itself is decoded by form-body.ts (TrackBack bodies arrive in any charset).
 */
import type { Arriving, ClientInfo, LinkbackSubmission, UndecodedText } from '../domain/comment.js';
import { ValidationError } from '../domain/errors.js';
import { truncateText } from '../lib/text.js';
import { parseHttpUrl } from '../lib/url.js';
import { escapeXml } from '../lib/xml.js';
import type { DecodedForm } from './form-body.js';

const PROLOG = '<?xml version="1.0" encoding="utf-8"?>\n';

/** How much of a refused URL an error message repeats back. */
const URL_ECHO_LIMIT = 200;

/** Form field → submission field, for the claimed text. */
const CLAIMED = { title: 'title', excerpt: 'excerpt', blog_name: 'blogName' } as const;

/**
 * Reads a TrackBack ping. `url` is required (TrackBack 1.2: "the server MUST respond with an
 * error"); title, excerpt and blog_name are passed on exactly as sent, to be cleaned later in the
 * pipeline, or as bytes when their charset is still unknown (form-body.ts). Other fields are ignored.
 * @throws ValidationError('missing-field' | 'invalid-url', …, 'url') with Movable Type's messages.
 */
export function parseTrackbackPing(form: DecodedForm, target: string, client: ClientInfo): Arriving<LinkbackSubmission> {
  // A URL is ASCII when sent properly; stray bytes are read as UTF-8 and then refused or escaped by the parser.
  const rawUrl = form.undecoded.get('url');
  const url = form.fields.get('url') ?? (rawUrl && new TextDecoder().decode(rawUrl));
  if (url === undefined || url.trim() === '') {
    throw new ValidationError('missing-field', 'You need to provide a Source URL (url).', 'url');
  }
  const source = parseHttpUrl(url);
  if (!source) {
    throw new ValidationError('invalid-url', `Invalid URL '${truncateExcerpt(url, URL_ECHO_LIMIT)}'`, 'url');
  }
  const submission: Arriving<LinkbackSubmission> = { kind: 'trackback', target, source: source.href, client };
  const undecoded: UndecodedText = {};
  for (const [name, key] of Object.entries(CLAIMED) as Array<[keyof typeof CLAIMED, (typeof CLAIMED)[keyof typeof CLAIMED]]>) {
    const text = form.fields.get(name);
    const bytes = form.undecoded.get(name);
    if (text !== undefined) submission[key] = text;
    else if (bytes !== undefined) undecoded[key] = bytes;
  }
  if (Object.keys(undecoded).length > 0) submission.undecoded = undecoded;
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
