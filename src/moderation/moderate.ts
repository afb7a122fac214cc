/** The owner's moderation actions, shared by the admin API and (later) one-click mail links. */
import type { Comment, CommentStatus } from '../domain/comment.js';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import type { NotifyQueue } from '../notify/notifier.js';
import type { Store } from '../store/repository.js';
import type { SpamFeedback } from '../spam/spam-checker.js';
import { spamInput, storedClient } from '../pipeline/spam-input.js';

export type ModerationAction = 'approve' | 'spam' | 'ham' | 'trash' | 'delete' | 'pin' | 'unpin';
export const MODERATION_ACTIONS: readonly ModerationAction[] = ['approve', 'spam', 'ham', 'trash', 'delete', 'pin', 'unpin'];

export type ModerationResult = { kind: 'updated'; comment: Comment } | { kind: 'deleted'; placeholder: boolean };

export interface ModerationDeps {
  store: Store;
  notifier: NotifyQueue;
  /** Akismet, when configured: learns from the owner's spam/ham decisions. */
  feedback: SpamFeedback | undefined;
}

const TARGET_STATUS: Record<Exclude<ModerationAction, 'delete' | 'pin' | 'unpin'>, CommentStatus> = {
  approve: 'approved',
  spam: 'spam',
  ham: 'approved',
  trash: 'trash',
};

/** One moderator action on one comment. */
export type Moderate = (id: number, action: ModerationAction) => Promise<ModerationResult>;

export function createModeration(deps: ModerationDeps): Moderate {
  return async function moderate(id: number, action: ModerationAction): Promise<ModerationResult> {
    const before = await deps.store.comments.findById(id);
    if (!before) throw new NotFoundError('no-such-comment');
    if (action === 'delete') {
      const outcome = await deps.store.comments.remove(id, deps.notifier.plan({ type: 'comment-deleted' }));
      if (outcome === 'missing') throw new NotFoundError('no-such-comment');
      return { kind: 'deleted', placeholder: outcome === 'placeholder' };
    }
    if (action === 'pin' || action === 'unpin') return pin(before, action === 'pin');
    const status = TARGET_STATUS[action];
    const comment = await deps.store.comments.setStatus(id, status,
      status === before.status ? undefined : deps.notifier.plan({ type: 'comment-status-changed', from: before.status }));
    if (!comment) throw new NotFoundError('no-such-comment');
    if (deps.feedback && (action === 'spam' || action === 'ham')) {
      const report = action === 'spam' ? deps.feedback.reportSpam : deps.feedback.reportHam;
      // Reporting is best-effort and must not hold up the moderator.
      void report.call(deps.feedback, spamInput(comment, storedClient(comment))).catch(() => undefined);
    }
    if (before.status !== comment.status) deps.notifier.enqueue({ type: 'comment-status-changed', comment, from: before.status });
    return { kind: 'updated', comment };
  };

  /**
   * Contract v1.1: a pinned comment comes first among the top-level ones. Only a top-level comment
   * can be pinned (a reply stays with what it answers); a mention is not a comment.
   */
  async function pin(before: Comment, pinned: boolean): Promise<ModerationResult> {
    if (pinned && (before.kind !== 'comment' || before.parent !== null)) throw new ValidationError('invalid-body', 'pin-top-level-only', 'action');
    const comment = await deps.store.comments.setPinned(before.id, pinned);
    if (!comment) throw new NotFoundError('no-such-comment');
    return { kind: 'updated', comment };
  }
}
