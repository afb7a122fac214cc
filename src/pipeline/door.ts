/**
 * What every door does before anything else: the client's rate limit, then the target resolved, once,
 * into a SiteTarget; for linkbacks also the site-wide protocol switches. A linkback refused here is
 * logged like one refused further in.
 */
import type { Arriving, CommentSubmission, LinkbackKind, LinkbackSubmission, NewSubmission, OwnerCommentSubmission, Thread } from '../domain/comment.js';
import { ForbiddenError, ValidationError } from '../domain/errors.js';
import { clientLimitKey } from '../lib/ip.js';
import type { SubmissionLimiter } from '../spam/submission-limiter.js';
import type { LinkbackLog } from './linkback-log.js';
import { resolveTarget } from '../domain/target.js';

export interface DoorDeps {
  limiter: SubmissionLimiter;
  sites: readonly string[];
  /** Site-wide switches; a closed protocol is closed for existing posts too. */
  linkbacksOpen: Readonly<Record<LinkbackKind, boolean>>;
  log: LinkbackLog;
}

export interface Door {
  admit(arriving: Arriving<CommentSubmission>): Promise<CommentSubmission>;
  admit(arriving: Arriving<LinkbackSubmission>): Promise<LinkbackSubmission>;
  admit(arriving: Arriving<OwnerCommentSubmission>): Promise<OwnerCommentSubmission>;
}

export function createDoor(deps: DoorDeps): Door {
  async function admit(arriving: Arriving<NewSubmission | OwnerCommentSubmission>): Promise<NewSubmission | OwnerCommentSubmission> {
    // The owner is authenticated (admin token): no per-client limit, only the target resolved.
    if (arriving.kind === 'owner-comment') return { ...arriving, kind: 'owner-comment', target: resolveTarget(arriving.target, deps.sites) };
    // Per address, IPv6 per /64 (the block one subscriber gets).
    await deps.limiter.consume(clientLimitKey(arriving.client.ip));
    if (arriving.kind === 'comment') return { ...arriving, kind: 'comment', target: resolveTarget(arriving.target, deps.sites) };
    try {
      const target = resolveTarget(arriving.target, deps.sites);
      refuseIfClosed(arriving.kind, undefined, deps.linkbacksOpen);
      // Webmention senders mention pages, not whole sites; WordPress refuses the front page too.
      if (arriving.kind === 'webmention' && new URL(target).pathname === '/' && !new URL(target).search) {
        throw new ValidationError('invalid-target', 'webmention-home-page', 'target');
      }
      return { ...arriving, target };
    } catch (err) {
      await deps.log.refused(arriving, err);
      throw err;
    }
  }
  return { admit } as Door;
}

/** Linkbacks closed site-wide for this protocol, or by the owner for this thread (when it exists). */
export function refuseIfClosed(kind: LinkbackKind, thread: Thread | undefined, open: Readonly<Record<LinkbackKind, boolean>>): void {
  if (!open[kind] || thread?.linkbacksClosed) {
    throw new ForbiddenError('closed', `${kind}s-closed` as const);
  }
}
