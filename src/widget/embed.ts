/**
 * The loader, `/embed.js`: everything a page loads up front. It fills the comment counters with one
 * request, inserts the server-rendered thread (so reading needs no more code than this), and loads
 * the interactive chunk only once the reader starts to interact. Options come from the script tag's
 * `data-*` attributes, read synchronously: `document.currentScript` is null later. No globals.
 */
import type { WidgetApi } from './interactive.js';
import { applyTheme, themeSetting } from './theme.js';

/** `{lang: plural forms of "N comments"}`, generated from src/i18n at build time. */
declare const BT_COUNT_FORMS: Record<string, Record<string, string>>;

// Read now: `document.currentScript` is null once this script has finished running.
const script = document.currentScript as HTMLScriptElement | null;
const enc = encodeURIComponent;

function boot(script: HTMLScriptElement): void {
  const base = script.src.replace(/\/embed\.js(?:[?#].*)?$/, '');
  const data = script.dataset;
  const run = () => {
    const lang = (data.lang || document.documentElement.lang || 'en').toLowerCase().split(/[-_]/)[0] || 'en';
    counters(base, lang);
    const root = document.getElementById('backtalk');
    if (!root) return;
    applyTheme(root, themeSetting(data.theme));
    thread(root, base, data.target || canonical() || location.href.split('#')[0]!, lang);
  };
  // `async` scripts may run before the container below them is parsed.
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', run, { once: true });
  else run();
}

function canonical(): string | undefined {
  return document.querySelector<HTMLLinkElement>('link[rel="canonical"]')?.href || undefined;
}

function counters(base: string, lang: string): void {
  const links = document.querySelectorAll<HTMLElement>('[data-backtalk-count]');
  if (links.length === 0) return;
  const targets = [...new Set(Array.from(links, (a) => a.dataset.backtalkCount!))];
  // One request per page (the API takes up to 100 targets at once).
  for (let i = 0; i < targets.length; i += 100) {
    fetch(`${base}/api/counts?${targets.slice(i, i + 100).map((t) => 'target=' + enc(t)).join('&')}`)
      .then((r) => r.json())
      .then((counts: Record<string, number>) => {
        const forms = BT_COUNT_FORMS[lang] || BT_COUNT_FORMS.en!;
        const rules = new Intl.PluralRules(lang);
        links.forEach((a) => {
          const n = counts[a.dataset.backtalkCount!];
          if (typeof n === 'number') a.textContent = (forms[rules.select(n)] || forms.other!).replace('{n}', String(n));
        });
      }, () => undefined);
  }
}

function thread(root: HTMLElement, base: string, target: string, lang: string): void {
  const css = document.createElement('link');
  css.rel = 'stylesheet';
  css.href = base + '/widget/backtalk.css';
  document.head.appendChild(css);
  performance.mark('backtalk-start');
  // The reader's chosen order (paging.ts remembers it), else the default.
  let sort = '';
  try {
    sort = /^(newest|liked)$/.test(localStorage.getItem('backtalk:sort') || '') ? '&sort=' + localStorage.getItem('backtalk:sort') : '';
  } catch {
    // Storage disabled: the default order.
  }
  // no-cache: revalidate with the ETag (a cheap 304) rather than show a stale copy from the browser's cache.
  fetch(`${base}/thread?fragment=1&lang=${enc(lang)}&target=${enc(target)}${sort}`, { cache: 'no-cache' })
    .then((r) => (r.ok ? r.text() : r.json().then((e: { error: { message: string } }) => Promise.reject(new Refusal(r.status, e.error.message)))))
    .then((text) => {
      performance.mark('backtalk-fetched');
      // Server-rendered: every value a reader supplied was escaped or sanitized there.
      root.innerHTML = text;
      performance.mark('backtalk-inserted');
      performance.measure('backtalk-render', 'backtalk-start', 'backtalk-inserted');
      performance.measure('backtalk-insert', 'backtalk-fetched', 'backtalk-inserted');
      const hash = /^#comment-\d+$/.test(location.hash) ? document.getElementById(location.hash.slice(1)) : null;
      hash?.scrollIntoView();
      arm(root, base);
    }, (failure: unknown) => explain(root, base, lang, target, failure));
}

/** A refusal the server could tell us about (the page's origin was allowed, the post URL was not). */
class Refusal extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/**
 * The thread could not be loaded. A page whose origin is not one of BACKTALK_SITES cannot read the
 * answer at all (CORS), so ask /api/origin, which anyone may read: readers get a neutral line, the
 * owner the details in the console. Anything else (server down) keeps the no-JavaScript link.
 */
function explain(root: HTMLElement, base: string, lang: string, target: string, failure: unknown): void {
  const show = (message: string) => {
    const p = document.createElement('p');
    p.className = 'bt-unavailable';
    p.textContent = message;
    root.replaceChildren(p);
  };
  fetch(`${base}/api/origin?lang=${enc(lang)}`, { cache: 'no-store' })
    .then((r) => r.json())
    .then((o: { origin: string | null; allowed: boolean | null; message: string }) => {
      if (o.allowed === false) {
        show(o.message);
        console.error(`Backtalk: this page's origin ${o.origin} is not one of BACKTALK_SITES of the Backtalk server at ${base}, so it refuses to serve comments here. Add ${o.origin} to BACKTALK_SITES (comma-separated origins) and restart Backtalk.`);
      } else if (failure instanceof Refusal && failure.status === 403) {
        show(o.message);
        console.error(`Backtalk: the post URL ${target} was refused: ${failure.message} Set data-target to a URL on one of BACKTALK_SITES, or add its origin there.`);
      } else {
        throw failure;
      }
    })
    .catch(() => {
      console.error(`Backtalk: comments for ${target} could not be loaded from ${base}.`);
      const a = document.createElement('a');
      a.href = `${base}/thread?lang=${enc(lang)}&target=${enc(target)}`;
      a.textContent = a.href;
      root.replaceChildren(a);
    });
}

/** Loads the interactive chunk on the first focus in the form, click on a reply link, or submit. */
function arm(root: HTMLElement, base: string): void {
  let loading: Promise<WidgetApi> | undefined;
  const types = ['focusin', 'click', 'submit'] as const;
  const load = () => (loading ??= (import(base + '/widget/interactive.js') as Promise<typeof import('./interactive.js')>).then((m) => {
    for (const type of types) root.removeEventListener(type, onEvent);
    return m.start(root, base);
  }));
  const onEvent = (e: Event) => {
    const el = e.target as Element;
    const wanted = e.type === 'submit' || (e.type === 'click' ? el.closest('[data-bt-reply],a[data-bt-more],a[data-bt-sort]') : el.closest('.bt-form'));
    if (!wanted) return;
    if (e.type !== 'focusin') e.preventDefault();
    load().then((api) => api.handle(e), () => {
      // The chunk could not load: a reply link and the form still work as plain HTML.
      if (e.type === 'submit') (el as HTMLFormElement).submit();
      else if (e.type === 'click') location.assign((wanted as HTMLAnchorElement).href);
    });
  };
  for (const type of types) root.addEventListener(type, onEvent);
  // The reader's own comments can still be edited, and their votes show as pressed: without waiting.
  // Their comments held for moderation on this thread are merged in by the chunk (widget/held.ts, issue 17.4).
  try {
    const own = JSON.parse(localStorage.getItem('backtalk:own') || '{}') as Record<string, { until: number }>;
    const voted = Object.keys(JSON.parse(localStorage.getItem('backtalk:votes') || '{}') as object);
    const held = JSON.parse(localStorage.getItem('backtalk:held') || '{}') as Record<string, { target: string }>;
    const target = root.querySelector<HTMLElement>('.bt-thread')?.dataset.btTarget;
    if (Object.keys(own).some((id) => own[id]!.until > Date.now() && document.getElementById('comment-' + id))
      || voted.some((id) => document.getElementById('comment-' + id))
      || Object.keys(held).some((id) => held[id]!.target === target)) void load();
  } catch {
    // Storage disabled: nothing to show.
  }
}

// Last, so every declaration above is initialized before it runs.
if (script) boot(script);
