/**
 * Crash safety of the Webmention queue: the real server process is killed with SIGKILL in the middle of
 * verifying 500 queued Webmentions, restarted on the same database, and must finish every one of them,
 * exactly once, leaving a database that passes `PRAGMA integrity_check`.
 *
 * Jobs the killed process had claimed come back when their lease runs out (src/wiring.ts `leaseMs`),
 * so this test takes at least that long.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';

import { spawnServer, type SpawnedServer } from '../helpers/spawn-server.js';
import { readStatus, submit, thread } from './support.js';

const TARGET = 'http://blog.example/2026/11/crash/';
const MENTIONS = 500;
const KILL_AFTER_ACCEPTED = 100;
const BATCH = 25;
const SOURCE_DELAY_MS = 20;

const children: SpawnedServer[] = [];
const sourceServers: Server[] = [];
const dirs: string[] = [];

after(async () => {
  for (const child of children) if (child.child.exitCode === null && child.child.signalCode === null) child.child.kill('SIGKILL');
  await Promise.all(children.map((c) => c.exited));
  await Promise.all(sourceServers.map((server) => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  })));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function envFor(dir: string): Record<string, string> {
  return {
    BACKTALK_PORT: '0',
    BACKTALK_DB: join(dir, 'db', 'backtalk.db'),
    BACKTALK_SITES: 'http://blog.example',
    BACKTALK_ALLOW_PRIVATE_FETCH: 'true',
    BACKTALK_RATE_LIMIT: '0',
    BACKTALK_LINKBACKS_PER_THREAD_HOUR: '0',
    BACKTALK_FETCH_PER_HOST_PER_MINUTE: '100000',
    BACKTALK_FETCH_PER_MINUTE: '100000',
    BACKTALK_ADMIN_TOKEN: 'crash-admin-token-0123456789',
    // 500 mentions from one client and one source server: the queue caps would (rightly) answer 429.
    BACKTALK_WEBMENTION_QUEUE_PER_CLIENT: '100000',
    BACKTALK_WEBMENTION_QUEUE_PER_SOURCE_HOST: '100000',
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A blog whose pages /s/N each link to the target after a short think. It answers on every address in
 * `hosts` (one listener each, one handler); source N is served from hosts[N % hosts.length].
 */
async function startSlowBlog(hosts: readonly string[]): Promise<{ sourceUrl: (n: number) => string; requests: () => number }> {
  let requests = 0;
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    requests += 1;
    const match = /^\/s\/(\d+)$/.exec(req.url ?? '');
    setTimeout(() => {
      if (!match) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
        `<!doctype html><html><head><title>Source ${match[1]}</title></head><body>` +
          `<p>Post number ${match[1]} mentions <a href="${TARGET}">the crash post</a>.</p></body></html>`,
      );
    }, SOURCE_DELAY_MS);
  };
  const origins: string[] = [];
  for (const host of hosts) {
    const server = createServer(handler);
    sourceServers.push(server);
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    origins.push(`http://${host}:${(server.address() as AddressInfo).port}`);
  }
  return { sourceUrl: (n) => `${origins[n % origins.length]}/s/${n}`, requests: () => requests };
}

async function start(env: Record<string, string>, dir: string): Promise<SpawnedServer> {
  const server = await spawnServer(env, dir);
  children.push(server);
  return server;
}

async function acceptedCount(base: string): Promise<number> {
  return (await thread(base, TARGET)).total;
}

/**
 * Queue 500 Webmentions, SIGKILL the server once about 100 are accepted, restart it on the same
 * database, and check that every one ends accepted exactly once in an intact database.
 */
