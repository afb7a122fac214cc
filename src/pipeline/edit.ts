/**
 * Authors fixing or deleting their own comment within the edit window, proven by the edit token
 * handed out when the comment was made. Edits go through sanitize and the spam checks again.
 */
import type { Comment } from '../domain/comment.js';
import { ForbiddenError, NotFoundError } from '../domain/errors.js';
import type { Clock } from '../lib/clock.js';
import { matchesHash } from '../lib/tokens.js';
import type { Store } from '../store/repository.js';
import type { SpamChecker } from '../spam/spam-checker.js';
import { normalizeComment } from './normalize.js';
import { renderCommentBodyOffThread } from '../workers/offload.js';
import { checkSpam } from './spam-check.js';

export interface OwnCommentDeps {
  store: Store;
  spamCheckers: readonly SpamChecker[];
  clock: Clock;
  editWindowMinutes: number;
}

export interface OwnComments {
  edit(id: number, token: string, patch: { body: string; author?: string; url?: string }): Promise<Comment>;
  remove(id: number, token: string): Promise<void>;
}

export function createOwnComments(deps: OwnCommentDeps): OwnComments {
  async function authorize(id: number, token: string): Promise<Comment> {
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

  return {
    async edit(id, token, patch) {
      const current = await authorize(id, token);
      const fields = normalizeComment({
        kind: 'comment', target: current.target, body: patch.body,
        author: patch.author ?? current.author, email: current.email, url: patch.url ?? current.url,
        client: { ip: current.ip, userAgent: current.userAgent, referrer: '' },
      });
      const bodyHtml = await renderCommentBodyOffThread(fields.bodyRaw);
      const spam = await checkSpam(
        { kind: 'comment', threadId: current.threadId, target: current.target, author: fields.author, email: fields.email,
          url: fields.url, bodyRaw: fields.bodyRaw, bodyHtml, source: null, honeypot: '',
          client: { ip: current.ip, userAgent: current.userAgent, referrer: '' } },
        deps.spamCheckers,
      );
      // An edit can turn an approved comment into spam (links added after approval), never the reverse.
      const status = spam.verdict === 'spam' ? 'spam' : spam.verdict === 'hold' ? 'pending' : current.status;
      const edited = await deps.store.comments.edit(id, {
        author: fields.author, url: fields.url, bodyRaw: fields.bodyRaw, bodyHtml, status,
        reasons: [...current.reasons, ...spam.reasons], edited: deps.clock.now(),
      });
      if (!edited) throw new NotFoundError('No such comment.');
      return edited;
    },
    async remove(id, token) {
      await authorize(id, token);
      await deps.store.comments.remove(id);
    },
  };
}
