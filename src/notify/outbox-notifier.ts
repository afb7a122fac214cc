/**
 * Turns pipeline and moderation events into outbox rows: the owner's mail, the webhook call, the
 * double opt-in confirmation and reply mails to confirmed subscribers. Only writes rows; the outbox
 * worker delivers them. Spam produces nothing at all, so the feature can never relay spam.
 *
 * The owner's mail, the webhook and reply mails are planned (`plan`) and written in the transaction
 * of the comment write that causes them (a transactional outbox: a crash loses neither). The
 * confirmation mail of a reply subscription needs the per-address budget, which may live in another
 * database (PostgreSQL's shared limiter), so it is queued after the commit by the notifier.
 */
import type { WebhookEvent } from '../config.js';
import type { Comment } from '../domain/comment.js';
import type { Clock } from '../lib/clock.js';
import { newToken, sha256Hex } from '../lib/tokens.js';
import { confirmSubscriptionMail, ownerMail, replyMail } from '../mail/messages.js';
import type { OutgoingMail } from '../mail/mail-transport.js';
import type { LinkSigner } from '../mail/signed-links.js';
import { mailStrings } from '../mail/mail-strings.js';
import { commentHtmlForMail } from '../pipeline/sanitize.js';
import type { NewOutboxItem, OutboxPlan, Store, Subscription } from '../store/repository.js';
import { RateLimitedError } from '../domain/errors.js';
import type { SubmissionLimiter } from '../spam/submission-limiter.js';
import type { NotifyEvent, OutboxNotifier, PlannedEvent } from './notifier.js';

/** A second confirmation mail to the same unconfirmed address and thread waits this long. */
const RECONFIRM_AFTER_MS = 3600_000;

