/**
 * What one reading of a post changes (issue 18 point 3; W3C Webmention §3.1.4 "Sending Webmentions
 * for updated posts"). Pure: it compares what the post links to now with what was recorded.
 *
 * - A new link gets its first send (or is recorded as not sent: a link to our own site with
 *   self-pings off).
 * - Webmention is the only protocol that can update or withdraw: when the post's content changed, a
 *   Webmention goes again to every link that has one; a link removed from the post gets one more
 *   (so its receiver finds no link and removes the mention); a post answering 410 Gone sends one to
 *   every earlier target. Nothing is re-sent when nothing changed.
 * - Pingback and TrackBack are sent once per link and never again.
 */
import type { SendLink } from '../domain/send.js';
import type { ScanPlan } from '../store/repository.js';
import type { PostContent } from './extract-links.js';

export type PostReading =
  | { kind: 'page'; content: PostContent }
  | { kind: 'gone' };

export interface PostBefore {
  title: string;
  excerpt: string;
  fingerprint: string | null;
  gone: boolean;
}

/** Why a new link is recorded without being sent, or undefined when it is to be sent. */
export type LinkFilter = (target: string) => string | undefined;

export function planScan(reading: PostReading, before: PostBefore, links: readonly SendLink[], notSent: LinkFilter): ScanPlan {
  const hasWebmention = (l: SendLink) => l.protocol === 'webmention' && l.sentAt !== null;
  if (reading.kind === 'gone') {
    return {
      post: { status: 'done', title: before.title, excerpt: before.excerpt, fingerprint: before.fingerprint, gone: true, lastError: null },
      insert: [],
      // Already gone at the last reading: the deletes went out then.
      requeue: before.gone ? [] : links.filter((l) => hasWebmention(l) && l.state !== 'queued').map((l) => l.id),
      inPost: [],
    };
  }
  const { content } = reading;
  const changed = before.gone || (before.fingerprint !== null && before.fingerprint !== content.fingerprint);
  const now = new Set(content.links);
  const known = new Map(links.map((l) => [l.target, l]));
  const plan: ScanPlan = {
    post: { status: 'done', title: content.title, excerpt: content.excerpt, fingerprint: content.fingerprint, gone: false, lastError: null },
    insert: [],
    requeue: [],
    inPost: [],
  };
  for (const target of content.links) {
    if (known.has(target)) continue;
    const reason = notSent(target);
    plan.insert.push(reason === undefined ? { target, state: 'queued', response: '' } : { target, state: 'failed', response: reason });
  }
  for (const link of links) {
    const present = now.has(link.target);
    if (present !== link.inPost) plan.inPost.push({ id: link.id, inPost: present });
    if (link.protocol !== 'webmention' || link.state === 'queued') continue;
    const cameBack = present && !link.inPost;
    const removed = !present && link.inPost && link.sentAt !== null;
    if ((present && changed) || cameBack || removed) plan.requeue.push(link.id);
  }
  return plan;
}
