/**
 * The moderation page (/admin). Signs in with the admin token, kept in sessionStorage for this tab
 * only and sent as a bearer header: no cookie, so no CSRF. Every value shown comes from the API and is
 * written as text (see dom.ts); the page's CSP forbids inline script besides.
 */
import { api, ApiError, saveToken, savedToken, type Counts } from './api.js';
import { createCommentList, type ListContext } from './comment-list.js';
import { clear, h, nextId } from './dom.js';
import { createBlockedWordsPanel, createLinkbacksPanel, createSearchPanel, createThreadsPanel } from './panels.js';
import { createSentPanel } from './sent-panel.js';

const QUEUES = [
  { key: 'pending', label: 'Pending' },
  { key: 'approved', label: 'Approved' },
  { key: 'spam', label: 'Spam' },
  { key: 'trash', label: 'Trash' },
] as const;

interface Tab { key: string; label: string; show(): Promise<void> | void; element: HTMLElement; count?: HTMLElement }

const root = document.getElementById('backtalk-admin');
if (root) void start(root);

async function start(root: HTMLElement): Promise<void> {
  const token = savedToken();
  if (!token) {
    signIn(root, '');
    return;
  }
  try {
    const counts = await api.counts(token);
    showApp(root, counts);
  } catch (err) {
    saveToken(null);
    signIn(root, err instanceof ApiError && err.status === 401 ? 'Your session ended: the token was refused.' : errorText(err));
  }
}

function signIn(root: HTMLElement, message: string): void {
  clear(root);
  const inputId = nextId('bta-token');
  const input = h('input', { type: 'password', id: inputId, name: 'token', required: true, autocomplete: 'current-password' });
  const error = h('p', { class: 'bta-error', role: 'alert' }, message);
  const form = h('form', { class: 'bta-signin' },
    h('h1', {}, 'Backtalk moderation'),
    h('label', { for: inputId }, 'Admin token'), input,
    h('p', { class: 'bta-note' }, 'The token printed on first start or set as BACKTALK_ADMIN_TOKEN. It is kept only in this browser tab.'),
    error,
    h('button', { type: 'submit' }, 'Sign in'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = input.value.trim();
    error.textContent = '';
    try {
      const counts = await api.counts(token);
      saveToken(token);
      showApp(root, counts);
    } catch (err) {
      error.textContent = err instanceof ApiError && err.status === 401 ? 'That token was refused.' : errorText(err);
      input.select();
    }
  });
  root.appendChild(form);
  input.focus();
}

function showApp(root: HTMLElement, initial: Counts): void {
  clear(root);
  const live = h('p', { class: 'bta-live', role: 'status', 'aria-live': 'polite' });
  const ctx: ListContext = {
    announce: (message) => {
      live.textContent = message;
    },
    changed: () => void refresh(),
    failed: (err) => {
      if (err instanceof ApiError && err.status === 401) {
        saveToken(null);
        signIn(root, 'Your session ended: the token was refused.');
        return;
      }
      live.textContent = `Error: ${errorText(err)}`;
    },
  };

  const tabs: Tab[] = QUEUES.map((q) => {
    const list = createCommentList(ctx, `${q.label} comments`);
    return { key: q.key, label: q.label, element: list.element, show: () => list.load({ status: q.key }), count: h('span', { class: 'bta-count' }) };
  });
  const search = createSearchPanel(ctx);
  const linkbacks = createLinkbacksPanel(ctx);
  const threads = createThreadsPanel(ctx);
  const words = createBlockedWordsPanel(ctx);
  const sent = createSentPanel(ctx);
  tabs.push(
    { key: 'search', label: 'Search', element: search.element, show: search.refresh },
    { key: 'linkbacks', label: 'Linkback log', element: linkbacks.element, show: linkbacks.refresh },
    { key: 'threads', label: 'Threads', element: threads.element, show: threads.refresh },
    { key: 'words', label: 'Blocked words', element: words.element, show: words.refresh },
    { key: 'sent', label: 'Sent', element: sent.element, show: sent.refresh },
  );

  const panel = h('section', { class: 'bta-panel', role: 'tabpanel', id: 'bta-panel', tabindex: '0' });
  const buttons = tabs.map((tab) =>
    h('button', { type: 'button', role: 'tab', id: `bta-tab-${tab.key}`, 'aria-controls': 'bta-panel', 'data-tab': tab.key, class: 'bta-tab' },
      tab.label, tab.count ? ' ' : null, tab.count ?? null));
  const tablist = h('div', { role: 'tablist', 'aria-label': 'Moderation views', class: 'bta-tabs' }, ...buttons);
  let current = 0;

  function select(index: number, focus = false): void {
    current = index;
    buttons.forEach((b, i) => {
      b.setAttribute('aria-selected', String(i === index));
      b.tabIndex = i === index ? 0 : -1;
    });
    const tab = tabs[index]!;
    panel.setAttribute('aria-labelledby', buttons[index]!.id);
    panel.replaceChildren(tab.element);
    void tab.show();
    // Arrow keys keep focus on the tabs (so the next arrow still works); a click goes to the search box.
    if (focus) buttons[index]!.focus();
    else if (tab.key === 'search') search.focus();
  }

  buttons.forEach((b, i) => b.addEventListener('click', () => select(i)));
  // WAI-ARIA tabs pattern: arrows move between tabs, Home/End jump to the ends.
  tablist.addEventListener('keydown', (event) => {
    const moves: Record<string, number> = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: tabs.length - 1 };
    const to = moves[event.key];
    if (to === undefined) return;
    event.preventDefault();
    select((to + tabs.length) % tabs.length, true);
  });

  function showCounts(counts: Counts): void {
    for (const tab of tabs) if (tab.count) tab.count.textContent = `(${counts[tab.key as keyof Counts]})`;
  }

  async function refresh(): Promise<void> {
    try {
      showCounts(await api.counts());
      await tabs[current]!.show();
    } catch (err) {
      ctx.failed(err);
    }
  }

  const signOut = h('button', { type: 'button', class: 'bta-signout' }, 'Sign out');
  signOut.addEventListener('click', () => {
    saveToken(null);
    signIn(root, '');
  });
  root.append(
    h('header', { class: 'bta-top' }, h('h1', {}, 'Backtalk moderation'), signOut),
    tablist, live, panel,
  );
  showCounts(initial);
  select(0);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
