/**
 * Pieces of the sending tests: a scripted HTTP server on loopback that records exactly what arrived
 * (the owner's blog, other blogs' pages, and receivers written here from each protocol's spec), the
 * sending Backtalk, and the owner's post pages.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Readable } from 'node:stream';
import Deserializer from 'xmlrpc/lib/deserializer.js';
import serializer from 'xmlrpc/lib/serializer.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import type { DepsOverrides } from '../../src/wiring.js';
import type { SendStatusJson } from '../../src/send/send-service.js';

export interface Arrived {
  method: string;
  /** Path and query exactly as requested. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Answer {
  status?: number;
  headers?: Record<string, string | string[]>;
  body?: string;
}

export type Handler = (req: Arrived) => Answer | Promise<Answer>;

export interface ScriptedServer {
  origin: string;
  url(path: string): string;
  /** Answers requests for `path` (exact path and query first, else the path without its query). */
  on(path: string, handler: Handler): void;
  /** A fixed page. */
  page(path: string, body: string, headers?: Record<string, string | string[]>, status?: number): void;
  arrived: Arrived[];
  /** Requests with `method` to `path` (path and query as requested). */
  to(path: string, method?: string): Arrived[];
  close(): Promise<void>;
}

export async function startScriptedServer(): Promise<ScriptedServer> {
  const handlers = new Map<string, Handler>();
  const arrived: Arrived[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const seen: Arrived = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      arrived.push(seen);
      const handler = handlers.get(seen.path) ?? handlers.get(seen.path.split('?')[0]!);
      const answer: Answer = handler ? await handler(seen) : { status: 404, body: 'not found' };
      res.writeHead(answer.status ?? 200, { 'content-type': 'text/html; charset=utf-8', ...answer.headers });
      res.end(answer.body ?? '');
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: (path) => origin + path,
    on: (path, handler) => void handlers.set(path, handler),
    page: (path, body, headers = {}, status = 200) => void handlers.set(path, () => ({ status, headers, body })),
    arrived,
    to: (path, method = 'POST') => arrived.filter((a) => a.path === path && a.method === method),
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** The fields of a form-encoded body, in order, repeated names kept. */
export function formOf(body: string): Array<[string, string]> {
  return [...new URLSearchParams(body)];
}

// ---- Receivers written from the specs, recording what arrived ------------------------------------

/** W3C Webmention §3.2: a form POST of source and target; 202 Accepted (or whatever `answer` says). */
export function webmentionEndpoint(server: ScriptedServer, path: string, answer: Handler = () => ({ status: 202, body: 'Accepted' })): void {
  server.on(path, answer);
}

/** Pingback 1.0 §3: XML-RPC `pingback.ping(source, target)`, answered with a string or a fault. */
export function pingbackEndpoint(server: ScriptedServer, path: string, answer: (params: unknown[]) => string | { faultCode: number; faultString: string } = () => 'Pingback registered.'): void {
  server.on(path, async (req) => {
    const { method, params } = await readCall(req.body);
    assert.equal(method, 'pingback.ping');
    const result = answer(params);
    return {
      headers: { 'content-type': 'text/xml' },
      body: typeof result === 'string' ? serializer.serializeMethodResponse(result) : serializer.serializeFault(result),
    };
  });
}

export function readCall(body: string): Promise<{ method: string; params: unknown[] }> {
  return new Promise((resolve, reject) => {
    new Deserializer('utf8').deserializeMethodCall(Readable.from([Buffer.from(body)]), (err, method, params) => {
      if (err) reject(err);
      else resolve({ method: method ?? '', params: params ?? [] });
    });
  });
}

/** TrackBack 1.2: a form POST; `<error>0</error>` or `<error>1</error><message>…</message>`. */
export function trackbackEndpoint(server: ScriptedServer, path: string, error?: string): void {
  server.on(path, () => ({
    headers: { 'content-type': 'text/xml; charset=utf-8' },
    body: error === undefined
      ? '<?xml version="1.0" encoding="utf-8"?>\n<response>\n<error>0</error>\n</response>'
      : `<?xml version="1.0" encoding="utf-8"?>\n<response>\n<error>1</error>\n<message>${error}</message>\n</response>`,
  }));
}

/** A WordPress-style RDF discovery block, inside an HTML comment as themes print it. */
export function trackbackRdf(permalink: string, ping: string): string {
  return `<!--\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"\n\t\t\txmlns:dc="http://purl.org/dc/elements/1.1/"\n` +
    `\t\t\txmlns:trackback="http://madskills.com/public/xml/rss/module/trackback/">\n\t\t<rdf:Description rdf:about="${permalink}"\n` +
    `    dc:identifier="${permalink}"\n    dc:title="A post"\n    trackback:ping="${ping}" />\n</rdf:RDF>\n-->`;
}

// ---- The owner's side ----------------------------------------------------------------------------

/**
 * A post page of the owner's blog: an h-entry whose e-content links to `links`, inside a layout with
 * site navigation, a footer and a link to the post itself, none of which may be pinged.
 */
export function postPage(self: string, links: readonly string[], opts: { title?: string; text?: string } = {}): string {
  const items = links.map((l, i) => `<a href="${l}">link ${i + 1}</a>`).join(', ');
  return `<!doctype html><html><head><meta charset="utf-8"><title>${opts.title ?? 'My post'} | My blog</title></head><body>` +
    `<header><nav><a href="https://nav.example/">Home</a> <a href="https://nav.example/about">About</a></nav></header>` +
    `<article class="h-entry"><h1 class="p-name">${opts.title ?? 'My post'}</h1><a class="u-url" href="${self}">permalink</a>` +
    `<div class="e-content"><p>${opts.text ?? 'I wrote about'} ${items}.</p></div></article>` +
    `<footer><a href="https://footer.example/license">License</a></footer></body></html>`;
}

export const FAST_RETRY = { baseDelayMs: 1000, laterDelayMs: 10 } as const;

/** A Backtalk that sends for the blog at `siteOrigin` (loopback, so private fetches are allowed). */
export function startSender(siteOrigin: string, env: Record<string, string> = {}, overrides: DepsOverrides = {}): Promise<TestServer> {
  return startTestServer(
    { BACKTALK_SITES: siteOrigin, BACKTALK_ALLOW_PRIVATE_FETCH: 'true', BACKTALK_SEND_PER_HOST_PER_MINUTE: '100000', ...env },
    { sendTuning: FAST_RETRY, ...overrides },
  );
}

/** POST /api/admin/send; asserts the contract's 202 and answers the status URL. */
export async function requestSend(sender: TestServer, source: string): Promise<string> {
  const res = await sender.admin('/api/admin/send', { method: 'POST', body: JSON.stringify({ source }) });
  const text = await res.text();
  assert.equal(res.status, 202, text);
  const body = JSON.parse(text) as { source: string; status_url: string };
  assert.equal(body.source, source);
  assert.match(body.status_url, /^http:\/\/127\.0\.0\.1:\d+\/api\/admin\/send\/\d+$/);
  return body.status_url;
}

export async function readSendStatus(sender: TestServer, statusUrl: string): Promise<SendStatusJson> {
  const res = await sender.admin(new URL(statusUrl).pathname);
  assert.equal(res.status, 200);
  return (await res.json()) as SendStatusJson;
}

/** Queues the post, runs the send queue until nothing is due, and answers the status document. */
export async function sendAndWait(sender: TestServer, source: string): Promise<SendStatusJson> {
  const statusUrl = await requestSend(sender, source);
  await sender.deps.sends.drain();
  return readSendStatus(sender, statusUrl);
}

/** The status entry of one target. */
export function linkTo(status: SendStatusJson, target: string) {
  const link = status.links.find((l) => l.target === target);
  assert.ok(link, `no link to ${target} in ${JSON.stringify(status.links)}`);
  return link;
}
