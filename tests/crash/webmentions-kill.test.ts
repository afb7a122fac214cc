/**
 * Crash safety of the Webmention queue while Webmentions are still arriving (tests/webmention/crash.test.ts
 * covers a kill while queued ones are being verified): 1,000 POST /webmention, 16 at a time, at the
 * real process; SIGKILL once 500 are answered `201`; restart on the same database. Every Webmention
 * answered `201` has its job (exactly one) and a status URL that answers on the new process; nothing
 * is stored twice; `PRAGMA integrity_check` is ok.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { killedLoad, useKillHarness } from './support.js';

const TOTAL = 1000;
const KILL_AT = 500;
const CONCURRENCY = 16;
const TARGET = 'http://blog.example/2026/11/mentioned/';

const harness = useKillHarness();

type Outcome = { n: number; kind: 'acknowledged'; statusPath: string } | { n: number; kind: 'cut-off' } | { n: number; kind: 'refused'; status: number; text: string };

test(`SIGKILL halfway through ${TOTAL} Webmention POSTs: every one answered 201 is queued exactly once and answers on its status URL after a restart`, { timeout: 180_000 }, async (t) => {
  // Source pages that link to the target, so the worker verifies while the POSTs keep coming.
  const blog = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end(`<html><body><p>Post ${req.url} links <a href="${TARGET}">here</a>.</p></body></html>`);
  });
  await new Promise<void>((resolve) => blog.listen(0, '127.0.0.1', resolve));
  harness.onCleanup(async () => {
    blog.closeAllConnections();
    await new Promise<void>((resolve) => blog.close(() => resolve()));
  });
  const sourceUrl = (n: number) => `http://127.0.0.1:${(blog.address() as AddressInfo).port}/s/${n}`;

  const dir = harness.tempDir('backtalk-wm-kill-');
  const dbPath = join(dir, 'db', 'backtalk.db');
  const env = {
    BACKTALK_PORT: '0', BACKTALK_DB: dbPath, BACKTALK_SITES: 'http://blog.example', BACKTALK_ALLOW_PRIVATE_FETCH: 'true',
    BACKTALK_RATE_LIMIT: '0', BACKTALK_LINKBACKS_PER_THREAD_HOUR: '0', BACKTALK_FETCH_PER_HOST_PER_MINUTE: '100000',
    BACKTALK_FETCH_PER_MINUTE: '100000', BACKTALK_ADMIN_TOKEN: 'wm-kill-admin-token-0123456789', BACKTALK_LOG_LEVEL: 'silent',
    // One client sends all 1,000: lift the per-client and per-host queue caps (issue 14.5), as for the rate limit.
    BACKTALK_WEBMENTION_QUEUE_PER_CLIENT: '100000', BACKTALK_WEBMENTION_QUEUE_PER_SOURCE_HOST: '100000',
  };

  const post = async (base: string, n: number): Promise<Outcome> => {
    try {
      const res = await fetch(`${base}/webmention`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ source: sourceUrl(n), target: TARGET }).toString(),
      });
      const text = await res.text();
      if (res.status !== 201) return { n, kind: 'refused', status: res.status, text };
      return { n, kind: 'acknowledged', statusPath: new URL(res.headers.get('location')!).pathname };
    } catch {
      return { n, kind: 'cut-off' };
    }
  };

  const first = await harness.spawn(env, dir);
  const load = killedLoad({ total: TOTAL, concurrency: CONCURRENCY, killAtAcknowledged: KILL_AT, send: post });
  const { outcomes } = load;
  const began = Date.now();
  const { acknowledged, sentAtKill } = await load.untilKilled(first);
  const cutOff = outcomes.filter((o) => o.kind === 'cut-off').length;
  t.diagnostic(`phase 1: ${acknowledged} answered 201, SIGKILL after ${sentAtKill} sent (${Date.now() - began} ms), ${cutOff} cut off`);

  const second = await harness.spawn(env, dir);
  await load.rest(second);

  const acked = outcomes.filter((o): o is Extract<Outcome, { kind: 'acknowledged' }> => o.kind === 'acknowledged');
  assert.deepEqual(outcomes.filter((o) => o.kind === 'refused'), [], 'none refused');
  assert.equal(outcomes.length, TOTAL);
  assert.ok(acked.length >= TOTAL - 2 * CONCURRENCY, `almost all answered 201 (${acked.length})`);

  // Every acknowledged Webmention answers on its status URL on the restarted process.
  for (let i = 0; i < acked.length; i += 50) {
    const statuses = await Promise.all(acked.slice(i, i + 50).map(async (o) => {
      const res = await fetch(second.url + o.statusPath);
      return { o, status: res.status, body: (await res.json()) as { status: string; source: string } };
    }));
    for (const s of statuses) {
      assert.equal(s.status, 200, `${s.o.statusPath} answers`);
      assert.equal(s.body.source, sourceUrl(s.o.n));
      assert.notEqual(s.body.status, 'rejected');
    }
  }

  second.child.kill('SIGTERM');
  assert.equal(await second.exited, 0);
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    assert.deepEqual(db.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
    const jobs = db.prepare(`SELECT source, count(*) AS n FROM webmentions GROUP BY source`).all() as { source: string; n: number }[];
    const bySource = new Map(jobs.map((j) => [j.source, j.n]));
    for (const o of acked) assert.equal(bySource.get(sourceUrl(o.n)), 1, `one job for ${sourceUrl(o.n)}`);
    for (const j of jobs) assert.equal(j.n, 1, `${j.source} queued once`);
    const stored = db.prepare(`SELECT count(*) AS n, count(DISTINCT source_url) AS d FROM comments WHERE kind = 'webmention'`).get() as { n: number; d: number };
    assert.equal(stored.n, stored.d, 'no mention stored twice');
    const cutStored = outcomes.filter((o) => o.kind === 'cut-off' && bySource.has(sourceUrl(o.n))).length;
    assert.equal(jobs.length, acked.length + cutStored, 'no job that was not sent');
    t.diagnostic(`after restart: ${acked.length} of ${TOTAL} answered 201, all queued once and answering; ${cutStored} of ${cutOff} cut-off requests had been committed; ${stored.n} verified and stored so far, none twice; integrity_check ok`);
  } finally {
    db.close();
  }
});
