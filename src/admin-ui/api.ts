/** The admin API client: the session cookie (plus its CSRF token), JSON in and out, the contract's error shape. */
import { LANG } from './i18n.js';

export interface AdminComment {
  id: number;
  parent: number | null;
  type: string;
  author: string;
  url: string;
  body_raw: string;
  created: string;
  edited: string | null;
  source: string | null;
  title: string | null;
  status: string;
  target: string;
  email: string;
  ip: string;
  user_agent: string;
  reasons: string[];
  deleted?: boolean;
  /** Contract v1.1: the owner's own comment, and pinned to the top of its thread. */
  owner?: boolean;
  pinned?: boolean;
  /** The post's title when Backtalk knows it (lists and search only). */
  thread_title?: string | null;
}

export type Counts = Record<'pending' | 'approved' | 'spam' | 'trash', number>;

export interface LinkbackAttempt {
  id: number;
  type: string;
  source: string;
  target: string;
  outcome: string;
  reason: string;
  ip: string;
  comment_id: number | null;
  created: string;
}

export interface ThreadInfo {
  id: number;
  target: string;
  title: string | null;
  comments_closed: boolean;
  linkbacks_closed: boolean;
  created: string;
  counts: Counts;
}

export interface BulkResult {
  succeeded: number;
  failed: number;
  results: Array<{ id: number; ok: boolean; error?: { code: string; message: string } }>;
}

export interface SentLink {
  id: number;
  target: string;
  protocol: string;
  state: 'queued' | 'sent' | 'failed';
  response: string;
  in_post: boolean;
}

export interface SentPost {
  id: number;
  source: string;
  title: string;
  status: 'pending' | 'done' | 'failed';
  gone: boolean;
  error: string | null;
  links: SentLink[];
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/**
 * The session's CSRF token (auth/admin-sessions.ts), learnt at sign-in or from GET session. The
 * session itself is an HttpOnly cookie this script never sees; the admin token is never stored.
 */
let csrf = '';

/** API URLs relative to the page, so a reverse proxy may mount Backtalk under a path. */
const base = new URL('api/admin/', document.baseURI);

export async function call<T>(path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<T> {
  const method = init.method ?? 'GET';
  // The API's error messages in the page's language (contract: Accept-Language when no ?lang=).
  const headers: Record<string, string> = { accept: 'application/json', 'accept-language': LANG };
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  if (method !== 'GET' && csrf) headers['x-backtalk-csrf'] = csrf;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(new URL(path, base), {
    method,
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    credentials: 'same-origin',
    cache: 'no-store',
  });
  const data = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  if (!res.ok) {
    throw new ApiError(res.status, data?.error?.code ?? 'http-error', data?.error?.message ?? `HTTP ${res.status}`);
  }
  return data as T;
}

interface SessionInfo { signed_in: boolean; csrf: string | null; expires: string | null }

/** Sign-in and sign-out; each keeps the CSRF token in step with the cookie. */
export const session = {
  /** Whether this browser is signed in already (another tab, an earlier visit). */
  async resume(): Promise<boolean> {
    const info = await call<SessionInfo>('session');
    csrf = info.csrf ?? '';
    return info.signed_in;
  },
  async signIn(token: string): Promise<void> {
    const info = await call<SessionInfo>('session', { method: 'POST', token });
    csrf = info.csrf ?? '';
  },
  async signOut(everywhere: boolean): Promise<void> {
    try {
      await call<unknown>(everywhere ? 'session/revoke-all' : 'session', { method: everywhere ? 'POST' : 'DELETE' });
    } finally {
      csrf = '';
    }
  },
};

export const api = {
  counts: () => call<Counts>('counts'),
  comments: (params: Record<string, string>) => call<{ comments: AdminComment[] }>(`comments?${new URLSearchParams(params)}`),
  moderate: (id: number, action: string) => call<unknown>(`comments/${id}`, { method: 'POST', body: { action } }),
  /** The owner's reply as the site (issue 17.3), published at once. */
  reply: (target: string, parent: number | null, body: string) => call<AdminComment>('comments', { method: 'POST', body: { target, parent, body } }),
  /** The owner's edit of any comment's text, shown as edited by a moderator. */
  edit: (id: number, body: string) => call<AdminComment>(`comments/${id}`, { method: 'PUT', body: { body } }),
  bulk: (ids: number[], action: string) => call<BulkResult>('comments/bulk', { method: 'POST', body: { action, ids } }),
  linkbacks: (params: Record<string, string>) => call<{ attempts: LinkbackAttempt[] }>(`linkbacks?${new URLSearchParams(params)}`),
  threads: (params: Record<string, string>) => call<{ threads: ThreadInfo[] }>(`threads?${new URLSearchParams(params)}`),
  setThread: (id: number, flags: { comments_closed?: boolean; linkbacks_closed?: boolean }) =>
    call<ThreadInfo>(`threads/${id}`, { method: 'POST', body: flags }),
  blockedWords: () => call<{ words: string[]; source: 'settings' | 'config' }>('settings/blocked-words'),
  sends: () => call<{ enabled: boolean; feeds: string[]; posts: SentPost[] }>('sends'),
  send: (source: string) => call<{ source: string; status_url: string }>('send', { method: 'POST', body: { source } }),
  sendLink: (id: number) => call<SentLink>(`send/links/${id}`, { method: 'POST' }),
  saveBlockedWords: (words: string[]) =>
    call<{ words: string[]; source: 'settings' | 'config' }>('settings/blocked-words', { method: 'PUT', body: { words } }),
};
