/**
 * The floor Backtalk is measured against: bare node:http + better-sqlite3, the same schema.sql and
 * the same pragmas as src/store/sqlite/open-sqlite.ts, one prepared statement per request.
 * No validation, no normalizing, no sanitizing, no spam checks: nothing a real server must do.
 *
 *   GET  /api/comments?target=URL  → 200 {"target", "total", "comments": [...]} (Backtalk's public shape);
 *                                    with If-None-Match: one version lookup, 304 when it matches
 *   GET  /api/counts?target=…      → 200 {"URL": N, …}
 *   POST /comments (urlencoded)    → 303 to TARGET#comment-ID
 *   POST /trackback?target=URL     → fetch `url`, check it links to the target, insert → 200 <error>0</error>
 *   POST /xmlrpc pingback.ping     → the same with the two XML-RPC strings → 200 methodResponse
 *   POST /webmention               → queue row → 201 with Location (as Backtalk; verification would come later)
 *
 * Env: BASELINE_DB (required), BASELINE_HOST (127.0.0.1), BASELINE_PORT (0 = any free port),
 * BASELINE_SYNCHRONOUS (FULL, as Backtalk promises; NORMAL: no sync at all, the ceiling of bench/write-path.ts).
 * Prints `Baseline serving on URL` once listening; SIGTERM/SIGINT close it cleanly.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';

const MAX_BODY = 64 * 1024;

const dbPath = process.env.BASELINE_DB;
if (!dbPath) {
  process.stderr.write('baseline: BASELINE_DB is required\n');
  process.exit(2);
}
const host = process.env.BASELINE_HOST ?? '127.0.0.1';
const port = Number(process.env.BASELINE_PORT ?? '0');
const synchronous = process.env.BASELINE_SYNCHRONOUS ?? 'FULL';
if (synchronous !== 'FULL' && synchronous !== 'NORMAL') {
  process.stderr.write('baseline: BASELINE_SYNCHRONOUS must be FULL or NORMAL\n');
  process.exit(2);
}

const db = new Database(dbPath);
db.pragma('journal_mode = WAL');
db.pragma(`synchronous = ${synchronous}`);
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 5000');
db.exec(readFileSync(schemaPath(), 'utf8'));

/** schema.sql of the checkout, whether this runs from bench/ (tsx) or bench/results/build/bench/. */
function schemaPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'schema.sql'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('schema.sql not found');
    dir = parent;
  }
  return join(dir, 'schema.sql');
}

interface Row {
  id: number;
  parent_id: number | null;
  kind: string;
  author: string;
  url: string;
  body_html: string;
  created_at: number;
  edited_at: number | null;
  source_url: string | null;
  title: string | null;
  owner: number;
  pinned: number;
  edited_by: string | null;
  likes: number;
  dislikes: number;
}

const listVisible = db.prepare<[string], Row>(`SELECT c.id, c.parent_id, c.kind, c.author, c.url, c.body_html,
    c.created_at, c.edited_at, c.source_url, c.title, c.owner, c.pinned, c.edited_by, c.likes, c.dislikes
  FROM comments c JOIN threads t ON t.id = c.thread_id
  WHERE t.target = ? AND c.status = 'approved' AND c.deleted = 0 ORDER BY c.id`);
const insertComment = db.prepare(`INSERT INTO comments (thread_id, kind, status, author, email, url, body_html, body_raw, created_at)
  SELECT id, 'comment', 'approved', @author, @email, @url, @body, @body, @now FROM threads WHERE target = @target`);
// Only on a target's first comment (the seed): the measured POSTs run the one INSERT above.
const ensureThread = db.prepare(`INSERT INTO threads (target, created_at) VALUES (?, ?) ON CONFLICT (target) DO NOTHING`);

const threadVersion = db.prepare<[string], { id: number; created_at: number; version: number }>(
  `SELECT id, created_at, version FROM threads WHERE target = ?`);
