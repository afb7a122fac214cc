/**
 * Crash safety of comments (issue 6): 2,400 JSON comment POSTs, 16 at a time, at the real server
 * process; SIGKILL once 1,200 are answered; the rest go to a second process started on the same
 * database. Every comment answered `201` must be stored exactly once, under the id it was answered
 * with, and the file must pass `PRAGMA integrity_check`.
 *
 * A request cut off by the kill has no answer: the client cannot know whether it was stored, so
 * for those only "at most once" is checked (a retry by the reader is a new comment with a new body).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { killedLoad, useKillHarness, postComment, type Outcome } from './support.js';

const TOTAL = 2400;
const KILL_AT_ACKNOWLEDGED = 1200;
const CONCURRENCY = 16;
const TARGET = 'http://blog.example/2026/11/kill/';

const harness = useKillHarness();

const marker = (n: number) => `crash-marker-${String(n).padStart(5, '0')}`;

const post = (base: string, n: number): Promise<Outcome> =>
  postComment(base, n, { target: TARGET, author: `Reader ${n % 37}`, email: `r${n}@example.com`, body: `${marker(n)} says hello, number ${n}.` });

test(`SIGKILL halfway through ${TOTAL} comment POSTs: every comment answered 201 is stored exactly once and the database is intact`, { timeout: 240_000 }, async (t) => {
  const dir = harness.tempDir('backtalk-kill-');
  const dbPath = join(dir, 'db', 'backtalk.db');
  const env = {
    BACKTALK_PORT: '0', BACKTALK_DB: dbPath, BACKTALK_SITES: 'http://blog.example',
    BACKTALK_RATE_LIMIT: '0', BACKTALK_ADMIN_TOKEN: 'kill-admin-token-0123456789', BACKTALK_LOG_LEVEL: 'silent',
  };
  const first = await harness.spawn(env, dir);

  const load = killedLoad({ total: TOTAL, concurrency: CONCURRENCY, killAtAcknowledged: KILL_AT_ACKNOWLEDGED, send: post });
  const { outcomes } = load;
  const began = Date.now();

  // Phase 1: 16 workers pull numbers until the first process is gone.
  const { acknowledged, sentAtKill, sent } = await load.untilKilled(first);
  assert.equal(first.child.signalCode, 'SIGKILL');
  const cutOff = outcomes.filter((o) => o.kind === 'cut-off').length;
  t.diagnostic(`phase 1: ${sent} POSTs sent in ${Date.now() - began} ms, ${acknowledged} answered 201, SIGKILL after ${sentAtKill} were sent; ${cutOff} cut off by the kill`);

  // Phase 2: a new process on the same file takes the rest.
  const second = await harness.spawn(env, dir);
  await load.rest(second);

  const acked = outcomes.filter((o): o is Extract<Outcome, { kind: 'acknowledged' }> => o.kind === 'acknowledged');
  const refused = outcomes.filter((o) => o.kind === 'refused');
  assert.equal(outcomes.length, TOTAL);
  assert.deepEqual(refused, [], 'no request was refused');
  assert.ok(acked.length >= TOTAL - 2 * CONCURRENCY, `almost all answered 201 (${acked.length})`);
  assert.equal(new Set(acked.map((o) => o.id)).size, acked.length, 'no id was handed out twice');

  // The API of the restarted process lists them all.
  const listed = (await (await fetch(`${second.url}/api/comments?target=${encodeURIComponent(TARGET)}`)).json()) as { total: number; comments: { id: number }[] };
  const listedIds = new Set(listed.comments.map((c) => c.id));
  for (const o of acked) assert.ok(listedIds.has(o.id), `comment ${o.id} (${marker(o.n)}) is listed`);

  second.child.kill('SIGTERM');
  assert.equal(await second.exited, 0, 'the restarted server stops cleanly');

  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    assert.deepEqual(db.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
    const rows = db.prepare(`SELECT id, body_raw FROM comments WHERE kind = 'comment'`).all() as { id: number; body_raw: string }[];
    const byMarker = new Map<string, number[]>();
    for (const row of rows) {
      const m = /crash-marker-\d{5}/.exec(row.body_raw)?.[0];
      assert.ok(m, `row ${row.id} carries a marker`);
      byMarker.set(m, [...(byMarker.get(m) ?? []), row.id]);
    }
    for (const o of acked) assert.deepEqual(byMarker.get(marker(o.n)), [o.id], `${marker(o.n)} stored exactly once, as id ${o.id}`);
    for (const [m, ids] of byMarker) assert.equal(ids.length, 1, `${m} stored at most once`);
    const cutStored = outcomes.filter((o) => o.kind === 'cut-off' && byMarker.has(marker(o.n))).length;
    assert.equal(rows.length, acked.length + cutStored, 'nothing stored that was not sent');
    t.diagnostic(`after restart: ${TOTAL} POSTs, ${acked.length} answered 201, all ${acked.length} present once; ${cutStored} of ${cutOff} cut-off requests were committed before the kill; integrity_check ok; ${Date.now() - began} ms`);
  } finally {
    db.close();
  }
});
