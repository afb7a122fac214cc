/** A list of comments with per-item and bulk moderation: the queues and the search results. */
import { api, type AdminComment } from './api.js';
import { append, clear, externalLink, h, nextId } from './dom.js';
import { format, LANG, plural, T } from './i18n.js';
import { ownerActions, ownerBadges } from './owner-actions.js';

export interface ListContext {
  /** Shows a message in the page's live region. */
  announce(message: string): void;
  /** Something changed: counts and the current view need a refresh. */
  changed(): void;
  /** Handles a failed call (a refused token ends the session). */
  failed(err: unknown): void;
}

type Label = keyof typeof T.actions;
interface ActionDef { action: 'approve' | 'spam' | 'ham' | 'trash' | 'delete'; label: Label }

/** What one can do from each queue; the action that would leave the item where it is is left out. */
const ACTIONS: Record<string, ActionDef[]> = {
  pending: [{ action: 'approve', label: 'approve' }, { action: 'spam', label: 'spam' }, { action: 'trash', label: 'trash' }],
  approved: [{ action: 'spam', label: 'spam' }, { action: 'trash', label: 'trash' }],
  spam: [{ action: 'ham', label: 'ham' }, { action: 'trash', label: 'trash' }],
  trash: [{ action: 'approve', label: 'restore' }, { action: 'spam', label: 'spam' }],
};
const DELETE: ActionDef = { action: 'delete', label: 'delete' };
const BULK: ActionDef[] = [
  { action: 'approve', label: 'approve' }, { action: 'spam', label: 'spam' }, { action: 'ham', label: 'ham' },
  { action: 'trash', label: 'trash' }, DELETE,
];
const PAGE = 50;

