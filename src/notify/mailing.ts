/**
 * Builds the notification machinery from the config: the link signer (secret kept in settings), the
 * outbox notifier, and the outbox worker with a deliverer per configured channel.
 */
import type { RuntimeConfig } from '../config.js';
import type { Comment } from '../domain/comment.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { newToken } from '../lib/tokens.js';
import { createMailTransport, toOutgoingMail } from '../mail/mail-transport.js';
import { createLinkSigner, type LinkSigner } from '../mail/signed-links.js';
import type { Store } from '../store/repository.js';
import { settingOnce } from '../store/setting-once.js';
import { createSubmissionLimiter } from '../spam/submission-limiter.js';
import type { OutboxNotifier } from './notifier.js';
import { createOutboxNotifier } from './outbox-notifier.js';
import { createOutboxWorker, type Deliver, type OutboxWorker, type OutboxWorkerOptions } from './outbox-worker.js';
import { createWebhookDelivery } from './webhook-delivery.js';

export interface Mailing {
  notifier: OutboxNotifier;
  outbox: OutboxWorker;
  signer: LinkSigner;
}

export type OutboxTuning = Pick<OutboxWorkerOptions, 'maxAttempts' | 'baseDelayMs' | 'maxDelayMs' | 'pollMs'>;

/**
 * Reply-subscription confirmation mails one address gets per day, whatever the threads: enough for a
 * reader who comments on a few posts, too few for the form to serve as a way to mail-bomb a stranger.
 */
export const CONFIRMATIONS_PER_ADDRESS_PER_DAY = 3;

export function defaultMailFrom(publicUrl: string): string {
  return `Backtalk <backtalk@${new URL(publicUrl).hostname}>`;
}

export async function createMailing(options: {
  config: RuntimeConfig;
  store: Store;
  clock: Clock;
  logger: Logger;
  publicJson: (c: Comment) => Record<string, unknown>;
  tuning?: OutboxTuning;
}): Promise<Mailing> {
  const { config, store, clock, logger } = options;
  // Instances starting together on one database must all sign with the same secret.
  const secret = await settingOnce(store, 'mail_link_secret', newToken);
  const signer = createLinkSigner(secret);

  const deliver: Partial<Record<'mail' | 'webhook', Deliver>> = {};
  if (config.smtpUrl) {
    const transport = createMailTransport(config.smtpUrl);
    deliver.mail = async (item) => {
      const mail = toOutgoingMail(item.payload);
      if (!mail) throw new Error('malformed mail in the outbox');
      // One id per outbox item (created_at keeps it unique if a database is ever started afresh).
      await transport.send(mail, `<outbox-${item.id}.${item.created.getTime()}@${new URL(config.publicUrl).hostname}>`);
    };
  }
  if (config.webhookUrl && config.webhookSecret) {
    deliver.webhook = createWebhookDelivery({
      url: config.webhookUrl, secret: config.webhookSecret, clock, userAgent: `Backtalk/0.1 (+${config.publicUrl})`,
    });
  }
  const outbox = createOutboxWorker({ repo: store.outbox, deliver, clock, logger: logger.child({ component: 'outbox' }), ...options.tuning });
  const notifier = createOutboxNotifier({
    store, clock, publicUrl: config.publicUrl, signer, publicJson: options.publicJson, webhook: deliver.webhook ? config.webhookEvents : [],
    mail: config.smtpUrl
      ? { from: config.mailFrom ?? defaultMailFrom(config.publicUrl), ownerEmail: config.notifyEmail, lang: config.mailLang }
      : undefined,
    onQueued: () => outbox.wake(),
    // Counted in the database on PostgreSQL, so every instance spends from the same budget.
    confirmationsPerAddress: createSubmissionLimiter(CONFIRMATIONS_PER_ADDRESS_PER_DAY, 24 * 3600,
      store.sharedPool ? { kind: 'postgres', pool: store.sharedPool, keyPrefix: 'confirmations' } : { kind: 'memory' }),
  });
  return { notifier, outbox, signer };
}
