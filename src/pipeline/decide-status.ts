/**
 * The one place the status of a new or changed item is decided, from the checks' verdict, the
 * owner's moderation mode, the author's trust and, for a change, the status the item had.
 */
import type { CommentKind, CommentStatus } from '../domain/comment.js';
import type { ModerationMode } from '../config.js';
import type { SpamOutcome } from './spam-check.js';

export interface StatusContext {
  mode: ModerationMode;
  /** The status before this change (an edit, a re-sent Webmention); null for a new item. */
  previous: CommentStatus | null;
  /**
   * first-time mode: both the name and the e-mail address match an earlier approved comment
   * (WordPress's rule). Asked only when the answer matters.
   */
  trusted: () => Promise<boolean>;
}

/** How far an item is from being shown; a change may move an item down this order, never up. */
const RANK: Record<CommentStatus, number> = { trash: 0, spam: 1, pending: 2, approved: 3 };

export async function decideStatus(kind: CommentKind, outcome: SpamOutcome, ctx: StatusContext): Promise<CommentStatus> {
  const fresh = await freshStatus(kind, outcome, ctx);
  // An edit or an update is judged like a new item, but it cannot release what a check or a
  // moderator holds back: only a moderator moves a pending or spam item up.
  if (ctx.previous !== null && RANK[ctx.previous] < RANK[fresh]) return ctx.previous;
  return fresh;
}

async function freshStatus(kind: CommentKind, outcome: SpamOutcome, ctx: StatusContext): Promise<CommentStatus> {
  if (outcome.verdict === 'spam') return 'spam';
  if (outcome.verdict === 'hold' || outcome.verdict === 'unknown') return 'pending';
  switch (ctx.mode) {
    case 'auto':
      return 'approved';
    case 'all':
      return 'pending';
    case 'first-time':
      // Linkbacks carry no e-mail and can never prove an earlier approval (as in WordPress).
      return kind === 'comment' && (await ctx.trusted()) ? 'approved' : 'pending';
  }
}