export function createCommentList(ctx: ListContext, caption: string) {
  const selected = new Set<number>();
  let params: Record<string, string> = {};
  let last: AdminComment | undefined;

  const selectAllId = nextId('bta-all');
  const selectAll = h('input', { type: 'checkbox', id: selectAllId, class: 'bta-select-all' });
  const selectedCount = h('span', { class: 'bta-selected', 'aria-live': 'polite' }, plural(T.selected, 0));
  const bulkButtons = BULK.map((def) =>
    h('button', { type: 'button', class: `bta-bulk bta-${def.action}`, 'data-action': def.action, disabled: true }, format(T.bulkSelected, { action: T.actions[def.label] })),
  );
  const list = h('ul', { class: 'bta-list', 'aria-label': caption });
  const empty = h('p', { class: 'bta-empty', hidden: true }, T.nothingHere);
  const more = h('button', { type: 'button', class: 'bta-more', hidden: true }, T.loadMore);
  const toolbar = h('div', { class: 'bta-toolbar', role: 'group', 'aria-label': T.bulkActions },
    h('label', { for: selectAllId, class: 'bta-check' }, selectAll, ` ${T.selectAll}`), selectedCount, ...bulkButtons);
  const element = h('section', { class: 'bta-comments' }, toolbar, list, empty, more);

  function updateSelection(): void {
    selectedCount.textContent = plural(T.selected, selected.size);
    for (const b of bulkButtons) b.disabled = selected.size === 0;
    const boxes = list.querySelectorAll<HTMLInputElement>('input.bta-select');
    selectAll.checked = boxes.length > 0 && selected.size === boxes.length;
    selectAll.indeterminate = selected.size > 0 && selected.size < boxes.length;
  }

  selectAll.addEventListener('change', () => {
    for (const box of list.querySelectorAll<HTMLInputElement>('input.bta-select')) {
      box.checked = selectAll.checked;
      const id = Number(box.value);
      if (box.checked) selected.add(id);
      else selected.delete(id);
    }
    updateSelection();
  });

  for (const button of bulkButtons) {
    button.addEventListener('click', () => {
      const action = button.dataset.action!;
      if (action === 'delete' && !armed(button, plural(T.reallyDeleteMany, selected.size))) return;
      void runBulk(action);
    });
  }

  more.addEventListener('click', () => void load(params, true));

  async function runBulk(action: string): Promise<void> {
    const ids = [...selected];
    try {
      const result = await api.bulk(ids, action);
      ctx.announce(format(result.failed ? T.bulkResultFailed : T.bulkResult, { action: label(action), done: result.succeeded, failed: result.failed }));
      ctx.changed();
    } catch (err) {
      ctx.failed(err);
    }
  }

  async function runOne(id: number, action: string): Promise<void> {
    try {
      await api.moderate(id, action);
      ctx.announce(format(T.commentResult, { id, action: label(action) }));
      ctx.changed();
    } catch (err) {
      ctx.failed(err);
    }
  }

  function item(c: AdminComment): HTMLLIElement {
    const boxId = nextId('bta-sel');
    const who = c.deleted ? T.deletedAuthor : c.author || T.noName;
    const box = h('input', { type: 'checkbox', class: 'bta-select', id: boxId, value: String(c.id), 'aria-label': format(T.selectComment, { id: c.id, name: who }) });
    box.addEventListener('change', () => {
      if (box.checked) selected.add(c.id);
      else selected.delete(c.id);
      updateSelection();
    });
    const actions = [...(ACTIONS[c.status] ?? []), DELETE].map((def) => {
      const b = h('button', { type: 'button', class: `bta-act bta-${def.action}`, 'data-action': def.action }, T.actions[def.label]);
      b.addEventListener('click', () => {
        if (def.action === 'delete' && !armed(b, T.reallyDelete)) return;
        void runOne(c.id, def.action);
      });
      return b;
    });
    const facts = h('dl', { class: 'bta-facts' });
    const fact = (term: string, value: Node | string) => append(facts, h('dt', {}, term), h('dd', {}, value));
    const f = T.facts;
    fact(f.type, T.kinds[c.type as keyof typeof T.kinds] ?? c.type);
    fact(f.status, T.queues[c.status as keyof typeof T.queues] ?? c.status);
    if (c.email) fact(f.email, c.email);
    fact(f.ip, c.ip || '—');
    if (c.url) fact(f.website, externalLink(c.url));
    if (c.source) fact(f.source, externalLink(c.source));
    fact(f.post, externalLink(c.target, c.thread_title ?? undefined));
    if (c.reasons.length) fact(f.flagged, c.reasons.join(', '));
    if (c.user_agent) fact(f.agent, c.user_agent);
    return h('li', { class: `bta-item bta-${c.status}`, 'data-id': String(c.id) },
      h('article', { 'aria-labelledby': `${boxId}-h` },
        h('header', { class: 'bta-item-head' },
          box,
          // <bdi>: a name written right to left (or stored before names were cleaned) stays in its box.
          h('h3', { id: `${boxId}-h`, class: 'bta-author' }, h('bdi', {}, who)),
          ...ownerBadges(c),
          h('time', { datetime: c.created, title: c.created }, new Date(c.created).toLocaleString(LANG)),
          h('span', { class: 'bta-id' }, `#${c.id}`)),
        c.title ? h('p', { class: 'bta-title' }, c.title) : null,
        // What the author typed, shown as text: the stored HTML is never rendered in the admin.
        h('div', { class: 'bta-body' }, c.body_raw),
        facts,
        h('div', { class: 'bta-actions', role: 'group', 'aria-label': format(T.moderateComment, { id: c.id }) }, ...actions),
        ownerActions(c, ctx)));
  }

  async function load(next: Record<string, string>, append_ = false): Promise<void> {
    params = next;
    const page: Record<string, string> = { ...params, limit: String(PAGE) };
    if (append_ && last) page.before = String(last.id);
    try {
      const { comments } = await api.comments(page);
      if (!append_) {
        clear(list);
        selected.clear();
      }
      for (const c of comments) list.appendChild(item(c));
      last = comments[comments.length - 1] ?? (append_ ? last : undefined);
      empty.hidden = list.childElementCount > 0;
      more.hidden = comments.length < PAGE;
      updateSelection();
    } catch (err) {
      ctx.failed(err);
    }
  }

  return { element, load, reload: () => load(params) };
}

/** Destructive buttons ask twice (no dialogs): the first press arms the button for five seconds. */
function armed(button: HTMLButtonElement, question: string): boolean {
  if (button.dataset.armed === '1') return true;
  const original = button.textContent ?? '';
  button.dataset.armed = '1';
  button.textContent = question;
  setTimeout(() => {
    if (!button.isConnected) return;
    button.dataset.armed = '';
    button.textContent = original;
  }, 5000);
  return false;
}

function label(action: string): string {
  return Object.hasOwn(T.done, action) ? T.done[action as keyof typeof T.done] : action;
}
