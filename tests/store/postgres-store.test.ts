/**
 * The PostgreSQL backend: the shared Store contract, unchanged, against a throwaway cluster this file
 * starts (initdb + pg_ctl in a temporary folder, Unix socket only), one fresh database per test;
 * then what only PostgreSQL has: migrations under the advisory lock, schema versions, backup.
 * Without PostgreSQL binaries every test here is skipped with one line saying so.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createPool, migratePostgres } from '../../src/store/postgres/open-postgres.js';
import { PG_SCHEMA_VERSION } from '../../src/store/postgres/migrations.js';
import { openPostgresStore } from '../../src/store/postgres/pg-store.js';
import { SCHEMA_VERSION } from '../../src/store/sqlite/migrations.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { postgresUnavailable, startPostgresCluster, type PostgresCluster } from '../helpers/postgres-cluster.js';
import { describeStoreContract } from './repository-contract.js';
import { describeThreadPagesContract } from './thread-pages-contract.js';

const skip = postgresUnavailable();
let cluster: PostgresCluster | undefined;
let databases = 0;
const freshDatabase = async (): Promise<{ url: string; name: string }> => {
  const name = `contract_${process.pid}_${++databases}`;
  return { url: await cluster!.createDatabase(name), name };
};

describe('PostgreSQL backend', { skip }, () => {
  before(async () => {
    cluster = await startPostgresCluster();
  });
  after(async () => {
    await cluster?.stop();
  });

  const postgresFixture = async () => {
    const { url, name } = await freshDatabase();
    const store = await openPostgresStore(url, { max: 4 });
    return {
      store,
      async cleanup() {
        await store.close();
        await cluster!.dropDatabase(name);
      },
    };
  };
  describeStoreContract('postgres', postgresFixture);
  describeThreadPagesContract('postgres', postgresFixture);

  describe('PostgreSQL specifics', () => {
    test('the PostgreSQL schema is at the same version as the SQLite one (a schema change goes to both)', () => {
      assert.equal(PG_SCHEMA_VERSION, SCHEMA_VERSION);
    });

    test('eight instances starting together on an empty database: one creates the schema, none fails', async () => {
      const { url, name } = await freshDatabase();
      const pools = Array.from({ length: 8 }, () => createPool(url, { max: 2 }));
      try {
        await Promise.all(pools.map((pool) => migratePostgres(pool)));
        const check = pools[0]!;
        const version = await check.query<{ version: number }>('SELECT version FROM backtalk_schema');
        assert.deepEqual(version.rows, [{ version: PG_SCHEMA_VERSION }], 'exactly one version row');
        const tables = await check.query<{ n: number }>(`SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'comments'`);
        assert.equal(tables.rows[0]?.n, 1);
      } finally {
        await Promise.all(pools.map((pool) => pool.end()));
        await cluster!.dropDatabase(name);
      }
    });

    test('a database from a newer Backtalk is refused and left alone', async () => {
      const { url, name } = await freshDatabase();
      const store = await openPostgresStore(url);
      await store.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query('UPDATE backtalk_schema SET version = $1', [PG_SCHEMA_VERSION + 1]);
        await assert.rejects(openPostgresStore(url), /newer than this Backtalk/);
        assert.equal((await client.query('SELECT version FROM backtalk_schema')).rows[0]?.version, PG_SCHEMA_VERSION + 1);
      } finally {
        await client.end();
        await cluster!.dropDatabase(name);
      }
    });

    test('only public comment changes bump the thread version, as the SQLite triggers do (issue 14.12)', async () => {
      const { url, name } = await freshDatabase();
      const store = await openPostgresStore(url);
      try {
        const target = 'https://blog.example/post/';
        const thread = await store.threads.ensure(target, new Date());
        // The raw counter, so a bump is seen even while the thread is not shown (no approved row).
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        const version = async () => Number((await client.query('SELECT version FROM threads WHERE id = $1', [thread.id])).rows[0].version);
        try {
          const v0 = await version();
          const inserted = await store.comments.insert({
            threadId: thread.id, parent: null, kind: 'comment', status: 'pending', author: 'A', email: '', url: '', bodyHtml: '<p>x</p>',
            bodyRaw: 'x', source: null, sourceKey: null, title: null, mentionType: null, authorPhoto: null, ip: '', userAgent: '',
            reasons: [], editTokenHash: null, created: new Date(),
          });
          assert.equal(inserted.kind, 'inserted');
          const id = inserted.kind === 'inserted' ? inserted.comment.id : 0;
          assert.equal(await version(), v0, 'a held insert leaves the version alone');
          await store.comments.setStatus(id, 'spam');
          assert.equal(await version(), v0, 'held → spam leaves it alone');
          assert.equal((await store.comments.threadVersions([target])).get(target), undefined, 'no tag while nothing is shown');
          await store.comments.setStatus(id, 'approved');
          const v1 = await version();
          assert.ok(v1 > v0, 'spam → approved bumps it');
          await store.comments.setStatus(id, 'trash');
          const v2 = await version();
          assert.ok(v2 > v1, 'approved → trash bumps it');
          await store.comments.remove(id);
          assert.equal(await version(), v2, 'removing a trashed comment leaves it alone');
          await store.threads.setClosed(thread.id, { comments: true });
          assert.ok(await version() > v2, 'closing the thread bumps it');
        } finally {
          await client.end();
        }
      } finally {
        await store.close();
        await cluster!.dropDatabase(name);
      }
    });

    test('readSnapshot: exports inside it do not see writes made meanwhile; by-thread order pages through', async () => {
      const { url, name } = await freshDatabase();
      const store = await openPostgresStore(url);
      try {
        const a = await store.threads.ensure('https://blog.example/a/', new Date());
        const b = await store.threads.ensure('https://blog.example/b/', new Date());
        const session = await store.transfer.beginImport();
        const item = (i: number, target: string) => ({
          kind: 'comment' as const, status: 'approved' as const, author: `A${i}`, email: '', url: '', bodyHtml: '<p>x</p>', bodyRaw: `x${i}`,
          source: null, sourceKey: null, title: null, mentionType: null, authorPhoto: null, ip: '', userAgent: '', reasons: [],
          editTokenHash: null, created: new Date(), key: `json:t#${i}`, parentKey: null, target, deleted: false, edited: null,
        });
        // 1,200 comments alternating between the threads: more than two export pages either way.
        await session.importBatch({ threads: [], comments: Array.from({ length: 1200 }, (_, i) => item(i, i % 2 ? a.target : b.target)) });
        await session.commit();
        const exported = await store.transfer.readSnapshot!(async () => {
          const seen: Array<{ threadId: number; id: number }> = [];
          for await (const c of store.transfer.exportComments('snap', 'thread')) {
            if (seen.length === 10) await store.transfer.purge(['approved'], new Date(Date.now() + 60_000)); // deletes everything, elsewhere
            seen.push({ threadId: c.threadId, id: c.id });
          }
          return seen;
        });
        assert.equal(exported.length, 1200, 'the snapshot still held every comment');
        const sorted = [...exported].sort((x, y) => x.threadId - y.threadId || x.id - y.id);
        assert.deepEqual(exported, sorted, 'ordered by thread, then id');
        assert.equal((await store.transfer.counts()).comments, 0, 'the purge did happen outside the snapshot');
      } finally {
        await store.close();
        await cluster!.dropDatabase(name);
      }
    });

    test('backup writes a SQLite file holding the same threads and comments', async () => {
      const { url, name } = await freshDatabase();
      const dir = await mkdtemp(join(tmpdir(), 'backtalk-pgbackup-'));
      const store = await openPostgresStore(url);
      try {
        const thread = await store.threads.ensure('https://blog.example/a/', new Date(1_700_000_000_123));
        await store.comments.insert({
          threadId: thread.id, parent: null, kind: 'pingback', status: 'approved', author: 'Zoë', email: '', url: 'https://z.example/',
          bodyHtml: '<p>…</p>', bodyRaw: '…', source: 'https://z.example/p', sourceKey: 'https://z.example/p', title: 'T', mentionType: null,
          authorPhoto: null, ip: '192.0.2.0', userAgent: 'ua', reasons: ['r'], editTokenHash: null, created: new Date(1_700_000_000_456),
        });
        await store.settings.set('k', 'v');
        const file = join(dir, 'backup.db');
        await store.backup(file);
        const copy = openSqliteStore(file);
        try {
          assert.deepEqual(await copy.threads.findById(thread.id), await store.threads.findById(thread.id));
          assert.deepEqual(await copy.comments.listVisible(thread.id), await store.comments.listVisible(thread.id));
          assert.equal(await copy.settings.get('k'), 'v');
        } finally {
          await copy.close();
        }
      } finally {
        await store.close();
        await cluster!.dropDatabase(name);
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});
