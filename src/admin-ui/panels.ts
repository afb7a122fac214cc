/** The other tabs: search, the linkback log, threads (close/reopen), and the blocked-words editor. */
import { api } from './api.js';
import { ownerCommentOn } from './owner-actions.js';
import type { ListContext } from './comment-list.js';
import { createCommentList } from './comment-list.js';
import { append, clear, externalLink, h, nextId } from './dom.js';
import { format, LANG, plural, T } from './i18n.js';

export function createSearchPanel(ctx: ListContext) {
  const qId = nextId('bta-q');
  const fieldId = nextId('bta-field');
  const statusId = nextId('bta-status');
  const q = h('input', { type: 'search', id: qId, name: 'q', required: true, maxlength: '200', autocomplete: 'off' });
  const field = h('select', { id: fieldId, name: 'field' },
    ...(['all', 'text', 'author', 'email', 'ip', 'source'] as const)
      .map((key) => h('option', { value: key === 'all' ? '' : key }, T.searchFields[key])));
  const status = h('select', { id: statusId, name: 'status' },
    h('option', { value: '' }, T.anyStatus),
    ...(['pending', 'approved', 'spam', 'trash'] as const).map((key) => h('option', { value: key }, T.queues[key])));
  const form = h('form', { class: 'bta-search', role: 'search' },
    h('label', { for: qId }, T.searchFor), q,
    h('label', { for: fieldId }, T.searchIn), field,
    h('label', { for: statusId }, T.searchAmong), status,
    h('button', { type: 'submit' }, T.tabSearch));
  const results = createCommentList(ctx, T.searchResults);
  results.element.hidden = true;
  let searched = false;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const params: Record<string, string> = { q: q.value.trim() };
    if (field.value) params.field = field.value;
    if (status.value) params.status = status.value;
    if (!params.q) return;
    searched = true;
    results.element.hidden = false;
    void results.load(params);
  });
  return {
    element: h('div', {}, form, results.element),
    focus: () => q.focus(),
    refresh: () => (searched ? results.reload() : Promise.resolve()),
  };
}

export function createLinkbacksPanel(ctx: ListContext) {
  const body = h('tbody');
  const table = h('table', { class: 'bta-table' },
    h('caption', {}, T.linkbackCaption),
    h('thead', {}, h('tr', {}, ...(['when', 'type', 'source', 'post', 'outcome', 'reason', 'ip', 'comment'] as const)
      .map((key) => h('th', { scope: 'col' }, T.columns[key])))),
    body);
  async function refresh(): Promise<void> {
    try {
      const { attempts } = await api.linkbacks({ limit: '200' });
      clear(body);
      for (const a of attempts) {
        append(body, h('tr', { class: `bta-outcome-${a.outcome.replace(/[^a-z-]/g, '')}` },
          h('td', {}, h('time', { datetime: a.created }, new Date(a.created).toLocaleString(LANG))),
          h('td', {}, T.kinds[a.type as keyof typeof T.kinds] ?? a.type),
          h('td', { class: 'bta-url' }, externalLink(a.source)),
          h('td', { class: 'bta-url' }, externalLink(a.target)),
          h('td', {}, T.outcomes[a.outcome as keyof typeof T.outcomes] ?? a.outcome),
          h('td', {}, a.reason),
          h('td', {}, a.ip),
          h('td', {}, a.comment_id === null ? '' : `#${a.comment_id}`)));
      }
      if (attempts.length === 0) append(body, h('tr', {}, h('td', { colspan: '8' }, T.noLinkbacks)));
    } catch (err) {
      ctx.failed(err);
    }
  }
  return { element: h('div', { class: 'bta-scroll' }, table), refresh };
}

export function createThreadsPanel(ctx: ListContext) {
  const filterId = nextId('bta-tq');
  const filter = h('input', { type: 'search', id: filterId, autocomplete: 'off' });
  const form = h('form', { class: 'bta-search', role: 'search' },
    h('label', { for: filterId }, T.threadFilter), filter, h('button', { type: 'submit' }, T.filter));
  const list = h('ul', { class: 'bta-threads', 'aria-label': T.tabThreads });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void refresh();
  });

  function switchFor(threadId: number, flag: 'comments_closed' | 'linkbacks_closed', checked: boolean, text: string): HTMLElement {
    const id = nextId('bta-flag');
    const box = h('input', { type: 'checkbox', id, class: `bta-${flag}`, checked });
    box.addEventListener('change', async () => {
      box.disabled = true;
      try {
        const t = await api.setThread(threadId, { [flag]: box.checked });
        box.checked = t[flag];
        ctx.announce(format(T.switched, { setting: text, value: box.checked ? T.yes : T.no, target: t.target }));
      } catch (err) {
        box.checked = !box.checked;
        ctx.failed(err);
      } finally {
        box.disabled = false;
      }
    });
    return h('label', { for: id, class: 'bta-check' }, box, ` ${text}`);
  }

  async function refresh(): Promise<void> {
    try {
      const params: Record<string, string> = { limit: '200' };
      if (filter.value.trim()) params.q = filter.value.trim();
      const { threads } = await api.threads(params);
      clear(list);
      for (const t of threads) {
        append(list, h('li', { class: 'bta-thread', 'data-id': String(t.id) },
          // Listed by the post's title when Backtalk knows it (issue 16.5), the address beneath it.
          t.title ? h('p', { class: 'bta-thread-title' }, externalLink(t.target, t.title)) : null,
          h('p', { class: 'bta-url' }, externalLink(t.target)),
          h('p', { class: 'bta-thread-counts' },
            format(T.threadCounts, t.counts)),
          h('div', { role: 'group', 'aria-label': format(T.closeThread, { target: t.title ?? t.target }) },
            switchFor(t.id, 'comments_closed', t.comments_closed, T.commentsClosed),
            switchFor(t.id, 'linkbacks_closed', t.linkbacks_closed, T.linkbacksClosed)),
          ownerCommentOn(t.target, t.title, ctx)));
      }
      if (threads.length === 0) append(list, h('li', {}, T.noThreads));
    } catch (err) {
      ctx.failed(err);
    }
  }
  return { element: h('div', {}, form, list), refresh };
}

export function createBlockedWordsPanel(ctx: ListContext) {
  const areaId = nextId('bta-words');
  const helpId = nextId('bta-words-help');
  const area = h('textarea', { id: areaId, rows: '12', cols: '40', 'aria-describedby': helpId, spellcheck: 'false' });
  const origin = h('p', { class: 'bta-note' });
  const form = h('form', { class: 'bta-words' },
    h('label', { for: areaId }, T.wordsLabel),
    h('p', { id: helpId, class: 'bta-note' }, T.wordsHelp),
    area, origin, h('button', { type: 'submit' }, T.wordsSave));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const saved = await api.saveBlockedWords(area.value.split('\n'));
      show(saved);
      ctx.announce(plural(T.wordsSaved, saved.words.length));
    } catch (err) {
      ctx.failed(err);
    }
  });
  function show(list: { words: string[]; source: string }): void {
    area.value = list.words.join('\n');
    origin.textContent = list.source === 'config' ? T.wordsFromConfig : T.wordsFromSettings;
  }
  async function refresh(): Promise<void> {
    try {
      show(await api.blockedWords());
    } catch (err) {
      ctx.failed(err);
    }
  }
  return { element: form, refresh };
}
