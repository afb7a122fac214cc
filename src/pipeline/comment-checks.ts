/** The comment form's own refusals, checked before the body is rendered or judged. */
import type { CommentSubmission, Thread } from '../domain/comment.js';
import { ConflictError, ForbiddenError, ValidationError } from '../domain/errors.js';
import type { Store } from '../store/repository.js';
import { normalizeComment, type NormalizedComment } from './normalize.js';

export function refuseIfCommentsClosed(thread: Thread | undefined): void {
  if (thread?.commentsClosed) throw new ForbiddenError('closed', 'comments-closed');
}

/** A reply must answer an approved comment of the same thread (a thread not yet created has none). */
export async function checkReplyTo(parentId: number | null, thread: Thread | undefined, store: Store): Promise<void> {
  if (parentId === null) return;
  const parent = await store.comments.findById(parentId);
  if (!parent || !thread || parent.threadId !== thread.id || parent.status !== 'approved') {
    throw new ValidationError('invalid-parent', 'parent-missing', 'parent');
  }
}

/** WordPress's duplicate check; the indexed query runs first, so a repeated comment is never rendered. */
export async function refuseRepeat(fields: NormalizedComment, thread: Thread | undefined, store: Store): Promise<void> {
  if (thread && (await store.comments.hasSameBody(thread.id, fields.author, fields.email, fields.bodyRaw))) {
    throw new ConflictError('duplicate', 'duplicate-comment');
  }
}

/** A new comment's thread and normalized fields, with the form's refusals that need no rendering. */
export interface CommentContext {
  thread: Thread | undefined;
  fields: NormalizedComment;
}

/**
 * The thread lookup, normalization and the refusals before a comment is rendered, in WordPress's
 * order: comments closed, then the fields, then the reply's parent, then a repeat. The thread and
 * the duplicate check come from one read (CommentRepository.findThreadForComment).
 */
export async function admitComment(input: CommentSubmission, store: Store): Promise<CommentContext> {
  let fields: NormalizedComment;
  try {
    fields = normalizeComment(input);
  } catch (err) {
    // A closed thread is refused before the fields are judged, as it always was.
    refuseIfCommentsClosed(await store.threads.findByTarget(input.target));
    throw err;
  }
  const { thread, repeated } = await store.comments.findThreadForComment(input.target, fields.author, fields.email, fields.bodyRaw);
  refuseIfCommentsClosed(thread);
  await checkReplyTo(fields.parent, thread, store);
  if (repeated) throw new ConflictError('duplicate', 'duplicate-comment');
  return { thread, fields };
}
