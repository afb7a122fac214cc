/**
 * Authors may change or delete their own comment within the edit window, proven by the edit token
 * handed out when the comment was made (only its hash is stored).
 */
import type { Comment } from '../domain/comment.js';
import { ForbiddenError, NotFoundError } from '../domain/errors.js';
import type { Clock } from '../lib/clock.js';
import { matchesHash } from '../lib/tokens.js';
import type { Store } from '../store/repository.js';

export async function ownComment(id: number, token: string, deps: { store: Store; clock: Clock; editWindowMinutes: number }): Promise<Comment> {
  const comment = await deps.store.comments.findById(id);
  if (!comment || comment.deleted || comment.status === 'trash') throw new NotFoundError('No such comment.');
  if (token === '' || comment.editTokenHash === null || !matchesHash(token, comment.editTokenHash)) {
    throw new ForbiddenError('forbidden', 'This edit token does not belong to this comment.');
  }
  const ageMs = deps.clock.now().getTime() - comment.created.getTime();
  if (ageMs > deps.editWindowMinutes * 60_000) {
    throw new ForbiddenError('edit-window-closed', `Comments can be changed for ${deps.editWindowMinutes} minutes only.`);
  }
  return comment;
}
