/**
 * The owner's linkback log: every linkback attempt lands in it with its outcome, refusals included,
 * whichever door it came through and whether it was refused at the door or further in.
 */
import type { Comment, LinkbackLogEntry, LinkbackOutcome, LinkbackSubmission } from '../domain/comment.js';
import { AppError, LinkbackSourceError } from '../domain/errors.js';
import type { Clock } from '../lib/clock.js';
import type { Store } from '../store/repository.js';
import type { ReceiveResult } from './receive-result.js';

/** What the log needs of an attempt: the door's submission, before or after its target was checked. */
type Attempt = Pick<LinkbackSubmission, 'kind' | 'source' | 'client'> & { target: string };

const OUTCOME: Record<Comment['status'], LinkbackOutcome> = { approved: 'accepted', pending: 'pending', spam: 'spam', trash: 'refused' };

export interface LinkbackLog {
  /** Runs one attempt and logs how it ended; a refusal is logged and thrown on. */
  attempt(input: Attempt, run: () => Promise<ReceiveResult>): Promise<ReceiveResult>;
  /** Logs a refusal (a thrown error); the rate limit's refusals are not logged, or a flood would fill the log. */
  refused(input: Attempt, err: unknown): Promise<void>;
}

export function createLinkbackLog(store: Store, clock: Clock): LinkbackLog {
  const record = (input: Attempt, outcome: LinkbackOutcome, reason: string, comment?: Comment) =>
    store.linkbackLog.record({
      kind: input.kind, source: input.source, target: comment?.target ?? input.target, outcome, reason,
      ip: input.client.ip, commentId: comment?.id ?? null, created: clock.now(),
    } satisfies Omit<LinkbackLogEntry, 'id'>);

  async function refused(input: Attempt, err: unknown): Promise<void> {
    if (!(err instanceof AppError) || err.code === 'rate-limited') return;
    const why = err instanceof LinkbackSourceError ? err.detail : err.message;
    await record(input, 'refused', `${err.code}: ${why}`);
  }

  async function attempt(input: Attempt, run: () => Promise<ReceiveResult>): Promise<ReceiveResult> {
    let result: ReceiveResult;
    try {
      result = await run();
    } catch (err) {
      await refused(input, err);
      throw err;
    }
    switch (result.kind) {
      case 'stored':
        await record(input, OUTCOME[result.comment.status], result.comment.reasons.join(', '), result.comment);
        break;
      case 'updated':
        await record(input, 'updated', `source verified again; now ${result.comment.status}`, result.comment);
        break;
      case 'removed':
        await record(input, 'deleted', result.reason, result.comment);
        break;
      case 'duplicate':
        await record(input, 'duplicate', 'already registered', result.existing);
        break;
    }
    return result;
  }

  return { attempt, refused };
}
