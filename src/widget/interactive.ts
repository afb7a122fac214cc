/**
 * The interactive chunk, loaded by embed.ts when the reader starts to interact: posting through the
 * JSON API, replies, remembered author fields, pending notice, inline errors, 429 with Retry-After,
 * edit/delete of one's own comments within the edit window, and live preview. Reader-supplied text
 * is only ever set with textContent; the one innerHTML is the server's sanitized `body_html`.
 */
import { format } from '../i18n/format.js';
import { fragmentUrl, rememberSort, showMore, sortParam } from './paging.js';
import { castVote, markVotes } from './votes.js';

export interface WidgetApi {
  handle(e: Event): void;
}

interface Own { token: string; body: string; until: number }
interface ApiError { error?: { code?: string; message?: string; field?: string } }

const OWN_KEY = 'backtalk:own';
const AUTHOR_KEY = 'backtalk:author';
const REMEMBERED = ['author', 'email', 'url'] as const;

function load<T>(key: string, fallback: T): T {
  try {
    return (JSON.parse(localStorage.getItem(key) || 'null') as T) ?? fallback;
  } catch {
    return fallback;
  }
}

function save(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or disabled: the widget works, it just forgets.
  }
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function start(root: HTMLElement, base: string): WidgetApi {
  const section = () => root.querySelector<HTMLElement>('.bt-thread')!;
  const t = JSON.parse(section().dataset.btStrings || '{}') as Record<string, string>;
  // The server's edit window (contract: 15 minutes by default); it enforces it, this only hides stale buttons.
  const editMs = Number(section().dataset.btEditMinutes || 15) * 60_000;
  const form = root.querySelector<HTMLFormElement>('form.bt-form');
  const field = (name: string) => form?.elements.namedItem(name) as HTMLInputElement | HTMLTextAreaElement | null;
  const status = (text: string, error = false) => {
    const s = form?.querySelector('.bt-status');
    if (!s) return;
    s.textContent = text;
    s.classList.toggle('bt-status-error', error);
  };
  const json = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(base + path, {
      method,
      headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  // Contract: error messages follow `?lang=`, then the body's `lang` (the form carries it as a hidden
  // field), so the errors shown here are in the thread's language.
  const lang = () => encodeURIComponent(section().lang);
  const errorOf = async (res: Response): Promise<{ message: string; field?: string }> => {
    const data = (await res.json().catch(() => ({}))) as ApiError;
    return { message: data.error?.message || String(res.status), field: data.error?.field };
  };

  const author = load<Record<string, string>>(AUTHOR_KEY, {});
  for (const name of REMEMBERED) {
    const input = field(name);
    if (input && !input.value && author[name]) input.value = author[name]!;
  }

  const clearErrors = () => {
    form?.querySelectorAll('.bt-field-error').forEach((n) => n.remove());
    form?.querySelectorAll('[aria-invalid]').forEach((n) => {
      n.removeAttribute('aria-invalid');
      n.setAttribute('aria-describedby', (n.getAttribute('aria-describedby') || '').replace(/\s*bt-err-\w+/, '').trim());
    });
  };

  const showError = (message: string, name?: string) => {
    status(format(t.failed!, { message }), true);
    const input = name ? field(name) : null;
    if (!input || input.type === 'hidden') return;
    const note = el('span', 'bt-field-error', message);
    note.id = 'bt-err-' + name;
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', `${input.getAttribute('aria-describedby') || ''} ${note.id}`.trim());
    input.after(note);
    input.focus();
  };

  const cancelReply = () => {
    if (!form) return;
    field('parent')!.value = '';
    form.querySelector('.bt-replying')?.remove();
    section().append(form);
  };

  const reply = (link: HTMLElement) => {
    const id = link.dataset.btReply!;
    const item = document.getElementById('comment-' + id);
    if (!form || !item) return;
    cancelReply();
    item.querySelector(':scope > article')!.after(form);
    field('parent')!.value = id;
    const note = el('p', 'bt-replying');
    // The name isolated in <bdi>, as the server renders it, so it cannot reorder the message.
    t.replyingTo!.split('{name}').forEach((part, i) => {
      if (i > 0) note.append(el('bdi', '', link.dataset.btName || t.anonymous!));
      note.append(part);
    });
    note.append(' ');
    const cancel = el('button', 'bt-cancel-reply', t.cancelReply);
    cancel.type = 'button';
    note.append(cancel);
    form.querySelector('.bt-form-title')!.after(note);
    field('body')!.focus();
  };

  const refresh = async (sort = section().dataset.btOrder) => {
    const thread = section();
    // Right after the reader's own change: a fresh URL and no-store, so neither the browser's cache
    // (stale-while-revalidate) nor a CDN in front can hand back the thread as it was before it.
    const res = await fetch(fragmentUrl(base, thread, `${sortParam(sort)}&_=${Date.now()}`), { cache: 'no-store' });
    if (!res.ok) return;
    const tpl = document.createElement('template');
    tpl.innerHTML = await res.text(); // server-rendered and escaped, as in embed.ts
    const fresh = tpl.content.querySelector('.bt-thread');
    if (!fresh) return;
    // The reader's form (and what they typed) survives the refresh.
    const stale = fresh.querySelector('form.bt-form');
    if (stale && form) stale.replaceWith(form);
    thread.replaceWith(fresh);
    decorate();
  };

  const vote = async (voteForm: HTMLFormElement, button: HTMLButtonElement | null) => {
    const problem = await castVote(voteForm, button, base, section().lang, t.loadFailed!);
    if (problem !== undefined) status(format(t.voteFailed!, { message: problem }), true);
  };

  const ownComments = () => {
    const own = load<Record<string, Own>>(OWN_KEY, {});
    for (const id of Object.keys(own)) if (own[id]!.until < Date.now()) delete own[id];
    return own;
  };

  const decorate = () => {
    markVotes(root);
    const own = ownComments();
    save(OWN_KEY, own);
    for (const id of Object.keys(own)) {
      const actions = document.getElementById('comment-' + id)?.querySelector(':scope > article .bt-actions');
      if (!actions || actions.querySelector('[data-bt-edit]')) continue;
      for (const [attr, label] of [['data-bt-edit', t.edit], ['data-bt-delete', t.delete]] as const) {
        const button = el('button', 'bt-link', label);
        button.type = 'button';
        button.setAttribute(attr, id);
        actions.append(' ', button);
      }
    }
  };

  let previewSeq = 0;
  let previewTimer: ReturnType<typeof setTimeout> | undefined;
  /** Hides the preview and drops any request still pending, so a late answer cannot bring it back. */
  const resetPreview = () => {
    clearTimeout(previewTimer);
    previewSeq++;
    const box = form?.querySelector<HTMLElement>('.bt-preview');
    if (box) {
      box.hidden = true;
      box.textContent = '';
    }
    return box;
  };

  const submit = async () => {
    if (!form) return;
    clearErrors();
    const button = form.querySelector<HTMLButtonElement>('.bt-submit')!;
    const data: Record<string, string> = {};
    new FormData(form).forEach((v, k) => {
      if (typeof v === 'string') data[k] = v;
    });
    // The post's title, so the thread is listed and mailed by name (issue 16.5); the server keeps the first it gets.
    data.title ||= document.querySelector<HTMLMetaElement>('meta[property="og:title"]')?.content || document.title;
    button.disabled = true;
    status(t.posting!);
    let res: Response;
    try {
      res = await json('POST', '/comments', data);
    } catch {
      button.disabled = false;
      status(format(t.failed!, { message: t.loadFailed! }), true);
      return;
    }
    if (res.status === 429) {
      const wait = Number(res.headers.get('Retry-After')) || 60;
      status(format(t.tooMany!, { n: wait }), true);
      setTimeout(() => (button.disabled = false), wait * 1000);
      return;
    }
    button.disabled = false;
    if (!res.ok) {
      const err = await errorOf(res);
      showError(err.message, err.field);
      return;
    }
    const comment = (await res.json()) as { id: number; status: string; edit_token?: string };
    const remembered: Record<string, string> = {};
    for (const name of REMEMBERED) remembered[name] = data[name] || '';
    save(AUTHOR_KEY, remembered);
    if (comment.edit_token) {
      const own = ownComments();
      own[comment.id] = { token: comment.edit_token, body: data.body || '', until: Date.now() + editMs };
      save(OWN_KEY, own);
    }
    field('body')!.value = '';
    resetPreview();
    cancelReply();
    if (comment.status === 'pending') {
      status(t.pending!);
      return;
    }
    await refresh();
    // In a paged thread the new comment may be on a later page (oldest first: the last one).
    for (let pages = 0; pages < 100 && !document.getElementById('comment-' + comment.id); pages++) {
      const more = root.querySelector<HTMLAnchorElement>('a[data-bt-more]');
      if (!more || !(await showMore(section(), base, more, false))) break;
    }
    decorate();
    status(t.posted!);
    document.getElementById('comment-' + comment.id)?.scrollIntoView({ block: 'nearest' });
  };

  const edit = (id: string) => {
    const item = document.getElementById('comment-' + id);
    const body = item?.querySelector<HTMLElement>(':scope > article .bt-body');
    const own = ownComments()[id];
    if (!item || !body || !own || item.querySelector('.bt-edit-box')) return;
    const box = el('div', 'bt-edit-box');
    const area = el('textarea', 'bt-edit-area');
    area.value = own.body;
    area.rows = 5;
    area.setAttribute('aria-label', t.bodyLabel!);
    const saveButton = el('button', 'bt-submit', t.save);
    const cancel = el('button', 'bt-link', t.cancel);
    saveButton.type = cancel.type = 'button';
    const note = el('p', 'bt-status');
    note.setAttribute('role', 'status');
    box.append(area, saveButton, ' ', cancel, note);
    body.hidden = true;
    body.after(box);
    area.focus();
    cancel.onclick = () => {
      box.remove();
      body.hidden = false;
    };
    saveButton.onclick = async () => {
      const res = await json('PUT', `/api/comments/${id}?lang=${lang()}`, { body: area.value }, { 'X-Edit-Token': own.token });
      if (!res.ok) {
        note.textContent = (await errorOf(res)).message;
        note.classList.add('bt-status-error');
        return;
      }
      const updated = (await res.json()) as { body_html: string; status: string };
      body.innerHTML = updated.body_html; // sanitized by the server's single policy
      const all = ownComments();
      if (all[id]) all[id]!.body = area.value;
      save(OWN_KEY, all);
      box.remove();
      body.hidden = false;
      // An edit goes through the spam checks again and may be held.
      status(updated.status === 'pending' ? t.pending! : t.saved!);
    };
  };

  const remove = async (id: string) => {
    const own = ownComments()[id];
    if (!own || !confirm(t.confirmDelete)) return;
    const res = await json('DELETE', `/api/comments/${id}?lang=${lang()}`, undefined, { 'X-Edit-Token': own.token });
    if (!res.ok) {
      status((await errorOf(res)).message, true);
      return;
    }
    const all = ownComments();
    delete all[id];
    save(OWN_KEY, all);
    await refresh();
    status(t.deletedOwn!);
  };

  const preview = (text: string) => {
    // While typing the old preview stays up (no flicker); an empty body hides it.
    if (text.trim() === '') {
      resetPreview();
      return;
    }
    clearTimeout(previewTimer);
    const box = form?.querySelector<HTMLElement>('.bt-preview');
    if (!box) return;
    previewTimer = setTimeout(async () => {
      const seq = ++previewSeq;
      const res = await json('POST', '/api/preview', { body: text }).catch(() => undefined);
      if (!res?.ok || seq !== previewSeq) return;
      box.innerHTML = ((await res.json()) as { body_html: string }).body_html; // server-sanitized
      box.hidden = false;
    }, 300);
  };

  const handle = (e: Event) => {
    const target = e.target as HTMLElement;
    const voteForm = target.closest<HTMLFormElement>('form.bt-vote');
    if (e.type === 'submit' && voteForm) {
      e.preventDefault();
      void vote(voteForm, (e as SubmitEvent).submitter as HTMLButtonElement | null);
    } else if (e.type === 'submit') {
      e.preventDefault();
      void submit();
    } else if (e.type === 'input' && target === field('body')) {
      preview((target as HTMLTextAreaElement).value);
    } else if (e.type === 'click') {
      const hit = target.closest<HTMLElement>('[data-bt-reply], [data-bt-edit], [data-bt-delete], .bt-cancel-reply, a[data-bt-more], a[data-bt-sort]');
      if (!hit) return;
      e.preventDefault();
      if (hit.dataset.btMore) {
        void showMore(section(), base, hit as HTMLAnchorElement).then((ok) => (ok ? decorate() : location.assign((hit as HTMLAnchorElement).href)));
      } else if (hit.dataset.btSort) {
        rememberSort(hit.dataset.btSort);
        void refresh(hit.dataset.btSort);
      } else if (hit.dataset.btReply) reply(hit);
      else if (hit.dataset.btEdit) edit(hit.dataset.btEdit);
      else if (hit.dataset.btDelete) void remove(hit.dataset.btDelete);
      else cancelReply();
    }
  };

  for (const type of ['click', 'submit', 'input']) root.addEventListener(type, handle);
  decorate();
  // Text typed while this chunk was loading gets its preview too.
  if (field('body')?.value) preview(field('body')!.value);
  return { handle };
}
