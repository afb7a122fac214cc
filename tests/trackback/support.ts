/**
 * Shared pieces of the TrackBack HTTP tests: source pages served by a real node:http server on
 * 127.0.0.1, raw form bodies in any charset, and readers for the TrackBack XML answer
 * (TB-SPEC 1.2: `<response><error>0|1</error>[<message>…</message>]</response>`, always HTTP 200).
 */
import assert from 'node:assert/strict';

import { POST, type TestServer } from '../helpers/test-server.js';

export const PROLOG = '<?xml version="1.0" encoding="utf-8"?>';
/** The contract's success document, with the whitespace between tags removed. */
export const SUCCESS_DOC = `${PROLOG}<response><error>0</error></response>`;
export const XML_TYPE = 'text/xml; charset=utf-8';

export { startSourceServer, type SourcePage, type SourceServer } from '../helpers/source-server.js';
export { withServer } from '../helpers/fixtures.js';
export { LONE_SURROGATE, adminItems, allRows, publicItems, textOf, type AdminItem, type PublicItem } from '../helpers/thread-items.js';
export { linkingPage, linkingSource, OTHER_POST, PRIVATE_FETCH } from '../helpers/pages.js';

export function trackbackPath(target: string = POST): string {
  return `/trackback?target=${encodeURIComponent(target)}`;
}

/** `application/x-www-form-urlencoded` as PHP's http_build_query and Perl's LWP write it (UTF-8, `+` for space). */
export function formBody(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

/** Every byte outside the unreserved set as `%XX`: how a sender in any charset percent-encodes. */
export function percentEncodeBytes(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export interface PingAnswer {
  status: number;
  contentType: string;
  body: string;
  retryAfter: string | null;
}

/** POSTs a raw body. A deadline keeps a hanging server from hanging the suite. */
export async function ping(
  server: TestServer,
  path: string,
  body: string,
  contentType: string | null = 'application/x-www-form-urlencoded; charset=utf-8',
  timeoutMs = 15_000,
): Promise<PingAnswer> {
  const headers: Record<string, string> = {};
  if (contentType !== null) headers['content-type'] = contentType;
  const res = await server.request(path, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    body: await res.text(),
    retryAfter: res.headers.get('retry-after'),
  };
}

/** Pings POST (or `target`) with UTF-8 fields. */
export function pingFields(server: TestServer, fields: Record<string, string>, target: string = POST): Promise<PingAnswer> {
  return ping(server, trackbackPath(target), formBody(fields));
}

export function unescapeXml(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return text.replace(/&(?:#x([\dA-Fa-f]+)|#(\d+)|(amp|lt|gt|quot|apos));/g, (_, hex?: string, dec?: string, name?: string) =>
    hex ? String.fromCodePoint(parseInt(hex, 16)) : dec ? String.fromCodePoint(Number(dec)) : named[name!]!,
  );
}

/** Character data as XML allows it: no raw `<`, and `&` only as the start of a reference. */
const XML_TEXT = /^(?:[^&<]|&(?:amp|lt|gt|quot|apos|#\d+|#x[\dA-Fa-f]+);)*$/;

export interface TrackbackReply {
  error: number;
  message?: string;
}

/** Reads a TrackBack answer document; fails the test when it is not one. */
export function readReply(body: string): TrackbackReply {
  const doc = body.trim();
  assert.ok(doc.startsWith(PROLOG), `no UTF-8 XML prolog: ${JSON.stringify(doc.slice(0, 80))}`);
  const inner = doc.slice(PROLOG.length).trim();
  assert.ok(inner.startsWith('<response>') && inner.endsWith('</response>'), `root is not <response>: ${JSON.stringify(inner.slice(0, 120))}`);
  const error = /<error>\s*([01])\s*<\/error>/.exec(inner);
  assert.ok(error, `no <error>0|1</error> in ${JSON.stringify(inner.slice(0, 200))}`);
  const message = /<message>([\s\S]*?)<\/message>/.exec(inner);
  if (!message) return { error: Number(error[1]) };
  assert.match(message[1]!, XML_TEXT, `message is not XML-escaped: ${JSON.stringify(message[1])}`);
  return { error: Number(error[1]), message: unescapeXml(message[1]!) };
}

/** HTTP 200 (or one of `statuses`), `text/xml; charset=utf-8`, `<error>1</error>` with a message; returns the message. */
export function expectRefusal(answer: PingAnswer, statuses: readonly number[] = [200]): string {
  assert.ok(statuses.includes(answer.status), `HTTP ${answer.status}, expected ${statuses.join(' or ')}: ${answer.body}`);
  assert.equal(answer.contentType.toLowerCase(), XML_TYPE);
  const reply = readReply(answer.body);
  assert.equal(reply.error, 1, `expected <error>1</error>, got ${answer.body}`);
  assert.ok(reply.message !== undefined && reply.message.trim() !== '', `a refusal carries a message: ${answer.body}`);
  return reply.message;
}

/** HTTP 200, `text/xml; charset=utf-8`, exactly the success document. */
export function expectAccepted(answer: PingAnswer): void {
  assert.equal(answer.status, 200, `HTTP ${answer.status}: ${answer.body}`);
  assert.equal(answer.contentType.toLowerCase(), XML_TYPE);
  assert.equal(answer.body.replace(/>\s+</g, '><').trim(), SUCCESS_DOC, `not the success document: ${answer.body}`);
}

