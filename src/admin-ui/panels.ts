/** The other tabs: search, the linkback log, threads (close/reopen), and the blocked-words editor. */
import { api } from './api.js';
import type { ListContext } from './comment-list.js';
import { createCommentList } from './comment-list.js';
import { append, clear, externalLink, h, nextId } from './dom.js';

export function createSearchPanel(ctx: ListContext) {
  const qId = nextId('bta-q');
  const fieldId = nextId('bta-field');
  const statusId = nextId('bta-status');
  const q = h('input', { type: 'search', id: qId, name: 'q', required: true, maxlength: '200', autocomplete: 'off' });
  const field = h('select', { id: fieldId, name: 'field' },
    ...[['', 'Everything'], ['text', 'Text'], ['author', 'Author'], ['email', 'E-mail'], ['ip', 'IP address'], ['source', 'Source URL']]
      .map(([value, text]) => h('option', { value }, text!)));
  const status = h('select', { id: statusId, name: 'status' },
    ...[['', 'Any status'], ['pending', 'Pending'], ['approved', 'Approved'], ['spam', 'Spam'], ['trash', 'Trash']]
      .map(([value, text]) => h('option', { value }, text!)));
  const form = h('form', { class: 'bta-search', role: 'search' },
    h('label', { for: qId }, 'Search for'), q,
    h('label', { for: fieldId }, 'in'), field,
    h('label', { for: statusId }, 'among'), status,
    h('button', { type: 'submit' }, 'Search'));
  const results = createCommentList(ctx, 'Search results');
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
    h('caption', {}, 'Every linkback attempt and what became of it, newest first'),
    h('thead', {}, h('tr', {}, ...['When', 'Type', 'Source', 'Post', 'Outcome', 'Reason', 'IP', 'Comment'].map((t) => h('th', { scope: 'col' }, t)))),
    body);
  async function refresh(): Promise<void> {
    try {
      const { attempts } = await api.linkbacks({ limit: '200' });
      clear(body);
      for (const a of attempts) {
        append(body, h('tr', { class: `bta-outcome-${a.outcome.replace(/[^a-z-]/g, '')}` },
          h('td', {}, h('time', { datetime: a.created }, new Date(a.created).toLocaleString())),
          h('td', {}, a.type),
          h('td', { class: 'bta-url' }, externalLink(a.source)),
          h('td', { class: 'bta-url' }, externalLink(a.target)),
          h('td', {}, a.outcome),
          h('td', {}, a.reason),
          h('td', {}, a.ip),
          h('td', {}, a.comment_id === null ? '' : `#${a.comment_id}`)));
      }
      if (attempts.length === 0) append(body, h('tr', {}, h('td', { colspan: '8' }, 'No linkbacks yet.')));
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
    h('label', { for: filterId }, 'Posts whose URL contains'), filter, h('button', { type: 'submit' }, 'Filter'));
  const list = h('ul', { class: 'bta-threads', 'aria-label': 'Threads' });
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
        ctx.announce(`${text}: ${box.checked ? 'yes' : 'no'} for ${t.target}.`);
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
            `${t.counts.approved} approved · ${t.counts.pending} pending · ${t.counts.spam} spam · ${t.counts.trash} trash`),
          h('div', { role: 'group', 'aria-label': `Close ${t.title ?? t.target}` },
            switchFor(t.id, 'comments_closed', t.comments_closed, 'Comments closed'),
            switchFor(t.id, 'linkbacks_closed', t.linkbacks_closed, 'Linkbacks closed'))));
      }
      if (threads.length === 0) append(list, h('li', {}, 'No threads.'));
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
    h('label', { for: areaId }, 'Blocked words and phrases, one per line'),
    h('p', { id: helpId, class: 'bta-note' },
      'A new comment or linkback whose author, e-mail, website, source or text contains one of them goes to spam. '
      + 'Matching ignores case. Saving applies to the next submission.'),
    area, origin, h('button', { type: 'submit' }, 'Save blocked words'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const saved = await api.saveBlockedWords(area.value.split('\n'));
      show(saved);
      ctx.announce(`Saved ${saved.words.length} blocked word${saved.words.length === 1 ? '' : 's'}.`);
    } catch (err) {
      ctx.failed(err);
    }
  });
  function show(list: { words: string[]; source: string }): void {
    area.value = list.words.join('\n');
    origin.textContent = list.source === 'config'
      ? 'Showing BACKTALK_BLOCKED_WORDS: nothing saved here yet. Once saved, this list replaces it.'
      : 'Saved list (it replaces BACKTALK_BLOCKED_WORDS).';
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
