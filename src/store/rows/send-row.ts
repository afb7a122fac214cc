import type { LinkState, PostSendStatus, SendLink, SendPost, SendProtocolName } from '../../domain/send.js';
import { isSet, type DbFlag } from './flag.js';

export interface SendPostRow {
  id: number;
  source: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  claimed_until: number | null;
  title: string;
  excerpt: string;
  fingerprint: string | null;
  gone: DbFlag;
  last_error: string | null;
  feed_version: string | null;
  created_at: number;
  updated_at: number;
}

export interface SendLinkRow {
  id: number;
  post_id: number;
  target: string;
  status: string;
  protocol: string;
  endpoint: string | null;
  response: string;
  in_post: DbFlag;
  attempts: number;
  next_attempt_at: number;
  claimed_until: number | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
}

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