const countStmts = new Map<number, Database.Statement<string[], { target: string; n: number }>>();
const insertLinkback = db.prepare(`INSERT INTO comments (thread_id, kind, status, author, url, body_html, body_raw,
    source_url, source_key, title, created_at)
  SELECT id, @kind, 'approved', @author, @source, @excerpt, @excerpt, @source, @source, @title, @now FROM threads WHERE target = @target`);
const insertWebmention = db.prepare(`INSERT INTO webmentions (token, source, target, status, next_attempt_at, created_at, updated_at)
  VALUES (@token, @source, @target, 'pending', @now, @now, @now)`);

let publicUrl = '';
let tokenCounter = 0;

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function getComments(url: URL, req: IncomingMessage, res: ServerResponse): void {
  const target = url.searchParams.get('target') ?? '';
  // Conditional requests only: one indexed lookup of the thread's version (the same triggers as Backtalk's).
  const ifNoneMatch = req.headers['if-none-match'];
  let etag: string | undefined;
  if (ifNoneMatch !== undefined) {
    const v = threadVersion.get(target);
    etag = v ? `W/"${v.id}.${v.created_at}.${v.version}"` : 'W/"-"';
    if (ifNoneMatch === etag) {
      res.writeHead(304, { etag });
      res.end();
      return;
    }
  }
  const comments = listVisible.all(target).map((r) => ({
    id: r.id,
    parent: r.parent_id,
    type: r.kind,
    author: r.author,
    url: r.url,
    // Same length as Backtalk's salted 20-hex identicon hash, without computing one.
    avatar: `${publicUrl}/avatar/${r.id.toString(16).padStart(20, '0')}.svg`,
    body_html: r.body_html,
    created: iso(r.created_at),
    edited: r.edited_at === null ? null : iso(r.edited_at),
    source: r.source_url,
    title: r.title,
    // Contract v1.1's fields, so both sides answer the same keys and about the same bytes.
    owner: r.owner === 1,
    pinned: r.pinned === 1,
    edited_by: r.edited_at === null ? null : r.edited_by,
    likes: r.likes,
    dislikes: r.dislikes,
  }));
  const body = JSON.stringify({ target, total: comments.length, comments });
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...(etag ? { etag } : {}) });
  res.end(body);
}

