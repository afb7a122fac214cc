/**
 * The spam-check step and the status decision, together, for every new or changed item: the
 * checkers see the item as it will be stored, and their verdict decides its status.
 */
import type { ClientInfo, CommentStatus } from '../domain/comment.js';
import type { ModerationMode } from '../config.js';
import type { SpamChecker } from '../spam/spam-checker.js';
import type { Store } from '../store/repository.js';
import { decideStatus } from './decide-status.js';
import { checkSpam } from './spam-check.js';
import { spamInput, type SpamSubject } from './spam-input.js';

export interface JudgeDeps {
  spamCheckers: readonly SpamChecker[];
  moderation: ModerationMode;
  store: Store;
}

export interface Circumstances {
  client: ClientInfo;
  /** The comment form's honeypot field (`website2`); empty for everything else. */
  honeypot?: string;
  /** Reasons to hold the item whatever the checkers say (an unverified TrackBack). */
  holds?: readonly string[];
  /** The item's status before this change; null for a new item. */
  previous: CommentStatus | null;
}

export interface Judgement {
  status: CommentStatus;
  /** Why a check flagged the item; empty when none did. */
  reasons: string[];
}

export async function judge(item: SpamSubject, how: Circumstances, deps: JudgeDeps): Promise<Judgement> {
  const spam = await checkSpam(spamInput(item, how.client, how.honeypot), deps.spamCheckers);
  if (spam.verdict === 'ham' && how.holds && how.holds.length > 0) {
    spam.verdict = 'hold';
    spam.reasons.push(...how.holds);
  }
  const status = await decideStatus(item.kind, spam, {
    mode: deps.moderation,
    previous: how.previous,
    // A comment without an e-mail address is never trusted on its name alone.
    trusted: async () => item.email !== '' && (await deps.store.comments.hasApprovedFrom(item.email, item.author)),
  });
  return { status, reasons: spam.reasons };
}
