import type { LinkState, PostSendStatus, SendLink, SendPost, SendProtocolName } from '../../domain/send.js';
import type { Selectable } from 'kysely';
import type { SendLinksTable, SendPostsTable } from '../sql/schema-types.js';
import { isSet } from './flag.js';

/** The lease column stays internal. */
export type SendPostRow = Omit<Selectable<SendPostsTable>, 'claimed_until'>;
export type SendLinkRow = Omit<Selectable<SendLinksTable>, 'claimed_until'>;

export function toSendPost(row: SendPostRow): SendPost {
  return {
    id: row.id,
    source: row.source,
    status: row.status as PostSendStatus,
    attempts: row.attempts,
    nextAttemptAt: new Date(row.next_attempt_at),
    title: row.title,
    excerpt: row.excerpt,
    fingerprint: row.fingerprint,
    gone: isSet(row.gone),
    lastError: row.last_error,
    feedVersion: row.feed_version,
    created: new Date(row.created_at),
    updated: new Date(row.updated_at),
  };
}

/** The queue's 'pending' is the contract's 'queued'. */
export function toSendLink(row: SendLinkRow): SendLink {
  return {
    id: row.id,
    postId: row.post_id,
    target: row.target,
    state: (row.status === 'pending' ? 'queued' : row.status) as LinkState,
    protocol: row.protocol as SendProtocolName,
    endpoint: row.endpoint,
    response: row.response,
    inPost: isSet(row.in_post),
    attempts: row.attempts,
    nextAttemptAt: new Date(row.next_attempt_at),
    updated: new Date(row.updated_at),
    sentAt: row.sent_at === null ? null : new Date(row.sent_at),
  };
}
