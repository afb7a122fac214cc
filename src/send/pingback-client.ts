/**
 * Sends one Pingback (Pingback 1.0 §3): the XML-RPC call `pingback.ping(source, target)`.
 * Faults are final (17 no link, 32/33 no such target, 48 already registered, 49 access denied, 0),
 * except 16 "source does not exist" and 50 "upstream error", which can be a receiver that could not
 * reach our post just then; 48 means the receiver already has this ping, so it counts as sent.
 */
import type { PageFetcher } from '../fetch/fetch-page.js';
import { formatMethodCall, readMethodResponse } from '../protocols/xmlrpc.js';
import { answerWithoutResponse, clip, transientStatus, type SendAnswer } from './send-answer.js';

const RETRIED_FAULTS = new Set([16, 50]);
const ALREADY_REGISTERED = 48;

export async function sendPingback(fetcher: PageFetcher, endpoint: string, ping: { source: string; target: string }, now: Date): Promise<SendAnswer> {
  const outcome = await fetcher.fetch(endpoint, {
    method: 'POST',
    contentType: 'text/xml; charset=utf-8',
    body: formatMethodCall('pingback.ping', [ping.source, ping.target]),
    accept: 'text/xml, application/xml;q=0.9, */*;q=0.5',
  });
  const early = answerWithoutResponse(outcome);
  if (early || outcome.kind !== 'ok') return early ?? { kind: 'refused', response: 'no response' };
  const transient = transientStatus(outcome.status, outcome.headers, now, clip(outcome.body));
  if (transient) return transient;
  if (outcome.status < 200 || outcome.status >= 300) return { kind: 'refused', response: clip(`HTTP ${outcome.status}: ${outcome.body}`) };
  let answer;
  try {
    answer = await readMethodResponse(Buffer.from(outcome.body, 'utf8'));
  } catch {
    return { kind: 'refused', response: clip(`not an XML-RPC response: ${outcome.body}`) };
  }
  if (answer.kind === 'value') return { kind: 'sent', response: clip(typeof answer.value === 'string' ? answer.value : 'pingback registered') };
  const response = clip(`fault ${answer.faultCode}${answer.faultString ? `: ${answer.faultString}` : ''}`);
  if (answer.faultCode === ALREADY_REGISTERED) return { kind: 'sent', response };
  return RETRIED_FAULTS.has(answer.faultCode) ? { kind: 'transient', response } : { kind: 'refused', response };
}
