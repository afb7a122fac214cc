/**
 * Several Backtalk instances on one PostgreSQL database behave as one: two complete apps (each its
 * own createDeps/createApp, own HTTP port, own connection pool, own worker) on one throwaway cluster.
 * Checked over HTTP: the same pingback sent to both at once is stored once (the other answers fault
 * 48); queued Webmentions are verified exactly once with both workers running; the submission rate
 * limit is one limit, not one per instance. And at the store level: two pools claiming the mail
 * outbox at once never claim one item twice.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { openPostgresStore } from '../../src/store/postgres/pg-store.js';
import type { Store } from '../../src/store/repository.js';
import { postgresUnavailable, startPostgresCluster, type PostgresCluster } from '../helpers/postgres-cluster.js';
import { startSourceServer, type SourceServer } from '../helpers/source-server.js';
import { POST, startTestServer, type TestServer } from '../helpers/test-server.js';
import { expectFault, expectPingAccepted, FAULT, linkingSource, ping } from '../pingback/support.js';
import { linkingPage, readStatus, submit } from '../webmention/support.js';

const skip = postgresUnavailable();
let cluster: PostgresCluster | undefined;
let databases = 0;
const cleanups: Array<() => Promise<void>> = [];

async function freshDatabase(): Promise<string> {
  const name = `multi_${process.pid}_${++databases}`;
  const url = await cluster!.createDatabase(name);
  cleanups.push(() => cluster!.dropDatabase(name));
  return url;
}

/** Two instances on one fresh database, started together (both migrate under the advisory lock). */
async function twoInstances(env: Record<string, string> = {}): Promise<[TestServer, TestServer]> {
  const db = await freshDatabase();
  const full = { BACKTALK_DB: db, BACKTALK_ALLOW_PRIVATE_FETCH: 'true', ...env };
  const [a, b] = await Promise.all([startTestServer(full), startTestServer(full)]);
  cleanups.push(() => a.close(), () => b.close());
  return [a, b];
}

async function sourceServer(): Promise<SourceServer> {
  const source = await startSourceServer();
  cleanups.push(() => source.close());
  return source;
}

async function thread(server: TestServer): Promise<Array<{ id: number; type: string; source: string | null }>> {
  const res = await server.request(`/api/comments?target=${encodeURIComponent(POST)}`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { comments: Array<{ id: number; type: string; source: string | null }> }).comments;
}

describe('two instances on one PostgreSQL database', { skip }, () => {
  before(async () => {
    cluster = await startPostgresCluster();
  });
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()!();
  });
  after(async () => {
    await cluster?.stop();
  });

  test('the same pingback sent to both at once is stored once; the other instance answers fault 48', async () => {
    const [a, b] = await twoInstances();
    const source = await sourceServer();
    const rounds = 5;
    for (let i = 0; i < rounds; i++) {
      const url = linkingSource(source, `/post-${i}`);
      const answers = await Promise.all([ping(a, url), ping(b, url)]);
      const accepted = answers.filter((x) => x.kind === 'value');
      const refused = answers.filter((x) => x.kind === 'fault');
      assert.equal(accepted.length, 1, `round ${i}: exactly one instance accepts`);
      expectPingAccepted(accepted[0]!);
      assert.equal(refused.length, 1, `round ${i}: the other refuses`);
      expectFault(refused[0]!, FAULT.alreadyRegistered, `round ${i}`);
    }
    const [seenByA, seenByB] = [await thread(a), await thread(b)];
    assert.equal(seenByA.length, rounds, 'one stored pingback per source');
    assert.deepEqual(seenByB, seenByA, 'both instances show the same thread');
    assert.equal(new Set(seenByA.map((c) => c.source)).size, rounds);
  });

  test('Webmentions queued on both instances are each verified exactly once with both workers running', async () => {
    const [a, b] = await twoInstances();
    const source = await sourceServer();
    const n = 24;
    const locations: string[] = [];
    for (let i = 0; i < n; i++) {
      source.set(`/mention-${i}`, { ...linkingPage(POST), delayMs: 20 });
      locations.push(await submit(i % 2 === 0 ? a : b, source.url(`/mention-${i}`)));
    }
    a.deps.worker.start();
    b.deps.worker.start();
    const deadline = Date.now() + 30_000;
    let statuses = await Promise.all(locations.map(readStatus));
    while (statuses.some((s) => s.status === 'pending') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      statuses = await Promise.all(locations.map(readStatus));
    }
    assert.deepEqual(statuses.map((s) => s.status), Array(n).fill('accepted'));
    for (let i = 0; i < n; i++) assert.equal(source.hits(`/mention-${i}`), 1, `mention ${i}'s source was fetched exactly once`);
    const stored = await thread(a);
    assert.equal(stored.filter((c) => c.type === 'webmention').length, n);
    // Both workers took part (each instance claims with SKIP LOCKED; neither waited for the other).
    const attempts = await Promise.all(locations.map((l) => a.deps.store.webmentions.findByToken(new URL(l).pathname.split('/').pop()!)));
    for (const job of attempts) if (job) assert.equal(job.attempts, 1, `job ${job.id} ran once`);
  });

  test('the submission rate limit is shared: limit 5, three comments to each instance at once → one 429', async () => {
    const [a, b] = await twoInstances({ BACKTALK_RATE_LIMIT: '5' });
    const post = (server: TestServer, i: number) =>
      server.postJson('/comments', { target: POST, body: `Comment number ${i}`, author: `Reader ${i}` });
    const responses = await Promise.all([0, 1, 2].flatMap((i) => [post(a, 2 * i), post(b, 2 * i + 1)]));
    const codes = responses.map((r) => r.status).sort();
    assert.deepEqual(codes, [201, 201, 201, 201, 201, 429]);
    const limited = responses.find((r) => r.status === 429)!;
    assert.ok(Number(limited.headers.get('retry-after')) >= 1, '429 carries Retry-After');
    // And a fresh instance on the same database sees the used-up limit too.
    const c = await startTestServer({ BACKTALK_DB: a.deps.config.dbPath, BACKTALK_RATE_LIMIT: '5' });
    cleanups.push(() => c.close());
    assert.equal((await post(c, 99)).status, 429);
  });

  test('two stores claiming the outbox at once never claim one item twice', async () => {
    const db = await freshDatabase();
    const stores: Store[] = await Promise.all([openPostgresStore(db), openPostgresStore(db)]);
    cleanups.push(() => Promise.all(stores.map((s) => s.close())).then(() => undefined));
    const now = new Date();
    const n = 200;
    for (let i = 0; i < n; i++) await stores[i % 2]!.outbox.enqueue({ channel: 'mail', payload: { i }, now });
    const claimed: number[] = [];
    // Many small claims from both stores in parallel, as several senders polling at once would.
    await Promise.all(stores.flatMap((store) => Array.from({ length: 8 }, async () => {
      for (;;) {
        const items = await store.outbox.claimDue(now, 5, 60_000);
        if (items.length === 0) return;
        claimed.push(...items.map((x) => x.id));
      }
    })));
    assert.equal(claimed.length, n, 'every item claimed');
    assert.equal(new Set(claimed).size, n, 'no item claimed twice');
  });
});
