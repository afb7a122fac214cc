/**
 * `backtalk migrate --from sqlite:FILE --to postgres://…` and back, run as the real CLI in a child
 * process against a throwaway PostgreSQL cluster: every table arrives (read back through the Store
 * interface of the other backend), ids are kept and new ones continue after them, a reply whose
 * parent has a higher id survives, a non-empty target is refused with one line.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { NewComment } from '../../src/domain/comment.js';
import { openPostgresStore } from '../../src/store/postgres/pg-store.js';
import type { Store, TransferComment } from '../../src/store/repository.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { postgresUnavailable, startPostgresCluster, type PostgresCluster } from '../helpers/postgres-cluster.js';

const run = promisify(execFile);
const skip = postgresUnavailable();
const POST = 'https://blog.example/2024/03/hello/';
const OTHER = 'https://blog.example/2024/04/closed/';
const T = (s: number) => new Date(Date.UTC(2024, 2, 9, 14, 5, 7, 123) + s * 1000);

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'migrate', ...args], { env: { ...process.env, LC_ALL: 'C', BACKTALK_LOG_LEVEL: 'silent' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function comment(threadId: number, over: Partial<NewComment> = {}): NewComment {
  return {
    threadId, parent: null, kind: 'comment', status: 'approved', author: 'Zoë «Z»', email: 'zoe@example.org', url: 'https://zoe.example/',
    bodyHtml: '<p>Ünïcode 👍</p>', bodyRaw: 'Ünïcode 👍', source: null, sourceKey: null, title: null, mentionType: null, authorPhoto: null,
    ip: '2001:db8::', userAgent: 'UA', reasons: ['held: first-time'], editTokenHash: 'a'.repeat(64), created: T(1), ...over,
  };
}

function imported(key: string, parentKey: string | null, created: Date): TransferComment {
  const { threadId: _t, parent: _p, ...rest } = comment(0, { created, author: `Imported ${key}`, email: '' });
  return { ...rest, key, parentKey, target: POST, deleted: false, edited: null };
}

/** One of everything the database holds. */
async function fill(store: Store): Promise<{ tokens: string[]; outboxId: number; subscriptionId: number }> {
  const t = await store.threads.ensure(POST, T(0));
  const closed = await store.threads.ensure(OTHER, T(0));
  await store.threads.setClosed(closed.id, { comments: true });
  const first = await store.comments.insert(comment(t.id));
  assert.equal(first.kind, 'inserted');
  const parentId = first.kind === 'inserted' ? first.comment.id : 0;
  await store.comments.insert(comment(t.id, { parent: parentId, status: 'pending', created: T(2) }));
  await store.comments.insert(comment(t.id, {
    kind: 'webmention', source: 'https://alice.example/r', sourceKey: 'https://alice.example/r', title: 'Re', mentionType: 'reply',
    authorPhoto: 'https://alice.example/me.jpg', email: '', editTokenHash: null, created: T(3),
  }));
  await store.comments.edit(parentId, { author: 'Zoë', url: '', bodyRaw: 'edited', bodyHtml: '<p>edited</p>', status: 'approved', reasons: [], edited: T(9), editedBy: 'author' });
  // Reply first, parent second: the reply's parent gets the higher id.
  const session = await store.transfer.beginImport();
  await session.importBatch({ threads: [], comments: [imported('wxr:1#2', 'wxr:1#1', T(5)), imported('wxr:1#1', null, T(4))] });
  await session.commit();
  const deleted = await store.comments.insert(comment(t.id, { created: T(6) }));
  if (deleted.kind === 'inserted') {
    await store.comments.insert(comment(t.id, { parent: deleted.comment.id, created: T(7) }));
    assert.equal(await store.comments.remove(deleted.comment.id), 'placeholder');
  }
  const tokens: string[] = [];
  for (const [i, source] of ['https://a.example/1', 'https://a.example/2'].entries()) {
    const job = await store.webmentions.enqueue({ token: `tok${i}`, source, target: POST, clientIp: '192.0.2.1', userAgent: 'wm', now: T(10) });
    tokens.push(job.token);
  }
  const [claimed] = await store.webmentions.claimDue(T(11), 1, 30_000);
  await store.webmentions.finish(claimed!.id, { status: 'rejected', reason: 'no link', commentId: null, now: T(12) });
  await store.linkbackLog.record({ kind: 'pingback', source: 'https://b.example/', target: POST, outcome: 'refused', reason: 'no link', ip: '192.0.2.2', commentId: null, created: T(13) });
  const outbox = await store.outbox.enqueue({ channel: 'mail', payload: { to: 'owner@example.org', n: 1 }, now: T(14) });
  const sub = await store.subscriptions.request('zoe@example.org', t.id, 'h'.repeat(64), T(15));
  await store.subscriptions.confirm(sub.subscription.id);
  await store.usedTokens.use('nonce-1', T(16));
  await store.settings.set('instance_id', 'abc123');
  return { tokens, outboxId: outbox.id, subscriptionId: sub.subscription.id };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Everything readable through the Store interface, for comparing two backends. */
async function snapshot(store: Store, ids: { tokens: string[]; outboxId: number; subscriptionId: number }) {
  return {
    threads: await collect(store.transfer.exportThreads()),
    comments: await collect(store.transfer.exportComments('cmp')),
    counts: await store.comments.countByStatus(),
    webmentions: await Promise.all(ids.tokens.map((t) => store.webmentions.findByToken(t))),
    log: await store.linkbackLog.list({ limit: 10 }),
    outbox: await store.outbox.findById(ids.outboxId),
    subscription: await store.subscriptions.findById(ids.subscriptionId),
    setting: await store.settings.get('instance_id'),
  };
}

describe('backtalk migrate between SQLite and PostgreSQL', { skip }, () => {
  let cluster: PostgresCluster;
  let dir: string;
  before(async () => {
    cluster = await startPostgresCluster();
    dir = await mkdtemp(join(tmpdir(), 'backtalk-migrate-'));
  });
  after(async () => {
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('SQLite → PostgreSQL → SQLite keeps every table, id and value; new ids continue after the copied ones', async () => {
    const sqlitePath = join(dir, 'source.db');
    const original = openSqliteStore(sqlitePath);
    const ids = await fill(original);
    const expected = await snapshot(original, ids);
    await original.close();

    const pgUrl = await cluster.createDatabase('migrated');
    const there = await cli('--from', `sqlite:${sqlitePath}`, '--to', pgUrl);
    assert.equal(there.code, 0, there.stderr);
    assert.match(there.stdout, /comments: 7 rows\n/);
    assert.match(there.stdout, /verified: every table's row count matches, \d+ sampled rows identical/);

    const pgStore = await openPostgresStore(pgUrl);
    try {
      assert.deepEqual(await snapshot(pgStore, ids), expected);
      assert.equal(await pgStore.usedTokens.use('nonce-1', T(20)), false, 'a used one-click token stays used');
      const reply = expected.comments.find((c) => c.key === 'wxr:1#2')!;
      const parent = expected.comments.find((c) => c.key === 'wxr:1#1')!;
      assert.ok(reply.parent === parent.id && parent.id > reply.id, 'the reply keeps a parent with a higher id');
      const maxId = Math.max(...expected.comments.map((c) => c.id));
      const added = await pgStore.comments.insert(comment(expected.threads[0]!.id, { created: T(30) }));
      assert.equal(added.kind === 'inserted' && added.comment.id, maxId + 1, 'the id sequence continues after the copied rows');
      await pgStore.comments.remove(maxId + 1);
    } finally {
      await pgStore.close();
    }

    const backPath = join(dir, 'back.db');
    const back = await cli('--from', pgUrl, '--to', `sqlite:${backPath}`);
    assert.equal(back.code, 0, back.stderr);
    const roundTrip = openSqliteStore(backPath);
    try {
      assert.deepEqual(await snapshot(roundTrip, ids), expected);
    } finally {
      await roundTrip.close();
    }
  });

  test('a target that already holds data is refused with one line and left unchanged', async () => {
    const sqlitePath = join(dir, 'refuse.db');
    const source = openSqliteStore(sqlitePath);
    await source.threads.ensure(POST, T(0));
    await source.close();
    const pgUrl = await cluster.createDatabase('busy');
    const busy = await openPostgresStore(pgUrl);
    await busy.threads.ensure(OTHER, T(0));
    try {
      const result = await cli('--from', `sqlite:${sqlitePath}`, '--to', pgUrl);
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /^backtalk: .*not empty: table "threads" already has 1 row\(s\)\n$/);
      assert.equal((await busy.transfer.counts()).threads, 1);
      assert.equal(await busy.threads.findByTarget(POST), undefined);
    } finally {
      await busy.close();
    }
  });
});
