/** A list of comments with per-item and bulk moderation: the queues and the search results. */
import { api, type AdminComment } from './api.js';
import { append, clear, externalLink, h, nextId } from './dom.js';

export interface ListContext {
  /** Shows a message in the page's live region. */
  announce(message: string): void;
  /** Something changed: counts and the current view need a refresh. */
  changed(): void;
  /** Handles a failed call (a refused token ends the session). */
  failed(err: unknown): void;
}

interface ActionDef { action: string; label: string }

/** What one can do from each queue; the action that would leave the item where it is is left out. */
const ACTIONS: Record<string, ActionDef[]> = {
  pending: [{ action: 'approve', label: 'Approve' }, { action: 'spam', label: 'Spam' }, { action: 'trash', label: 'Trash' }],
  approved: [{ action: 'spam', label: 'Spam' }, { action: 'trash', label: 'Trash' }],
  spam: [{ action: 'ham', label: 'Not spam' }, { action: 'trash', label: 'Trash' }],
  trash: [{ action: 'approve', label: 'Restore and approve' }, { action: 'spam', label: 'Spam' }],
};
const DELETE: ActionDef = { action: 'delete', label: 'Delete' };
const BULK: ActionDef[] = [
  { action: 'approve', label: 'Approve' }, { action: 'spam', label: 'Spam' }, { action: 'ham', label: 'Not spam' },
  { action: 'trash', label: 'Trash' }, DELETE,
];
const PAGE = 50;

export function createCommentList(ctx: ListContext, caption: string) {
  const selected = new Set<number>();
  let params: Record<string, string> = {};
  let last: AdminComment | undefined;

  const selectAllId = nextId('bta-all');
  const selectAll = h('input', { type: 'checkbox', id: selectAllId, class: 'bta-select-all' });
  const selectedCount = h('span', { class: 'bta-selected', 'aria-live': 'polite' }, '0 selected');
  const bulkButtons = BULK.map((def) =>
    h('button', { type: 'button', class: `bta-bulk bta-${def.action}`, 'data-action': def.action, disabled: true }, `${def.label} selected`),
  );
  const list = h('ul', { class: 'bta-list', 'aria-label': caption });
  const empty = h('p', { class: 'bta-empty', hidden: true }, 'Nothing here.');
  const more = h('button', { type: 'button', class: 'bta-more', hidden: true }, 'Load more');
  const toolbar = h('div', { class: 'bta-toolbar', role: 'group', 'aria-label': 'Bulk actions' },
    h('label', { for: selectAllId, class: 'bta-check' }, selectAll, ' Select all'), selectedCount, ...bulkButtons);
  const element = h('section', { class: 'bta-comments' }, toolbar, list, empty, more);

  function updateSelection(): void {
    selectedCount.textContent = `${selected.size} selected`;
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
      if (action === 'delete' && !armed(button, `Really delete ${selected.size}?`)) return;
      void runBulk(action);
    });
  }

  more.addEventListener('click', () => void load(params, true));

  async function runBulk(action: string): Promise<void> {
    const ids = [...selected];
    try {
      const result = await api.bulk(ids, action);
      ctx.announce(`${label(action)}: ${result.succeeded} done${result.failed ? `, ${result.failed} failed` : ''}.`);
      ctx.changed();
    } catch (err) {
      ctx.failed(err);
    }
  }

  async function runOne(id: number, action: string): Promise<void> {
    try {
      await api.moderate(id, action);
      ctx.announce(`Comment ${id}: ${label(action)}.`);
      ctx.changed();
    } catch (err) {
      ctx.failed(err);
    }
  }

  function item(c: AdminComment): HTMLLIElement {
    const boxId = nextId('bta-sel');
    const who = c.deleted ? '(deleted)' : c.author || '(no name)';
    const box = h('input', { type: 'checkbox', class: 'bta-select', id: boxId, value: String(c.id), 'aria-label': `Select comment ${c.id} by ${who}` });
    box.addEventListener('change', () => {
      if (box.checked) selected.add(c.id);
      else selected.delete(c.id);
      updateSelection();
    });
    const actions = [...(ACTIONS[c.status] ?? []), DELETE].map((def) => {
      const b = h('button', { type: 'button', class: `bta-act bta-${def.action}`, 'data-action': def.action }, def.label);
      b.addEventListener('click', () => {
        if (def.action === 'delete' && !armed(b, 'Really delete?')) return;
        void runOne(c.id, def.action);
      });
      return b;
    });
    const facts = h('dl', { class: 'bta-facts' });
    const fact = (term: string, value: Node | string) => append(facts, h('dt', {}, term), h('dd', {}, value));
    fact('Type', c.type);
    fact('Status', c.status);
    if (c.email) fact('E-mail', c.email);
    fact('IP', c.ip || '—');
    if (c.url) fact('Website', externalLink(c.url));
    if (c.source) fact('Source', externalLink(c.source));
    fact('Post', externalLink(c.target));
    if (c.reasons.length) fact('Flagged', c.reasons.join(', '));
    if (c.user_agent) fact('Agent', c.user_agent);
    return h('li', { class: `bta-item bta-${c.status}`, 'data-id': String(c.id) },
      h('article', { 'aria-labelledby': `${boxId}-h` },
        h('header', { class: 'bta-item-head' },
          box,
          // <bdi>: a name written right to left (or stored before names were cleaned) stays in its box.
          h('h3', { id: `${boxId}-h`, class: 'bta-author' }, h('bdi', {}, who)),
          h('time', { datetime: c.created, title: c.created }, new Date(c.created).toLocaleString()),
          h('span', { class: 'bta-id' }, `#${c.id}`)),
        c.title ? h('p', { class: 'bta-title' }, c.title) : null,
        // What the author typed, shown as text: the stored HTML is never rendered in the admin.
        h('div', { class: 'bta-body' }, c.body_raw),
        facts,
        h('div', { class: 'bta-actions', role: 'group', 'aria-label': `Moderate comment ${c.id}` }, ...actions)));
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
  return { approve: 'approved', spam: 'marked as spam', ham: 'marked as not spam', trash: 'moved to trash', delete: 'deleted' }[action] ?? action;
}
