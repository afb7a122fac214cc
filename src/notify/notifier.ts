import type { Comment } from '../domain/comment.js';
import type { Logger } from '../lib/logger.js';
import type { OutboxPlan } from '../store/repository.js';

export type NotifyEvent =
  /** `subscribe`: the author asked to be told of replies (double opt-in starts here). */
  | { type: 'comment-received'; comment: Comment; subscribe?: boolean }
  | { type: 'comment-status-changed'; comment: Comment; from: Comment['status'] }
  /** An author's edit, or a re-sent Webmention, changed the item's content (and maybe held it: `from`). */
  | { type: 'comment-changed'; comment: Comment; from: Comment['status'] };

export interface Notifier {
  readonly name: string;
  notify(event: NotifyEvent): Promise<void>;
}

/** The event a comment write is about to cause, before the write: what an outbox plan is made from. */
export type PlannedEvent =
  | { type: 'comment-received' }
  | { type: 'comment-status-changed'; from: Comment['status'] }
  | { type: 'comment-changed'; from: Comment['status'] }
  /** The owner is about to delete the comment: planned from the comment as it stands before. */
  | { type: 'comment-deleted' };

/** A notifier whose durable part (mail, webhook) is written in the comment write's own transaction. */
export interface OutboxNotifier extends Notifier {
  /** The rows `event` causes, for the comment write's own transaction; undefined when none can be. */
  plan(event: PlannedEvent): OutboxPlan | undefined;
}

/**
 * Best-effort delivery after a comment is stored: enqueue never throws and never waits, so a slow or
 * failing notifier can neither fail nor slow the request that stored the comment.
 */
export class NotifyQueue {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly notifiers: readonly Notifier[],
    private readonly logger: Logger,
    private readonly outbox?: OutboxNotifier,
  ) {}

  /**
   * The outbox rows a write is about to cause, to be passed to the write itself (transactional
   * outbox). The in-memory notifiers still hear of it through `enqueue` after the commit.
   */
  plan(event: PlannedEvent): OutboxPlan | undefined {
    return this.outbox?.plan(event);
  }

  enqueue(event: NotifyEvent): void {
    for (const notifier of this.outbox ? [...this.notifiers, this.outbox] : this.notifiers) {
      const job = Promise.resolve()
        .then(() => notifier.notify(event))
        .catch((err: unknown) => this.logger.warn({ err, notifier: notifier.name }, 'notifier failed'))
        .finally(() => this.pending.delete(job));
      this.pending.add(job);
    }
  }

  /** Waits for everything enqueued so far (tests, graceful shutdown). */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
