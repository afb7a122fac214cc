import type { Comment } from '../domain/comment.js';
import type { Logger } from '../lib/logger.js';

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

/**
 * Best-effort delivery after a comment is stored: enqueue never throws and never waits, so a slow or
 * failing notifier can neither fail nor slow the request that stored the comment.
 */
export class NotifyQueue {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly notifiers: readonly Notifier[],
    private readonly logger: Logger,
  ) {}

  enqueue(event: NotifyEvent): void {
    for (const notifier of this.notifiers) {
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
