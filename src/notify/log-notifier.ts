import type { Logger } from '../lib/logger.js';
import type { Notifier, NotifyEvent } from './notifier.js';

/** The default notifier: one log line per new item, so held ones are visible without a mail setup. */
export function createLogNotifier(logger: Logger): Notifier {
  return {
    name: 'log',
    async notify(event: NotifyEvent): Promise<void> {
      const c = event.comment;
      logger.info(
        { event: event.type, id: c.id, kind: c.kind, status: c.status, target: c.target, reasons: c.reasons },
        event.type === 'comment-received' ? `new ${c.kind} (${c.status})`
          : event.type === 'comment-changed' ? `${c.kind} ${c.id} changed (${c.status})` : `${c.kind} ${c.id} is now ${c.status}`,
      );
    },
  };
}
