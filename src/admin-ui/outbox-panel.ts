/**
 * The "Deliveries" tab: mails and webhook calls that failed for good (the relay or the receiver kept
 * refusing), each with its last error and a button to try it again now, and those still waiting.
 */
import { call } from './api.js';
import type { ListContext } from './comment-list.js';
import { append, clear, h } from './dom.js';
import { format, LANG, T } from './i18n.js';

export interface Delivery {
  id: number;
  channel: 'mail' | 'webhook';
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  last_error: string | null;
  created: string;
  to?: string;
  subject?: string;
  event?: string;
}

const list = (status: string) => call<{ items: Delivery[] }>(`outbox?status=${status}`);
const retry = (id: number) => call<Delivery>(`outbox/${id}/retry`, { method: 'POST' });

export function createOutboxPanel(ctx: ListContext) {
  const failedList = h('ul', { class: 'bta-list bta-deliveries', 'aria-label': T.outboxFailed });
  const pendingList = h('ul', { class: 'bta-list bta-deliveries', 'aria-label': T.outboxPending });

  function card(d: Delivery): HTMLLIElement {
    const facts = h('dl', { class: 'bta-facts' });
    const fact = (term: string, value: string) => append(facts, h('dt', {}, term), h('dd', {}, value));
    fact(T.outboxWhat, d.channel === 'mail' ? format(T.outboxMail, { to: d.to ?? '', subject: d.subject ?? '' }) : format(T.outboxWebhook, { event: d.event ?? '' }));
    fact(T.outboxAttempts, String(d.attempts));
    if (d.last_error) fact(T.outboxError, d.last_error);
    const item = h('li', { class: `bta-item bta-delivery bta-${d.status === 'failed' ? 'spam' : 'pending'}`, 'data-id': String(d.id) },
      h('header', { class: 'bta-item-head' },
        h('h3', { class: 'bta-author' }, `#${d.id}`),
        h('time', { datetime: d.created }, new Date(d.created).toLocaleString(LANG))),
      facts);
    if (d.status === 'failed') {
      const again = h('button', { type: 'button', class: 'bta-act bta-retry' }, T.outboxRetry);
      again.addEventListener('click', async () => {
        again.disabled = true;
        try {
          await retry(d.id);
          ctx.announce(format(T.outboxRetried, { id: d.id }));
          await refresh();
        } catch (err) {
          again.disabled = false;
          ctx.failed(err);
        }
      });
      append(item, h('div', { class: 'bta-actions' }, again));
    }
    return item;
  }

  function fill(ul: HTMLElement, items: Delivery[]): void {
    clear(ul);
    for (const d of items) ul.appendChild(card(d));
    if (items.length === 0) append(ul, h('li', { class: 'bta-empty' }, T.nothingHere));
  }

  async function refresh(): Promise<void> {
    try {
      const [failed, pending] = await Promise.all([list('failed'), list('pending')]);
      fill(failedList, failed.items);
      fill(pendingList, pending.items);
    } catch (err) {
      ctx.failed(err);
    }
  }

  const element = h('div', {},
    h('h2', { class: 'bta-h2' }, T.outboxFailed), h('p', { class: 'bta-note' }, T.outboxHelp), failedList,
    h('h2', { class: 'bta-h2' }, T.outboxPending), pendingList);
  return { element, refresh };
}
