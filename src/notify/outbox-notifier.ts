/**
 * Turns pipeline and moderation events into outbox rows: the owner's mail, the webhook call, the
 * double opt-in confirmation and reply mails to confirmed subscribers. Only writes rows; the outbox
 * worker delivers them. Spam produces nothing at all, so the feature can never relay spam.
 */
import type { Comment } from '../domain/comment.js';
import type { Clock } from '../lib/clock.js';
import { newToken, sha256Hex } from '../lib/tokens.js';
import { confirmSubscriptionMail, ownerMail, replyMail } from '../mail/messages.js';
import type { OutgoingMail } from '../mail/mail-transport.js';
import type { LinkSigner } from '../mail/signed-links.js';
import type { MailStrings } from '../mail/mail-strings.js';
import type { Store } from '../store/repository.js';
import { RateLimitedError } from '../domain/errors.js';
import type { SubmissionLimiter } from '../spam/submission-limiter.js';
import type { Notifier, NotifyEvent } from './notifier.js';

/** A second confirmation mail to the same unconfirmed address and thread waits this long. */
const RECONFIRM_AFTER_MS = 3600_000;

export interface OutboxNotifierOptions {
  store: Store;
  clock: Clock;
  publicUrl: string;
  signer: LinkSigner;
  /** Unset when no SMTP relay is configured: no mail rows are written. */
  mail: { from: string; ownerEmail: string | undefined; strings: MailStrings } | undefined;
  webhook: boolean;
  /** The webhook body's comment: the public JSON shape. */
  publicJson: (c: Comment) => Record<string, unknown>;
  /** Called after rows were written, so a running worker delivers without waiting for its next poll. */
  onQueued: () => void;
  /**
   * Confirmation mails per recipient address, across all threads (keyed by the address's SHA-256):
   * the per-thread pause above alone would let one person post on fifty threads with a stranger's
   * address and have fifty confirmation mails sent to them.
   */
  confirmationsPerAddress?: SubmissionLimiter;
}

export function createOutboxNotifier(options: OutboxNotifierOptions): Notifier {
  const { store, clock, publicUrl, signer } = options;

  /** Rows written so far; the worker is only woken when a notification really queued something. */
  let queued = 0;
  const enqueue = async (item: Parameters<typeof store.outbox.enqueue>[0]) => {
    await store.outbox.enqueue(item);
    queued += 1;
  };
  const queueMail = (mail: OutgoingMail) => enqueue({ channel: 'mail', payload: { ...mail }, now: clock.now() });

  const strings = options.mail?.strings;
  /** The post's title for the mails (issue 16.5), read when the event is handled. */
  const postTitle = async (c: Comment) => (await store.threads.findById(c.threadId))?.title ?? null;

  async function notifyOwner(c: Comment, from: string, to: string): Promise<void> {
    const link = (action: 'approve' | 'spam' | 'delete') =>
      `${publicUrl}/mail/action?token=${signer.signAction(c.id, action, clock.now())}`;
    await queueMail(ownerMail(c, from, to, {
      approve: c.status === 'approved' ? undefined : link('approve'),
      spam: link('spam'),
      delete: link('delete'),
      admin: `${publicUrl}/admin`,
    }, strings, await postTitle(c)));
  }

  async function requestSubscription(c: Comment, from: string): Promise<void> {
    const email = c.email.trim().toLowerCase();
    // One plain address only: nothing a mail library could read as several recipients.
    if (!/^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9.-]+$/.test(email)) return;
    const existing = await store.subscriptions.findByEmail(email, c.threadId);
    if (existing?.confirmed) return;
    if (existing && clock.now().getTime() - existing.created.getTime() < RECONFIRM_AFTER_MS) return;
    try {
      await options.confirmationsPerAddress?.consume(`confirm:${sha256Hex(email)}`);
    } catch (err) {
      // Over the budget: the comment stands, the address is simply not asked again today.
      if (err instanceof RateLimitedError) return;
      throw err;
    }
    const token = newToken();
    const { subscription, renewed } = await store.subscriptions.request(email, c.threadId, sha256Hex(token), clock.now());
    if (!renewed) return;
    const confirmUrl = `${publicUrl}/subscriptions/confirm?id=${subscription.id}&token=${token}`;
    await queueMail(confirmSubscriptionMail(from, email, c.target, confirmUrl, strings, await postTitle(c)));
  }

  /** Mails every confirmed subscriber of the thread about an approved comment, except its own author. */
  async function notifySubscribers(c: Comment, from: string): Promise<void> {
    if (c.kind !== 'comment' || c.status !== 'approved' || c.deleted) return;
    const own = c.email.trim().toLowerCase();
    const subscribers = await store.subscriptions.listConfirmed(c.threadId);
    const title = subscribers.length > 0 ? await postTitle(c) : null;
    for (const sub of subscribers) {
      if (sub.email === own) continue;
      const unsubscribeUrl = `${publicUrl}/subscriptions/unsubscribe?id=${sub.id}&token=${signer.unsubscribeToken(sub.id, sub.email)}`;
      await queueMail(replyMail(c, from, sub.email, unsubscribeUrl, strings, title));
    }
  }

  async function notify(event: NotifyEvent): Promise<void> {
    const c = event.comment;
    if (c.status === 'spam' || c.status === 'trash') return;
    const mail = options.mail;
    const queuedBefore = queued;
    if (event.type === 'comment-received') {
      if (mail?.ownerEmail) await notifyOwner(c, mail.from, mail.ownerEmail);
      if (options.webhook) {
        await enqueue({
          channel: 'webhook',
          payload: { event: 'comment.created', target: c.target, status: c.status, comment: { ...options.publicJson(c), status: c.status, target: c.target } },
          now: clock.now(),
        });
      }
      if (mail && event.subscribe && c.kind === 'comment' && c.email) await requestSubscription(c, mail.from);
      if (mail) await notifySubscribers(c, mail.from);
    } else if (event.type === 'comment-changed') {
      // A change that was held needs the owner as much as a new item that was (issue 14).
      if (mail?.ownerEmail && c.status === 'pending' && event.from !== 'pending') await notifyOwner(c, mail.from, mail.ownerEmail);
    } else if (mail && c.status === 'approved' && (event.from === 'pending' || event.from === 'spam')) {
      // First publication of a held reply: subscribers hear of it now, not when it arrived.
      await notifySubscribers(c, mail.from);
    }
    if (queued !== queuedBefore) options.onQueued();
  }

  return { name: 'outbox', notify };
}
