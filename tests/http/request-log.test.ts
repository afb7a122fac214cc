/**
 * Request logs: one JSON line per request at info level (method, url, status, duration, request id),
 * the id echoed in X-Request-Id, a caller's sane X-Request-Id honoured, query values other than the
 * target kept out of the log, and nothing at all at BACKTALK_LOG_LEVEL=silent.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { createRequestListener } from '../../src/app.js';
import { loadConfig, resolveRuntimeConfig } from '../../src/config.js';
import { createLogger } from '../../src/lib/logger.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { createDeps } from '../../src/wiring.js';
import { POST, SITE } from '../helpers/test-server.js';

interface LogLine { level: number; msg: string; reqId?: string; req?: { method: string; url: string }; res?: { statusCode: number }; responseTime?: number }

/** A Backtalk whose logger writes JSON lines into `lines`. */
async function startLogged(level: string) {
  const dir = mkdtempSync(join(tmpdir(), 'backtalk-log-'));
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const config = loadConfig({ BACKTALK_PORT: '0', BACKTALK_DB: join(dir, 'b.db'), BACKTALK_SITES: SITE, BACKTALK_RATE_LIMIT: '0', BACKTALK_ADMIN_TOKEN: 'log-admin-token-0123456789' });
  const store = openSqliteStore(config.dbPath);
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const runtime = resolveRuntimeConfig(config, (server.address() as AddressInfo).port);
  const deps = await createDeps(runtime, store, createLogger(level, sink));
  server.on('request', createRequestListener(deps));
  const url = `http://127.0.0.1:${runtime.port}`;
  return {
    url, lines, deps,
    /** The request lines (those carrying a response), after the sink has caught up. */
    async requestLines() {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return lines.filter((l) => l.res !== undefined);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await deps.worker.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('request logs', () => {
  let s: Awaited<ReturnType<typeof startLogged>>;
  before(async () => (s = await startLogged('info')));
  after(async () => s.close());

  test('one info line per request with method, url, status, duration and the id echoed in X-Request-Id', async () => {
    s.lines.length = 0;
    const res = await fetch(`${s.url}/comments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ target: POST, body: 'Logged.' }) });
    assert.equal(res.status, 201);
    const id = res.headers.get('x-request-id');
    assert.match(id ?? '', /^[0-9a-f-]{36}$/, 'a generated UUID');
    const logged = await s.requestLines();
    assert.equal(logged.length, 1);
    const [line] = logged;
    assert.equal(line!.level, 30, 'info');
    assert.equal(line!.reqId, id);
    assert.deepEqual(line!.req, { method: 'POST', url: '/comments' });
    assert.deepEqual(line!.res, { statusCode: 201 });
    assert.equal(typeof line!.responseTime, 'number');
    assert.equal(line!.msg, 'POST /comments 201');
  });

  test('an unexpected failure: a 500 logged at error level, with the error and the same request id', async () => {
    s.lines.length = 0;
    const threads = s.deps.store.threads;
    const original = threads.findByTarget;
    threads.findByTarget = async () => {
      throw new Error('disk on fire');
    };
    try {
      const res = await fetch(`${s.url}/api/comments?target=${encodeURIComponent(POST)}&token=secret-1`, { headers: { 'x-request-id': 'trace-500' } });
      assert.equal(res.status, 500);
      assert.equal(res.headers.get('x-request-id'), 'trace-500');
    } finally {
      threads.findByTarget = original;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    const mine = s.lines.filter((l) => l.reqId === 'trace-500');
    assert.ok(mine.some((l) => l.msg === 'unhandled error' && l.level === 50 && JSON.stringify(l).includes('disk on fire')), JSON.stringify(mine));
    assert.ok(mine.some((l) => l.res?.statusCode === 500 && l.level === 50), 'the request line is at error level');
    assert.doesNotMatch(JSON.stringify(s.lines), /secret-1/);
  });

  test('a sane incoming X-Request-Id is kept; an odd one is replaced', async () => {
    s.lines.length = 0;
    const kept = await fetch(`${s.url}/healthz`, { headers: { 'x-request-id': 'edge-4f2a.91:7' } });
    assert.equal(kept.headers.get('x-request-id'), 'edge-4f2a.91:7');
    for (const odd of ['<script>', 'a'.repeat(300), ' spaced out', 'new\tline']) {
      const res = await fetch(`${s.url}/healthz`, { headers: { 'x-request-id': odd } });
      const echoed = res.headers.get('x-request-id');
      assert.notEqual(echoed, odd);
      assert.match(echoed ?? '', /^[0-9a-f-]{36}$/);
    }
    const logged = await s.requestLines();
    assert.equal(logged[0]!.reqId, 'edge-4f2a.91:7');
    assert.equal(new Set(logged.map((l) => l.reqId)).size, 5, 'each request its own id');
  });

  test('the fast lane (a 304 or a cached body, answered before Express) logs the same line as the full path', async () => {
    const path = `/api/comments?target=${encodeURIComponent(POST)}`;
    const first = await fetch(s.url + path); // the full path: renders and caches the body
    await first.text();
    const etag = first.headers.get('etag')!;
    s.lines.length = 0;
    const notModified = await fetch(s.url + path, { headers: { 'if-none-match': etag, 'x-request-id': 'revalidate-1' } });
    assert.equal(notModified.status, 304);
    const cached = await fetch(s.url + path);
    assert.equal(cached.status, 200);
    await cached.text();
    const logged = await s.requestLines();
    assert.equal(logged.length, 2);
    assert.equal(logged[0]!.level, 30, 'info');
    assert.equal(logged[0]!.reqId, 'revalidate-1');
    assert.deepEqual(logged[0]!.req, { method: 'GET', url: path });
    assert.deepEqual(logged[0]!.res, { statusCode: 304 });
    assert.equal(typeof logged[0]!.responseTime, 'number');
    assert.equal(logged[0]!.msg, `GET ${path} 304`);
    assert.equal(logged[1]!.reqId, cached.headers.get('x-request-id'));
    assert.deepEqual(logged[1]!.res, { statusCode: 200 });
  });

  test('query values other than the target stay out of the log; a 404 is logged at info, not as an error', async () => {
    s.lines.length = 0;
    const target = `${POST}?x=1`;
    await fetch(`${s.url}/api/comments?target=${encodeURIComponent(target)}&token=secret-value-123`);
    await fetch(`${s.url}/nowhere?token=another-secret`);
    await fetch(`${s.url}/api/admin/comments?status=pending`);
    const logged = await s.requestLines();
    assert.equal(logged.length, 3);
    assert.equal(logged[2]!.msg, 'GET /api/admin/comments?status 401', 'the full path, also under a mounted router');
    assert.equal(logged[0]!.req!.url, `/api/comments?target=${encodeURIComponent(target)}&token`);
    assert.equal(logged[1]!.req!.url, '/nowhere?token');
    assert.equal(logged[1]!.res!.statusCode, 404);
    assert.equal(logged[1]!.level, 30);
    assert.doesNotMatch(JSON.stringify(s.lines), /secret/);
  });
});

test('at BACKTALK_LOG_LEVEL=silent nothing is logged, and the request id is still echoed', async () => {
  const quiet = await startLogged('silent');
  try {
    const res = await fetch(`${quiet.url}/healthz`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    assert.deepEqual(await quiet.requestLines(), []);
    assert.deepEqual(quiet.lines, []);
  } finally {
    await quiet.close();
  }
});
