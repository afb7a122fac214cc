/**
 * The moderation page (/admin). Signing in trades the admin token for an HttpOnly session cookie
 * (BACKTALK_ADMIN_SESSION long, every tab of this browser); changes carry the session's CSRF token.
 * The token itself is never stored. Every value shown comes from the API and is written as text (see
 * dom.ts); the page's CSP forbids inline script besides.
 */
import { api, ApiError, session, type Counts } from './api.js';
import { createCommentList, type ListContext } from './comment-list.js';
import { clear, h, nextId } from './dom.js';
import { format, T } from './i18n.js';
import { createBlockedWordsPanel, createLinkbacksPanel, createSearchPanel, createThreadsPanel } from './panels.js';
import { createSentPanel } from './sent-panel.js';
import { createOutboxPanel } from './outbox-panel.js';
import { createOriginsPanel } from './origins-panel.js';

const QUEUES = ['pending', 'approved', 'spam', 'trash'] as const;

interface Tab { key: string; label: string; show(): Promise<void> | void; element: HTMLElement; count?: HTMLElement }

const root = document.getElementById('backtalk-admin');
if (root) void start(root);

async function start(root: HTMLElement): Promise<void> {
  try {
    // Signed in already in another tab, or on an earlier visit within BACKTALK_ADMIN_SESSION.
    if (!(await session.resume())) throw new ApiError(401, 'unauthorized', '');
    showApp(root, await api.counts());
  } catch (err) {
    signIn(root, err instanceof ApiError && err.status === 401 ? '' : errorText(err));
  }
}

function signIn(root: HTMLElement, message: string): void {
  clear(root);
  const inputId = nextId('bta-token');
  const input = h('input', { type: 'password', id: inputId, name: 'token', required: true, autocomplete: 'current-password' });
  const error = h('p', { class: 'bta-error', role: 'alert' }, message);
  const form = h('form', { class: 'bta-signin' },
    h('h1', {}, T.title),
    h('label', { for: inputId }, T.tokenLabel), input,
    h('p', { class: 'bta-note' }, T.tokenNote),
    error,
    h('button', { type: 'submit' }, T.signIn));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = input.value.trim();
    error.textContent = '';
    try {
      await session.signIn(token);
      showApp(root, await api.counts());
    } catch (err) {
      error.textContent = err instanceof ApiError && err.status === 401 ? T.tokenRefused : errorText(err);
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
        signIn(root, T.sessionEnded);
        return;
      }
      live.textContent = format(T.error, { message: errorText(err) });
    },
  };

  const tabs: Tab[] = QUEUES.map((key) => {
    const list = createCommentList(ctx, format(T.queueCaption, { queue: T.queues[key] }));
    return { key, label: T.queues[key], element: list.element, show: () => list.load({ status: key }), count: h('span', { class: 'bta-count' }) };
  });
  const search = createSearchPanel(ctx);
  const linkbacks = createLinkbacksPanel(ctx);
  const threads = createThreadsPanel(ctx);
  const words = createBlockedWordsPanel(ctx);
  const sent = createSentPanel(ctx);
  tabs.push(
    { key: 'search', label: T.tabSearch, element: search.element, show: search.refresh },
    { key: 'linkbacks', label: T.tabLinkbacks, element: linkbacks.element, show: linkbacks.refresh },
    { key: 'threads', label: T.tabThreads, element: threads.element, show: threads.refresh },
    { key: 'words', label: T.tabWords, element: words.element, show: words.refresh },
    { key: 'sent', label: T.tabSent, element: sent.element, show: sent.refresh },
  );
  const outbox = createOutboxPanel(ctx);
  const origins = createOriginsPanel(ctx);
  tabs.push(
    { key: 'outbox', label: T.tabOutbox, element: outbox.element, show: outbox.refresh },
    { key: 'origins', label: T.tabOrigins, element: origins.element, show: origins.refresh },
  );

  const panel = h('section', { class: 'bta-panel', role: 'tabpanel', id: 'bta-panel', tabindex: '0' });
  const buttons = tabs.map((tab) =>
    h('button', { type: 'button', role: 'tab', id: `bta-tab-${tab.key}`, 'aria-controls': 'bta-panel', 'data-tab': tab.key, class: 'bta-tab' },
      tab.label, tab.count ? ' ' : null, tab.count ?? null));
  const tablist = h('div', { role: 'tablist', 'aria-label': T.views, class: 'bta-tabs' }, ...buttons);
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

  const signOutButton = (everywhere: boolean) => {
    const b = h('button', { type: 'button', class: everywhere ? 'bta-signout-all' : 'bta-signout' }, everywhere ? T.signOutEverywhere : T.signOut);
    b.addEventListener('click', () => {
      session.signOut(everywhere).then(() => signIn(root, everywhere ? T.signedOutEverywhere : ''), ctx.failed);
    });
    return b;
  };
  root.append(
    h('header', { class: 'bta-top' }, h('h1', {}, T.title), h('div', { class: 'bta-signouts' }, signOutButton(false), signOutButton(true))),
    tablist, live, panel,
  );
  showCounts(initial);
  select(0);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
