/**
 * Sends one TrackBack ping (TrackBack 1.2): a form POST of `url`, `title`, `excerpt` and `blog_name`,
 * UTF-8 and saying so in the Content-Type. The answer is `<error>0</error>` for success, else
 * `<error>1</error>` with a `<message>`, which is final.
 */
import type { PageFetcher } from '../fetch/fetch-page.js';
import { answerWithoutResponse, clip, transientStatus, type SendAnswer } from './send-answer.js';

export interface TrackbackPing {
  url: string;
  title: string;
  excerpt: string;
  blogName: string;
}

/** TrackBack 1.1 notes excerpts are cut to 252 characters plus "..." by Movable Type; we send no more. */
const MAX_EXCERPT = 255;

export async function sendTrackback(fetcher: PageFetcher, endpoint: string, ping: TrackbackPing, now: Date): Promise<SendAnswer> {
  const excerpt = [...ping.excerpt].length > MAX_EXCERPT ? `${[...ping.excerpt].slice(0, MAX_EXCERPT - 3).join('')}...` : ping.excerpt;
  const outcome = await fetcher.fetch(endpoint, {
    method: 'POST',
    contentType: 'application/x-www-form-urlencoded; charset=utf-8',
    body: new URLSearchParams({ title: ping.title, url: ping.url, excerpt, blog_name: ping.blogName }).toString(),
    accept: 'text/xml, application/xml;q=0.9, */*;q=0.5',
  });
  const early = answerWithoutResponse(outcome);
  if (early || outcome.kind !== 'ok') return early ?? { kind: 'refused', response: 'no response' };
  const transient = transientStatus(outcome.status, outcome.headers, now, clip(outcome.body));
  if (transient) return transient;
  const error = /<error>\s*(\d+)\s*<\/error>/i.exec(outcome.body)?.[1];
  const message = readMessage(outcome.body);
  if (outcome.status >= 200 && outcome.status < 300 && error === '0') return { kind: 'sent', response: message ?? 'TrackBack accepted' };
  if (error !== undefined) return { kind: 'refused', response: message ?? `TrackBack error ${error}` };
  return { kind: 'refused', response: clip(`HTTP ${outcome.status}, not a TrackBack response: ${outcome.body}`) };
}

function readMessage(body: string): string | undefined {
  const raw = /<message>([\s\S]*?)<\/message>/i.exec(body)?.[1];
  if (raw === undefined) return undefined;
  const text = raw.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  return clip(text) || undefined;
}
