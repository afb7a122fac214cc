/**
 * Sends one Webmention (W3C Webmention §3.1.3): a form POST of `source` and `target` to the endpoint
 * exactly as discovered, its query string kept. Any 2xx is success; 201's Location is the receiver's
 * status URL and is what the owner sees; 400 (and other 4xx) is the receiver's final word.
 */
import type { PageFetcher } from '../fetch/fetch-page.js';
import { answerWithoutResponse, clip, transientStatus, type SendAnswer } from './send-answer.js';

export async function sendWebmention(fetcher: PageFetcher, endpoint: string, ping: { source: string; target: string }, now: Date): Promise<SendAnswer> {
  const outcome = await fetcher.fetch(endpoint, {
    method: 'POST',
    contentType: 'application/x-www-form-urlencoded',
    body: new URLSearchParams({ source: ping.source, target: ping.target }).toString(),
    accept: 'application/json, text/html;q=0.9, */*;q=0.5',
  });
  const early = answerWithoutResponse(outcome);
  if (early || outcome.kind !== 'ok') return early ?? { kind: 'refused', response: 'no response' };
  const text = clip(outcome.body);
  if (outcome.status >= 200 && outcome.status < 300) {
    const location = outcome.headers.location;
    const status = location ? new URL(location, outcome.url).href : undefined;
    return { kind: 'sent', response: clip(`HTTP ${outcome.status}${status ? ` ${status}` : ''}${text ? `: ${text}` : ''}`) };
  }
  return transientStatus(outcome.status, outcome.headers, now, text) ?? { kind: 'refused', response: clip(`HTTP ${outcome.status}${text ? `: ${text}` : ''}`) };
}
