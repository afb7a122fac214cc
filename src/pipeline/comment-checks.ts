/** The comment form's own refusals, checked before the body is rendered or judged. */
import type { Thread } from '../domain/comment.js';
import { ConflictError, ForbiddenError, ValidationError } from '../domain/errors.js';
import type { Store } from '../store/repository.js';
import type { NormalizedComment } from './normalize.js';

export function refuseIfCommentsClosed(thread: Thread | undefined): void {
  if (thread?.commentsClosed) throw new ForbiddenError('closed', 'Comments are closed for this item.');
}

/** A reply must answer an approved comment of the same thread (a thread not yet created has none). */
export async function checkReplyTo(parentId: number | null, thread: Thread | undefined, store: Store): Promise<void> {
  if (parentId === null) return;
  const parent = await store.comments.findById(parentId);
  if (!parent || !thread || parent.threadId !== thread.id || parent.status !== 'approved') {
    throw new ValidationError('invalid-parent', 'The comment you are replying to does not exist in this thread.', 'parent');
  }
}

/** WordPress's duplicate check; the indexed query runs first, so a repeated comment is never rendered. */
export async function refuseRepeat(fields: NormalizedComment, thread: Thread | undefined, store: Store): Promise<void> {
  if (thread && (await store.comments.hasSameBody(thread.id, fields.author, fields.email, fields.bodyRaw))) {
    throw new ConflictError('duplicate', 'Duplicate comment: it looks as though you have already said that.');
  }
}
