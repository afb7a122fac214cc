/**
 * Linkbacks Backtalk sends for the owner's own posts (contract v1.1 "Sending linkbacks"). A post is
 * fetched, its links listed, and each link gets one queued send over the first protocol its page
 * advertises. The states are the contract's: queued (waiting or being retried), sent, failed.
 */
export type SendProtocolName = 'webmention' | 'pingback' | 'trackback' | 'none';
export type LinkState = 'queued' | 'sent' | 'failed';
export type PostSendStatus = 'pending' | 'done' | 'failed';

export interface SendPost {
  id: number;
  /** The post URL, normalized. */
  source: string;
  /** pending: waiting to be fetched and its links listed; done: listed; failed: could not be read. */
  status: PostSendStatus;
  attempts: number;
  nextAttemptAt: Date;
  title: string;
  excerpt: string;
  /** Hash of the post's content when last read: a change re-sends Webmentions (WM-SPEC §3.1.4). */
  fingerprint: string | null;
  /** The post answered 410 Gone when last read. */
  gone: boolean;
  lastError: string | null;
  /** The feed entry's version (updated date, or a hash) that last queued this post. */
  feedVersion: string | null;
  created: Date;
  updated: Date;
}

export interface SendLink {
  id: number;
  postId: number;
  target: string;
  state: LinkState;
  protocol: SendProtocolName;
  endpoint: string | null;
  /** The receiver's answer (status URL, fault code and text, TrackBack message) or why nothing was sent. */
  response: string;
  /** The link is in the post as last read; false once it was removed (kept for the Webmention update). */
  inPost: boolean;
  attempts: number;
  nextAttemptAt: Date;
  updated: Date;
  /** Last successful send, if any. */
  sentAt: Date | null;
}
