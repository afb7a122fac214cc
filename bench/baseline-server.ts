/**
 * The floor Backtalk is measured against: bare node:http + better-sqlite3, the same schema.sql and
 * the same pragmas as src/store/sqlite/open-sqlite.ts, one prepared statement per request.
 * No validation, no normalizing, no sanitizing, no spam checks: nothing a real server must do.
 *
 *   GET  /api/comments?target=URL  → 200 {"target", "total", "comments": [...]} (Backtalk's public shape)
 *   POST /comments (urlencoded)    → 303 to TARGET#comment-ID
 *
 * Env: BASELINE_DB (required), BASELINE_HOST (127.0.0.1), BASELINE_PORT (0 = any free port).
 * Prints `Baseline serving on URL` once listening; SIGTERM/SIGINT close it cleanly.
 */
import { readFileSync } from 'node:fs';
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

const db = new Database(dbPath);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 5000');
db.exec(readFileSync(new URL('../schema.sql', import.meta.url), 'utf8'));

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
}

const listVisible = db.prepare<[string], Row>(`SELECT c.id, c.parent_id, c.kind, c.author, c.url, c.body_html,
    c.created_at, c.edited_at, c.source_url, c.title
  FROM comments c JOIN threads t ON t.id = c.thread_id
  WHERE t.target = ? AND c.status = 'approved' AND c.deleted = 0 ORDER BY c.id`);
const insertComment = db.prepare(`INSERT INTO comments (thread_id, kind, status, author, email, url, body_html, body_raw, created_at)
  SELECT id, 'comment', 'approved', @author, @email, @url, @body, @body, @now FROM threads WHERE target = @target`);
// Only on a target's first comment (the seed): the measured POSTs run the one INSERT above.
const ensureThread = db.prepare(`INSERT INTO threads (target, created_at) VALUES (?, ?) ON CONFLICT (target) DO NOTHING`);

let publicUrl = '';

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function getComments(url: URL, res: ServerResponse): void {
  const target = url.searchParams.get('target') ?? '';
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
  }));
  const body = JSON.stringify({ target, total: comments.length, comments });
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
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

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://baseline');
  try {
    if (req.method === 'GET' && url.pathname === '/api/comments') return getComments(url, res);
    if (req.method === 'POST' && url.pathname === '/comments') {
      return readBody(req, (body) => {
        try {
          if (body === undefined) plain(res, 413, 'too large');
          else postComment(body, res);
        } catch (err) {
          plain(res, 500, String(err));
        }
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