function getCounts(url: URL, res: ServerResponse): void {
  const targets = [...new Set(url.searchParams.getAll('target'))];
  let stmt = countStmts.get(targets.length);
  if (!stmt) {
    stmt = db.prepare(`SELECT t.target AS target, count(c.id) AS n FROM threads t
        LEFT JOIN comments c ON c.thread_id = t.id AND c.status = 'approved' AND c.deleted = 0
      WHERE t.target IN (${targets.map(() => '?').join(',')}) GROUP BY t.id`);
    countStmts.set(targets.length, stmt);
  }
  const counts: Record<string, number> = {};
  for (const t of targets) counts[t] = 0;
  for (const row of stmt.all(...targets)) counts[row.target] = row.n;
  const body = JSON.stringify(counts);
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Fetches the source and checks that it links to the target: the verification every linkback needs. */
async function linksTo(source: string, target: string): Promise<boolean> {
  const res = await fetch(source, { signal: AbortSignal.timeout(10_000) });
  const html = await res.text();
  return res.ok && html.includes(`href="${target}"`);
}

function xml(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/xml; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function postTrackback(url: URL, raw: string, res: ServerResponse): Promise<void> {
  const form = new URLSearchParams(raw);
  const target = url.searchParams.get('target') ?? '';
  const source = form.get('url') ?? '';
  if (!(await linksTo(source, target))) {
    xml(res, 200, '<?xml version="1.0" encoding="utf-8"?><response><error>1</error><message>no link</message></response>');
    return;
  }
  insertLinkback.run({ kind: 'trackback', author: form.get('blog_name') ?? '', source, excerpt: form.get('excerpt') ?? '', title: form.get('title') ?? '', target, now: Date.now() });
  xml(res, 200, '<?xml version="1.0" encoding="utf-8"?><response><error>0</error></response>');
}

async function postPingback(raw: string, res: ServerResponse): Promise<void> {
  const strings = [...raw.matchAll(/<string>([^<]*)<\/string>/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
  const [source = '', target = ''] = strings;
  if (!raw.includes('<methodName>pingback.ping</methodName>') || !(await linksTo(source, target))) {
    xml(res, 200, '<?xml version="1.0"?><methodResponse><fault><value><struct><member><name>faultCode</name><value><int>17</int></value></member>' +
      '<member><name>faultString</name><value><string>no link</string></value></member></struct></value></fault></methodResponse>');
    return;
  }
  insertLinkback.run({ kind: 'pingback', author: '', source, excerpt: '', title: '', target, now: Date.now() });
  xml(res, 200, '<?xml version="1.0"?><methodResponse><params><param><value><string>Pingback registered.</string></value></param></params></methodResponse>');
}

function postWebmention(raw: string, res: ServerResponse): void {
  const form = new URLSearchParams(raw);
  const token = `${process.pid.toString(36)}-${(++tokenCounter).toString(36)}`;
  const now = Date.now();
  insertWebmention.run({ token, source: form.get('source') ?? '', target: form.get('target') ?? '', now });
  res.writeHead(201, { location: `${publicUrl}/webmention/status/${token}`, 'content-length': 0 });
  res.end();
}

function postComment(raw: string, res: ServerResponse): void {
  const form = new URLSearchParams(raw);
  const params = {
    target: form.get('target') ?? '',
    author: form.get('author') ?? '',
    email: form.get('email') ?? '',
    url: form.get('url') ?? '',
    body: form.get('body') ?? '',
    now: Date.now(),
  };
  let info = insertComment.run(params);
  if (info.changes === 0) {
    ensureThread.run(params.target, params.now);
    info = insertComment.run(params);
  }
  res.writeHead(303, { location: `${params.target}#comment-${info.lastInsertRowid}`, 'content-length': 0 });
  res.end();
}

function readBody(req: IncomingMessage, done: (body: string | undefined) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY) chunks.push(chunk);
  });
  req.on('end', () => done(size <= MAX_BODY ? Buffer.concat(chunks).toString('utf8') : undefined));
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const POST_ROUTES: Record<string, (url: URL, body: string, res: ServerResponse) => void | Promise<void>> = {
  '/comments': (_url, body, res) => postComment(body, res),
  '/trackback': postTrackback,
  '/xmlrpc': (_url, body, res) => postPingback(body, res),
  '/webmention': (_url, body, res) => postWebmention(body, res),
};

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://baseline');
  try {
    if (req.method === 'GET' && url.pathname === '/api/comments') return getComments(url, req, res);
    if (req.method === 'GET' && url.pathname === '/api/counts') return getCounts(url, res);
    const route = req.method === 'POST' ? POST_ROUTES[url.pathname] : undefined;
    if (route) {
      return readBody(req, (body) => {
        if (body === undefined) return plain(res, 413, 'too large');
        Promise.resolve()
          .then(() => route(url, body, res))
          .catch((err: unknown) => plain(res, 500, String(err)));
      });
    }
    plain(res, 404, 'not found');
  } catch (err) {
    plain(res, 500, String(err));
  }
});
server.keepAliveTimeout = 5_000; // as Backtalk's server.ts

server.listen(port, host, () => {
  const addr = server.address() as AddressInfo;
  publicUrl = `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
  process.stdout.write(`Baseline serving on ${publicUrl} (database ${dbPath})\n`);
});

let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  server.close(() => {
    db.close();
    process.exit(0);
  });
  server.closeIdleConnections();
  setTimeout(() => server.closeAllConnections(), 3_000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
