/**
 * The owner's door (issue 17.3): the site owner's own comments and a moderator's edits, both from the
 * authenticated admin API. They walk the same hallway as a reader's comment (normalize → sanitize →
 * store → notify); only the spam check is skipped, because the owner is who they say they are.
 */
import type { ModeratorEditSubmission, OwnerCommentSubmission } from '../domain/comment.js';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import type { Store } from '../store/repository.js';
import { checkReplyTo, refuseRepeat } from './comment-checks.js';
import { commentDraft } from './drafts.js';
import type { Judgement } from './judge.js';
import { normalizeComment } from './normalize.js';
import type { ReceiveResult } from './receive-result.js';
import type { Save } from './save.js';

export interface OwnerVoiceDeps {
  store: Store;
  save: Save;
  /** BACKTALK_OWNER_NAME: the name every owner comment is shown under. */
  ownerName: string;
}

/** The owner's door: one method per kind of submission it takes. */
export interface OwnerVoice {
  receiveOwnerComment(input: OwnerCommentSubmission): Promise<ReceiveResult>;
  editAsModerator(input: ModeratorEditSubmission): Promise<ReceiveResult>;
}

/** The owner publishes at once; nothing flagged it. */
const OWNERS_WORD: Judgement = { status: 'approved', reasons: [] };

export function createOwnerVoice(deps: OwnerVoiceDeps): OwnerVoice {
  const { store, save } = deps;

  /** A comment as the site: approved, `owner`, named after the configured owner, no edit token. */
  async function receiveOwnerComment(input: OwnerCommentSubmission): Promise<ReceiveResult> {
    const thread = await store.threads.findByTarget(input.target);
    // No refuseIfCommentsClosed: closing a thread to readers does not silence its owner.
    const fields = normalizeComment({ body: input.body, author: deps.ownerName, parent: input.parent });
    await checkReplyTo(fields.parent, thread, store);
    await refuseRepeat(fields, thread, store);
    const draft = await commentDraft(input.target, thread?.id ?? null, fields);
    return save.saveNew(draft, OWNERS_WORD, input.client, { owner: true });
  }

  /**
   * The owner rewrites any comment's text. It keeps its author, status and reasons (a moderator's
   * words are not judged), and is shown as edited by a moderator.
   */
  async function editAsModerator(input: ModeratorEditSubmission): Promise<ReceiveResult> {
    const current = await store.comments.findById(input.id);
    if (!current || current.deleted) throw new NotFoundError('no-such-comment');
    if (current.kind !== 'comment') throw new ValidationError('invalid-body', 'edit-comments-only', 'id');
    const { bodyRaw } = normalizeComment({ body: input.body });
    const fields = { author: current.author, email: current.email, url: current.url, bodyRaw, parent: current.parent, honeypot: '' };
    const draft = await commentDraft(current.target, current.threadId, fields);
    return save.saveEdit(current, draft, { status: current.status, reasons: current.reasons }, 'moderator');
  }

  return { receiveOwnerComment, editAsModerator };
}
