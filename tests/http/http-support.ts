/**
 * Small assertions shared by the HTTP tests in this folder: the contract's JSON error shape, the
 * public comment shape, and a poll for side effects that happen after the response (Akismet feedback).
 */
import assert from 'node:assert/strict';

import { POST, type TestServer } from '../helpers/test-server.js';

/** Contract, "Comments (readers)" and v1.1 "Votes": every field of the public comment JSON, no more, no less. */
export const PUBLIC_COMMENT_KEYS = [
  'author', 'avatar', 'body_html', 'created', 'edited', 'id', 'parent', 'source', 'title', 'type', 'url',
  'likes', 'dislikes',
] as const;

export interface ApiError {
  code: string;
  message: string;
  field?: string;
}

export interface PublicComment {
  id: number;
  parent: number | null;
  type: string;
  author: string;
  url: string;
  avatar: string;
  body_html: string;
  created: string;
  edited: string | null;
  source: string | null;
  title: string | null;
  deleted?: boolean;
  status?: string;
  edit_token?: string;
}

export interface AdminComment extends PublicComment {
  status: string;
  target: string;
  email: string;
  ip: string;
  reasons?: unknown;
  reason?: unknown;
}

export interface CommentList {
  target: string;
  total: number;
  comments: PublicComment[];
}

/** Asserts `{"error": {"code": "kebab-case", "message": "…", "field"?}}` and returns the error. */
export async function assertErrorShape(res: Response, status: number, field?: string): Promise<ApiError> {
  assert.equal(res.status, status, `expected HTTP ${status}`);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  const body = (await res.json()) as { error?: ApiError };
  assert.ok(body.error && typeof body.error === 'object', `no "error" object in ${JSON.stringify(body)}`);
  assert.match(body.error.code, /^[a-z]+(-[a-z]+)*$/, `code "${body.error.code}" is not kebab-case`);
  assert.equal(typeof body.error.message, 'string');
  assert.notEqual(body.error.message, '');
  if (field !== undefined) assert.equal(body.error.field, field);
  return body.error;
}

/** Posts a comment as JSON to POST and expects 201; returns the answer. */
export async function postComment(
  server: TestServer,
  fields: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<PublicComment> {
  const res = await server.postJson('/comments', { target: POST, ...fields }, headers);
  const text = await res.text();
  assert.equal(res.status, 201, `POST /comments answered ${res.status}: ${text}`);
  return JSON.parse(text) as PublicComment;
}

export async function listComments(server: TestServer, target = POST): Promise<CommentList> {
  const res = await server.request(`/api/comments?target=${encodeURIComponent(target)}`);
  assert.equal(res.status, 200);
  return (await res.json()) as CommentList;
}

export async function listIds(server: TestServer, target = POST): Promise<number[]> {
  return (await listComments(server, target)).comments.map((c) => c.id);
}

export async function adminList(server: TestServer, status: string): Promise<AdminComment[]> {
  const res = await server.admin(`/api/admin/comments?status=${status}`);
  assert.equal(res.status, 200, `admin list ${status} answered ${res.status}`);
  const body = (await res.json()) as { comments: AdminComment[] };
  assert.ok(Array.isArray(body.comments));
  return body.comments;
}

/** The admin view of one comment, whatever its status; undefined when it is in no list. */
export async function adminFind(server: TestServer, id: number): Promise<AdminComment | undefined> {
  for (const status of ['pending', 'approved', 'spam', 'trash']) {
    const found = (await adminList(server, status)).find((c) => c.id === id);
    if (found) return found;
  }
  return undefined;
}

export async function moderate(server: TestServer, id: number, action: string): Promise<Response> {
  return server.admin(`/api/admin/comments/${id}`, { method: 'POST', body: JSON.stringify({ action }) });
}

/** The spam/hold reasons of an admin comment as one lower-cased string, whatever the field is called. */
export function reasonText(c: AdminComment): string {
  return JSON.stringify(c.reasons ?? c.reason ?? '').toLowerCase();
}

/** Every object key anywhere in a JSON value. */
export function allKeys(value: unknown, keys = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) allKeys(v, keys);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      keys.add(k);
      allKeys(v, keys);
    }
  }
  return keys;
}

/**
 * Polls `check` until it returns true. `timeoutMs` only guards against a hang (it fails the test with
 * `what` rather than leaving it waiting): far above how long the work takes, so a loaded machine
 * cannot trip it. It is not a speed bound.
 */
export async function waitFor(check: () => boolean, timeoutMs = 30_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
