/**
 * The one place a spam check's input is built: for a new item, for a changed one (an edit, a re-sent
 * Webmention), and for the moderator's spam/ham report to Akismet about a stored one.
 */
import type { ClientInfo, Comment } from '../domain/comment.js';
import type { SpamCheckInput } from '../spam/spam-checker.js';

/** What the checkers judge of an item: a stored comment has all of it, a draft too. */
export type SpamSubject = Pick<Comment, 'kind' | 'author' | 'email' | 'url' | 'bodyRaw' | 'bodyHtml' | 'source'> & {
  /** Null while the item's thread does not exist yet (it is created only when something is stored). */
  threadId: number | null;
  target: string;
};

export function spamInput(item: SpamSubject, client: ClientInfo, honeypot = ''): SpamCheckInput {
  return {
    kind: item.kind, threadId: item.threadId, target: item.target, author: item.author, email: item.email, url: item.url,
    bodyRaw: item.bodyRaw, bodyHtml: item.bodyHtml, source: item.source, honeypot, client,
  };
}

/** A stored comment's sender as far as we kept it (the moderator's report to Akismet). */
export function storedClient(c: Comment): ClientInfo {
  return { ip: c.ip, userAgent: c.userAgent, referrer: '' };
}
