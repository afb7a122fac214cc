/**
 * Crash safety of group commit (issue 15): 32 clients post comments without pause at the real
 * server process; once a few hundred are answered, the test watches the server's threads in /proc
 * and SIGKILLs it at a moment when one of them is inside fdatasync() of the -wal file, that is,
 * while a group's sync is in flight and its comments are committed but not yet answered. A second
 * process on the same file must list every comment that was answered 201, each once, and the file
 * must pass integrity_check. Linux only (/proc/PID/task/TID/syscall); skipped elsewhere.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { useKillHarness, postComment, type Outcome } from './support.js';

const CONCURRENCY = 32;
const ACKNOWLEDGED_BEFORE_WATCHING = 300;
/** Gives up watching after this many answers without catching a sync (the test then fails). */
const GIVE_UP_AT = 20_000;
const TARGET = 'http://blog.example/2026/12/group-kill/';
/** fdatasync(2) on the architectures node ships for Linux. */
const FDATASYNC: Partial<Record<string, number>> = { x64: 75, arm64: 83 };

const harness = useKillHarness();
const marker = (n: number) => `group-marker-${String(n).padStart(6, '0')}`;

const post = (base: string, n: number): Promise<Outcome> =>
  postComment(base, n, { target: TARGET, author: `Reader ${n % 41}`, email: `g${n}@example.com`, body: `${marker(n)}: a comment posted under load.` });

/** The -wal file a thread of `pid` is syncing right now, if one is. */
function walSyncInFlight(pid: number, syscall: number): string | undefined {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  for (const tid of tasks) {
    let fields: string[];
    try {
      fields = readFileSync(`/proc/${pid}/task/${tid}/syscall`, 'utf8').trim().split(' ');
    } catch {
      continue;
    }
    if (Number(fields[0]) !== syscall) continue;
    try {
      const file = readlinkSync(`/proc/${pid}/fd/${Number.parseInt(fields[1] ?? '', 16)}`);
      if (file.endsWith('-wal')) return file;
    } catch {
      // the descriptor closed in between
    }
  }
  return undefined;
}

function canWatchSyscalls(): boolean {
  try {
    readFileSync(`/proc/${process.pid}/syscall`, 'utf8');
    return FDATASYNC[process.arch] !== undefined;
  } catch {
    return false;
  }
}

/**
 * One run: load, a kill during a -wal sync, a restart, and every durability check. Answers how many
 * requests the kill cut off (none when the sync caught finished and its answers left just before the
 * signal landed: the run proved nothing about a sync in flight then, and the test runs another).
 */
async function killDuringSync(t: TestContext): Promise<number> {
  const dir = harness.tempDir('backtalk-group-kill-');
  const dbPath = join(dir, 'db', 'backtalk.db');
  const env = {
    BACKTALK_PORT: '0', BACKTALK_DB: dbPath, BACKTALK_SITES: 'http://blog.example',
    BACKTALK_RATE_LIMIT: '0', BACKTALK_ADMIN_TOKEN: 'group-kill-admin-token-0123456789', BACKTALK_LOG_LEVEL: 'silent',
  };
  const first = await harness.spawn(env, dir);
  const pid = first.child.pid!;
  const outcomes: Outcome[] = [];
  let acknowledged = 0;
  let next = 0;
  let inFlight = 0;
  let caught: { file: string; inFlight: number; acknowledged: number } | undefined;
  let stop = false;

  const workers = Array.from({ length: CONCURRENCY }, async () => {
    while (!stop) {
      inFlight += 1;
      const outcome = await post(first.url, next++);
      inFlight -= 1;
      outcomes.push(outcome);
      if (outcome.kind === 'acknowledged') acknowledged += 1;
      if (outcome.kind !== 'acknowledged' || acknowledged >= GIVE_UP_AT) stop = true;
    }
  });
  const watcher = (async () => {
    while (!stop) {
      await new Promise((resolve) => setImmediate(resolve));
      if (acknowledged < ACKNOWLEDGED_BEFORE_WATCHING) continue;
      const file = walSyncInFlight(pid, FDATASYNC[process.arch]!);
      if (file) {
        first.child.kill('SIGKILL');
        caught = { file, inFlight, acknowledged };
        stop = true;
      }
    }
  })();
  await Promise.all([...workers, watcher]);
  if (!caught) first.child.kill('SIGKILL');
  await first.exited;
  assert.ok(caught, `a -wal fdatasync was caught in flight within ${acknowledged} answered comments`);
  assert.equal(first.child.signalCode, 'SIGKILL');
  const cutOff = outcomes.filter((o) => o.kind === 'cut-off');
  t.diagnostic(`killed during fdatasync of ${caught.file} with ${caught.inFlight} POSTs in flight, after ${caught.acknowledged} were answered 201; ${cutOff.length} cut off`);
  assert.deepEqual(outcomes.filter((o) => o.kind === 'refused'), [], 'no request was refused before the kill');

  const second = await harness.spawn(env, dir);
  const acked = outcomes.filter((o): o is Extract<Outcome, { kind: 'acknowledged' }> => o.kind === 'acknowledged');
  const listed = (await (await fetch(`${second.url}/api/comments?target=${encodeURIComponent(TARGET)}`)).json()) as { comments: { id: number }[] };
  const listedIds = new Set(listed.comments.map((c) => c.id));
  for (const o of acked) assert.ok(listedIds.has(o.id), `comment ${o.id} (${marker(o.n)}) answered 201 is listed after the restart`);
  second.child.kill('SIGTERM');
  assert.equal(await second.exited, 0, 'the restarted server stops cleanly');

  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    const rows = db.prepare(`SELECT id, body_raw FROM comments WHERE kind = 'comment'`).all() as { id: number; body_raw: string }[];
    const byMarker = new Map<string, number[]>();
    for (const row of rows) {
      const m = /group-marker-\d{6}/.exec(row.body_raw)?.[0];
      assert.ok(m, `row ${row.id} carries a marker`);
      byMarker.set(m, [...(byMarker.get(m) ?? []), row.id]);
    }
    for (const o of acked) assert.deepEqual(byMarker.get(marker(o.n)), [o.id], `${marker(o.n)} stored exactly once, as id ${o.id}`);
    const committedUnanswered = cutOff.filter((o) => byMarker.has(marker(o.n))).length;
    assert.equal(rows.length, acked.length + committedUnanswered, 'nothing stored that was not sent');
    t.diagnostic(`after restart: all ${acked.length} answered comments present once; ${committedUnanswered} of ${cutOff.length} cut-off ones were committed (their sync was in flight); integrity_check ok`);
  } finally {
    db.close();
  }
  return cutOff.length;
}

const ATTEMPTS = 3;

test('SIGKILL while a group\'s fdatasync is in flight: every comment answered 201 is there after the restart, once', { timeout: 600_000 }, async (t) => {
  if (!canWatchSyscalls()) {
    t.skip('needs Linux /proc/PID/syscall on x64 or arm64');
    return;
  }
  let cutOff = 0;
  for (let attempt = 1; attempt <= ATTEMPTS && cutOff === 0; attempt++) {
    cutOff = await killDuringSync(t);
    if (cutOff === 0) t.diagnostic(`attempt ${attempt}: the kill cut off no request (the sync caught had just ended); again`);
  }
  assert.ok(cutOff > 0, `requests were in flight at the kill in one of ${ATTEMPTS} attempts`);
});