export interface OutboxNotifierOptions {
  store: Store;
  clock: Clock;
  publicUrl: string;
  signer: LinkSigner;
  /**
   * Unset when no SMTP relay is configured: no mail rows are written. `lang` (BACKTALK_MAIL_LANG) is
   * for items that carry no language of their own; a comment's mails are written in its language.
   */
  mail: { from: string; ownerEmail: string | undefined; lang: string } | undefined;
  /** The webhook's event groups (BACKTALK_WEBHOOK_EVENTS); empty when no webhook is configured. */
  webhook: readonly WebhookEvent[];
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

export function createOutboxNotifier(options: OutboxNotifierOptions): OutboxNotifier {
  const { store, clock, publicUrl, signer } = options;
  /** The post's title for the mails (issue 16.5), read when the event is handled. */
  const postTitle = async (c: Comment) => (await store.threads.findById(c.threadId))?.title ?? null;
  const mail = options.mail;

  /** The language of every mail about `c`, and the `&lang=` its links carry so their pages match. */
  const langOf = (c: Comment) => c.lang ?? options.mail?.lang ?? 'en';
  const stringsOf = (c: Comment) => mailStrings(langOf(c));

  function ownerRow(c: Comment, from: string, to: string, title: string | null): NewOutboxItem {
    const link = (action: 'approve' | 'spam' | 'delete') =>
      `${publicUrl}/mail/action?token=${signer.signAction(c.id, action, clock.now())}&lang=${langOf(c)}`;
    return mailRow(ownerMail(c, from, to, {
      approve: c.status === 'approved' ? undefined : link('approve'),
      spam: link('spam'),
      delete: link('delete'),
      admin: `${publicUrl}/admin`,
    }, stringsOf(c), title, commentHtmlForMail(c.bodyHtml)));
  }

  /** Reply mails go out for a published comment only, and never to its own author. */
  const mailsSubscribers = (c: Comment) => mail !== undefined && c.kind === 'comment' && c.status === 'approved' && !c.deleted;

  function subscriberRows(c: Comment, from: string, subscribers: readonly Subscription[], title: string | null): NewOutboxItem[] {
    if (!mailsSubscribers(c)) return [];
    const own = c.email.trim().toLowerCase();
    const mailBody = commentHtmlForMail(c.bodyHtml);
    return subscribers.filter((sub) => sub.email !== own).map((sub) => {
      // The reader of this mail is the subscriber: their language, else the reply's.
      const lang = sub.lang ?? langOf(c);
      const unsubscribeUrl = `${publicUrl}/subscriptions/unsubscribe?id=${sub.id}&token=${signer.unsubscribeToken(sub.id, sub.email)}&lang=${lang}`;
      return mailRow(replyMail(c, from, sub.email, unsubscribeUrl, mailStrings(lang), title, mailBody));
    });
  }

  /** A webhook's comment: the public JSON with its status and thread (added to it, not spread: V8's slow path). */
  function hookComment(c: Comment) {
    return Object.assign(options.publicJson(c), { status: c.status, target: c.target });
  }

  /**
   * The owner's moderation as webhook calls (README, "Webhook"). A comment moved to spam or trash is
   * announced without its content, so the webhook never relays spam.
   */
  function moderationHook(event: PlannedEvent, c: Comment): NewOutboxItem | undefined {
    if (event.type === 'comment-status-changed' && options.webhook.includes('status')) {
      const content = c.status === 'approved' || c.status === 'pending' ? { comment: hookComment(c) } : {};
      return { channel: 'webhook', payload: { event: 'comment.status-changed', id: c.id, target: c.target, from: event.from, status: c.status, ...content } };
    }
    if (event.type === 'comment-deleted' && options.webhook.includes('deleted')) {
      return { channel: 'webhook', payload: { event: 'comment.deleted', id: c.id, target: c.target, from: c.status } };
    }
    return undefined;
  }

  function rows(event: PlannedEvent, c: Comment, subscribers: readonly Subscription[], title: string | null): NewOutboxItem[] {
    const hook = moderationHook(event, c);
    if (c.status === 'spam' || c.status === 'trash' || event.type === 'comment-deleted') return hook ? [hook] : [];
    const out: NewOutboxItem[] = [];
    if (event.type === 'comment-received') {
      // The owner is not mailed about their own words (issue 17.3).
      if (mail?.ownerEmail && !c.owner) out.push(ownerRow(c, mail.from, mail.ownerEmail, title));
      if (options.webhook.includes('created')) {
        out.push({
          channel: 'webhook',
          payload: { event: 'comment.created', target: c.target, status: c.status, comment: hookComment(c) },
        });
      }
      if (mail) out.push(...subscriberRows(c, mail.from, subscribers, title));
    } else if (event.type === 'comment-changed') {
      // A change that was held needs the owner as much as a new item that was (issue 14).
      if (mail?.ownerEmail && c.status === 'pending' && event.from !== 'pending') out.push(ownerRow(c, mail.from, mail.ownerEmail, title));
    } else {
      if (hook) out.push(hook);
      if (mail && c.status === 'approved' && (event.from === 'pending' || event.from === 'spam')) {
        // First publication of a held reply: subscribers hear of it now, not when it arrived.
        out.push(...subscriberRows(c, mail.from, subscribers, title));
      }
    }
    return out;
  }

  function plan(event: PlannedEvent): OutboxPlan | undefined {
    if (!mail && options.webhook.length === 0) return undefined;
    return {
      now: clock.now(),
      readsSubscribers: (c) => mailsSubscribers(c) && event.type !== 'comment-changed' && event.type !== 'comment-deleted',
      rows: (c, subscribers, title) => rows(event, c, subscribers, title),
      written: options.onQueued,
    };
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
    const { subscription, renewed } = await store.subscriptions.request(email, c.threadId, sha256Hex(token), clock.now(), c.lang ?? null);
    if (!renewed) return;
    const confirmUrl = `${publicUrl}/subscriptions/confirm?id=${subscription.id}&token=${token}&lang=${langOf(c)}`;
    await store.outbox.enqueue({ ...mailRow(confirmSubscriptionMail(from, email, c.target, confirmUrl, stringsOf(c), await postTitle(c))), now: clock.now() });
    options.onQueued();
  }

  /** After the commit: only the subscription request (its rows are not part of the comment's transaction). */
  async function notify(event: NotifyEvent): Promise<void> {
    const c = event.comment;
    if (c.status === 'spam' || c.status === 'trash') return;
    if (event.type === 'comment-received' && mail && event.subscribe && c.kind === 'comment' && c.email) await requestSubscription(c, mail.from);
  }

  return { name: 'outbox', notify, plan };
}

function mailRow(mail: OutgoingMail): NewOutboxItem {
  return { channel: 'mail', payload: { ...mail } };
}
