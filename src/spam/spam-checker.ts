import type { ClientInfo, CommentKind } from '../domain/comment.js';

/** What every spam checker sees: the submission after normalizing and sanitizing, before storing. */
export interface SpamCheckInput {
  kind: CommentKind;
  /** Null for the first item of a thread: threads are created only when something is stored. */
  threadId: number | null;
  /** Normalized target URL (the post's permalink). */
  target: string;
  author: string;
  email: string;
  url: string;
  /** Author-supplied text exactly as received. Never render as HTML. */
  bodyRaw: string;
  bodyHtml: string;
  /** For linkbacks: the source URL. */
  source: string | null;
  /** The honeypot field's value (`website2` on the comment form). */
  honeypot: string;
  client: ClientInfo;
}

/**
 * A checker's opinion. `hold` keeps the item for moderation; `spam` files it as spam (with `discard`
 * when Akismet says it is blatant and need not be kept visible in any queue); `unknown` means the
 * checker could not decide (network failure, timeout) and the item is held: never lost, never a 5xx.
 */
export type SpamVerdict =
  | { kind: 'ham' }
  | { kind: 'hold'; reason: string }
  | { kind: 'spam'; reason: string; discard?: boolean }
  | { kind: 'unknown'; reason: string };

export interface SpamChecker {
  readonly name: string;
  check(input: SpamCheckInput): Promise<SpamVerdict>;
}

/** What a moderator's spam/ham decision is reported to (Akismet's submit-spam / submit-ham). */
export interface SpamFeedback {
  reportSpam(input: SpamCheckInput): Promise<void>;
  reportHam(input: SpamCheckInput): Promise<void>;
}
