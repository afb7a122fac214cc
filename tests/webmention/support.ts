/**
 * Shared pieces of the Webmention tests: source pages served by real node:http servers on loopback
 * addresses, the POST /webmention call, the status URL and the thread as the public API shows it.
 */
import assert from 'node:assert/strict';

import type { WebmentionStatusJson } from '../../src/protocols/webmention.js';
import { POST, type TestServer } from '../helpers/test-server.js';

export { startSourceServer, type InFlightTracker, type SourcePage, type SourceServer } from '../helpers/source-server.js';
export { linkingPage, PRIVATE_FETCH } from '../helpers/pages.js';
export { manualClock } from '../helpers/clock.js';

/** POSTs source and target form-encoded to `path` (default `/webmention`). */
export function sendWebmention(server: TestServer | string, source: string, target: string, path = '/webmention'): Promise<Response> {
  const fields = new URLSearchParams({ source, target }).toString();
  return postRaw(server, path, fields, 'application/x-www-form-urlencoded');
}

export function postRaw(server: TestServer | string, path: string, body: string, contentType: string): Promise<Response> {
  const base = typeof server === 'string' ? server : server.url;
  return fetch(base + path, {
    method: 'POST', redirect: 'manual', headers: { 'content-type': contentType }, body, signal: AbortSignal.timeout(15_000),
  });
}

/** The status URL's JSON, typed as the server writes it. */
export type WebmentionStatus = WebmentionStatusJson;

/** Sends a Webmention that must be queued, and returns its status URL. */
export async function submit(server: TestServer | string, source: string, target: string = POST): Promise<string> {
  const res = await sendWebmention(server, source, target);
  const text = await res.text();
  assert.equal(res.status, 201, `POST /webmention answered ${res.status}: ${text}`);
  const location = res.headers.get('location');
  assert.ok(location, '201 must carry a Location header');
  return location;
}

export async function readStatus(location: string): Promise<WebmentionStatus> {
  const res = await fetch(location, { signal: AbortSignal.timeout(15_000) });
  assert.equal(res.status, 200, `GET ${location} answered ${res.status}`);
  return (await res.json()) as WebmentionStatus;
}

/** Sends, drains the worker, and returns the final status. */
export async function submitAndProcess(server: TestServer, source: string, target: string = POST): Promise<WebmentionStatus> {
  const location = await submit(server, source, target);
  await server.deps.worker.drain();
  return readStatus(location);
}

export interface PublicComment {
  id: number;
  type: string;
  author: string;
  url: string;
  body_html: string;
  edited: string | null;
  source: string | null;
  title: string | null;
  mention_type?: string;
  deleted?: boolean;
}

export async function thread(server: TestServer | string, target: string = POST): Promise<{ total: number; comments: PublicComment[] }> {
  const base = typeof server === 'string' ? server : server.url;
  const res = await fetch(`${base}/api/comments?target=${encodeURIComponent(target)}`, { signal: AbortSignal.timeout(30_000) });
  assert.equal(res.status, 200);
  return (await res.json()) as { total: number; comments: PublicComment[] };
}

/** The visible (not deleted) mentions from `source` in the thread. */
export async function mentionsFrom(server: TestServer, source: string, target: string = POST): Promise<PublicComment[]> {
  const { comments } = await thread(server, target);
  return comments.filter((c) => c.source === source && !c.deleted);
}

/** Asserts the contract's `{"error": {"code", "message"}}` shape with the given HTTP status. */
export async function assertJsonError(res: Response, status: number, what: string): Promise<{ code: string; message: string }> {
  const text = await res.text();
  assert.equal(res.status, status, `${what}: expected HTTP ${status}, got ${res.status}: ${text}`);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/, `${what}: JSON error`);
  const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
  assert.ok(body.error && typeof body.error === 'object', `${what}: no "error" object in ${text}`);
  assert.equal(typeof body.error.code, 'string');
  assert.match(body.error.code as string, /^[a-z]+(-[a-z]+)*$/, `${what}: code is kebab-case`);
  assert.equal(typeof body.error.message, 'string');
  assert.notEqual(body.error.message, '');
  assert.equal(res.headers.get('location'), null, `${what}: no Location on an error`);
  return body.error as { code: string; message: string };
}


/** Pending jobs, due or not (a clock far in the future makes every one due). */
export function pendingJobs(server: TestServer): Promise<number> {
  return server.deps.store.webmentions.countDue(new Date(8.64e15));
}
