/**
 * One queued link: discover the linked page's endpoint, send over the first protocol it offers,
 * record the answer. Transient failures come back with back-off until the attempts run out;
 * final answers are recorded as they are.
 */
import type { SendLink, SendPost, SendProtocolName } from '../domain/send.js';
import type { PageFetcher } from '../fetch/fetch-page.js';
import type { Clock } from '../lib/clock.js';
import type { SendRepository } from '../store/repository.js';
import { discoverEndpoint, type SendProtocol } from './discover-endpoint.js';
import { sendPingback } from './pingback-client.js';
import { nextAttempt, type RetryTuning } from './retry-policy.js';
import { answerWithoutResponse, clip, transientStatus, type SendAnswer } from './send-answer.js';
import { sendTrackback } from './trackback-client.js';
import { sendWebmention } from './webmention-client.js';

export interface DeliverDeps {
  sends: SendRepository;
  fetcher: PageFetcher;
  clock: Clock;
  tuning: RetryTuning;
  maxAttempts: number;
  /** Counts one outcome (the /metrics counter). */
  count(protocol: SendProtocolName, outcome: string): void;
}

export async function deliverLink(link: SendLink, post: SendPost, deps: DeliverDeps): Promise<void> {
  const once = link.protocol === 'pingback' || link.protocol === 'trackback';
  if (once && link.sentAt !== null) {
    // Pingback and TrackBack have no update or delete: a link that had one never gets another.
    await deps.sends.finishLink(link.id, { state: 'sent', protocol: link.protocol, endpoint: link.endpoint, response: link.response, now: deps.clock.now() });
    return;
  }
  const page = await deps.fetcher.fetch(link.target);
  const noPage = answerWithoutResponse(page);
  // Failures before an endpoint is known keep what the link was sent with before (if anything).
  const { protocol: before, endpoint: beforeEndpoint } = link;
  if (noPage || page.kind !== 'ok') return record(link, before, beforeEndpoint, noPage ?? { kind: 'refused', response: 'no response' }, deps);
  if (page.status < 200 || page.status >= 300) {
    const text = `the linked page answered HTTP ${page.status}`;
    return record(link, before, beforeEndpoint, transientStatus(page.status, page.headers, deps.clock.now(), '') ?? { kind: 'refused', response: text }, deps);
  }
  const found = discoverEndpoint(page, link.target);
  if (found.protocol === 'none') {
    return record(link, before, beforeEndpoint, { kind: 'refused', response: 'no endpoint: the page offers no Webmention, Pingback or TrackBack endpoint' }, deps);
  }
  if (found.protocol !== 'webmention' && (!link.inPost || post.gone)) {
    // Only a Webmention can tell a receiver that the link went away.
    return record(link, found.protocol, found.endpoint, { kind: 'refused', response: `removed from the post; ${found.protocol} cannot withdraw a ping` }, deps);
  }
  const answer = await send(found.protocol, found.endpoint, link, post, deps);
  return record(link, found.protocol, found.endpoint, answer, deps);
}

function send(protocol: SendProtocol, endpoint: string, link: SendLink, post: SendPost, deps: DeliverDeps): Promise<SendAnswer> {
  const now = deps.clock.now();
  const ping = { source: post.source, target: link.target };
  switch (protocol) {
    case 'webmention': return sendWebmention(deps.fetcher, endpoint, ping, now);
    case 'pingback': return sendPingback(deps.fetcher, endpoint, ping, now);
    case 'trackback': return sendTrackback(deps.fetcher, endpoint, {
      url: post.source, title: post.title || post.source, excerpt: post.excerpt, blogName: new URL(post.source).host,
    }, now);
  }
}

async function record(link: SendLink, protocol: SendProtocolName, endpoint: string | null, answer: SendAnswer, deps: DeliverDeps): Promise<void> {
  const now = deps.clock.now();
  switch (answer.kind) {
    case 'sent':
      deps.count(protocol, 'sent');
      return deps.sends.finishLink(link.id, { state: 'sent', protocol, endpoint, response: answer.response, now });
    case 'refused':
      deps.count(protocol, answer.response.startsWith('no endpoint') ? 'no-endpoint' : 'refused');
      return deps.sends.finishLink(link.id, { state: 'failed', protocol, endpoint, response: answer.response, now });
    case 'later':
      return deps.sends.retryLink(link.id, { response: `waiting: ${answer.response}`, nextAttemptAt: new Date(now.getTime() + deps.tuning.laterDelayMs), now, refund: true });
    case 'transient': {
      // link.attempts already counts this attempt (the claim added it).
      if (link.attempts >= deps.maxAttempts) {
        deps.count(protocol, 'gave-up');
        return deps.sends.finishLink(link.id, { state: 'failed', protocol, endpoint, response: clip(`gave up after ${link.attempts} tries: ${answer.response}`), now });
      }
      deps.count(protocol, 'retried');
      const at = nextAttempt(now, link.attempts, deps.tuning, answer.retryAfterMs);
      return deps.sends.retryLink(link.id, { response: clip(`will retry: ${answer.response}`), nextAttemptAt: at, now, protocol, endpoint });
    }
  }
}