async function crashAndRecover(t: TestContext, hosts: readonly string[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'backtalk-crash-'));
  dirs.push(dir);
  const env = envFor(dir);
  const blog = await startSlowBlog(hosts);
  const first = await start(env, dir);
  const began = Date.now();

  // 1. Queue 500 Webmentions, in parallel batches, while the worker is already verifying them.
  const statusPaths: string[] = [];
  for (let from = 1; from <= MENTIONS; from += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, MENTIONS - from + 1) }, (_, i) => from + i);
    const locations = await Promise.all(batch.map((n) => submit(first.url, blog.sourceUrl(n), TARGET)));
    for (const location of locations) statusPaths.push(new URL(location).pathname);
  }
  assert.equal(new Set(statusPaths).size, MENTIONS, 'one status URL per Webmention');
  t.diagnostic(`queued ${MENTIONS} in ${Date.now() - began} ms`);

  // 2. Kill the process without warning once about 100 are accepted. Each source answers in 20 ms,
  //    so 100 verifications take a few seconds even one at a time.
  //    No deadline here: the test's own timeout ends a wait that never does.
  let acceptedAtKill = await acceptedCount(first.url);
  while (acceptedAtKill < KILL_AFTER_ACCEPTED) {
    await sleep(25);
    acceptedAtKill = await acceptedCount(first.url);
  }
  first.child.kill('SIGKILL');
  await first.exited;
  const killedAt = Date.now();
  t.diagnostic(`killed with ${acceptedAtKill} of ${MENTIONS} accepted, ${killedAt - began} ms after queueing began (${blog.requests()} source requests so far)`);
  assert.ok(acceptedAtKill < MENTIONS, 'the kill came while work was left; otherwise this test proves nothing');

  // 3. Restart on the same database; every status URL must reach "accepted" (the port, and so the
  //    status URLs' origin, changes with BACKTALK_PORT=0; the paths stay).
  const second = await start(env, dir);
  let waiting = [...statusPaths];
  while (waiting.length > 0) {
    const still: string[] = [];
    for (let i = 0; i < waiting.length; i += 50) {
      const chunk = waiting.slice(i, i + 50);
      const statuses = await Promise.all(chunk.map((p) => readStatus(second.url + p)));
      statuses.forEach((s, j) => {
        assert.notEqual(s.status, 'rejected', `${chunk[j]} was rejected: ${s.reason}`);
        if (s.status !== 'accepted') still.push(chunk[j]!);
      });
    }
    waiting = still;
    if (waiting.length > 0) await sleep(500);
  }
  t.diagnostic(`all ${MENTIONS} accepted ${Date.now() - killedAt} ms after the kill (${blog.requests()} source requests in all)`);

  // 4. Exactly one listed mention per source: nothing lost, nothing doubled.
  const list = await thread(second.url, TARGET);
  const mentions = list.comments.filter((c) => c.type === 'webmention');
  assert.equal(list.total, MENTIONS);
  assert.equal(mentions.length, MENTIONS, 'exactly 500 webmention rows');
  const sources = new Set(mentions.map((c) => c.source));
  assert.equal(sources.size, MENTIONS, 'no source twice');
  for (let n = 1; n <= MENTIONS; n += 1) assert.ok(sources.has(blog.sourceUrl(n)), `${blog.sourceUrl(n)} is listed`);

  // 5. A clean stop, then the file itself: intact, and in agreement with the API.
  second.child.kill('SIGTERM');
  assert.equal(await second.exited, 0, 'SIGTERM exits cleanly');
  const db = new Database(env.BACKTALK_DB!, { readonly: true, fileMustExist: true });
  try {
    assert.deepEqual(db.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
    const comments = db.prepare(`SELECT count(*) AS n, count(DISTINCT source_url) AS sources FROM comments WHERE kind = 'webmention'`).get();
    assert.deepEqual(comments, { n: MENTIONS, sources: MENTIONS });
    const jobs = db.prepare(`SELECT status, count(*) AS n FROM webmentions GROUP BY status`).all();
    assert.deepEqual(jobs, [{ status: 'accepted', n: MENTIONS }]);
  } finally {
    db.close();
  }
}

test('SIGKILL in the middle of 500 Webmentions (sources spread over 50 loopback hosts): after a restart all 500 are accepted, once each, and the database is intact', { timeout: 240_000 }, async (t) => {
  const hosts = Array.from({ length: 50 }, (_, i) => `127.0.0.${i + 1}`);
  await crashAndRecover(t, hosts);
});

test('SIGKILL in the middle of 500 Webmentions from one source server on 127.0.0.1: after a restart all 500 are accepted, once each, and the database is intact', { timeout: 240_000 }, async (t) => {
  await crashAndRecover(t, ['127.0.0.1']);
});
