/**
 * Authors may change or delete their own comment within the edit window, proven by the edit token
 * handed out when the comment was made (only its hash is stored).
 */
import type { Comment } from '../domain/comment.js';
import { ForbiddenError, NotFoundError, msg } from '../domain/errors.js';
import type { Clock } from '../lib/clock.js';
import { matchesHash } from '../lib/tokens.js';
import type { Store } from '../store/repository.js';

export async function ownComment(id: number, token: string, deps: { store: Store; clock: Clock; editWindowMinutes: number }): Promise<Comment> {
  const comment = await deps.store.comments.findById(id);
  if (!comment || comment.deleted || comment.status === 'trash') throw new NotFoundError('no-such-comment');
  if (token === '' || comment.editTokenHash === null || !matchesHash(token, comment.editTokenHash)) {
    throw new ForbiddenError('forbidden', 'edit-token-wrong');
  }
  const ageMs = deps.clock.now().getTime() - comment.created.getTime();
  if (ageMs > deps.editWindowMinutes * 60_000) {
    throw new ForbiddenError('edit-window-closed', msg('edit-window-closed', { minutes: deps.editWindowMinutes }));
  }
  return comment;
}
