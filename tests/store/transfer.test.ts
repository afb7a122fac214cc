/**
 * The bulk rules, now written once for both databases, on both: erasing an address whose comments
 * nest in each other (and backing up the placeholders it leaves), and an export reading one
 * snapshot while another connection writes. Through
 * the Store interface only; the PostgreSQL half starts a throwaway cluster (skipped without one).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { NewComment } from '../../src/domain/comment.js';
import { openPostgresStore } from '../../src/store/postgres/pg-store.js';
import type { Store } from '../../src/store/repository.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { postgresUnavailable, startPostgresCluster, type PostgresCluster } from '../helpers/postgres-cluster.js';

const POST = 'https://blog.example/2024/03/hello/';
const T0 = Date.UTC(2024, 2, 9, 14, 5, 7, 123);

function aComment(threadId: number, email: string, parent: number | null = null): NewComment {
  return {
    threadId, parent, kind: 'comment', status: 'approved', author: `Author of ${email}`, email, url: 'https://me.example/',
    bodyHtml: '<p>Hello</p>', bodyRaw: 'Hello', source: null, sourceKey: null, title: null, mentionType: null,
    authorPhoto: 'https://me.example/me.jpg', ip: '192.0.2.0', userAgent: 'UA', reasons: [], editTokenHash: 'h'.repeat(64), created: new Date(T0),
  };
}

async function insert(store: Store, comment: NewComment): Promise<number> {
  const result = await store.comments.insert(comment);
  assert.equal(result.kind, 'inserted');
  return result.kind === 'inserted' ? result.comment.id : 0;
}

/** Two stores on one database: `store` and `other`, as two processes (or instances) would have. */
type Open = () => Promise<{ store: Store; other: Store; cleanup(): Promise<void> }>;

function describeTransfer(name: string, open: Open): void {
  describe(name, () => {
    test('remove: a comment goes when only the same address replied below it, at any depth; the rest become blank placeholders', async () => {
      const { store, cleanup } = await open();
      try {
        const t = await store.threads.ensure(POST, new Date(T0));
        // a ← b ← c(them): a and b stay for c.   d ← e ← f: all three go.
        const a = await insert(store, aComment(t.id, 'me@example.org'));
        const b = await insert(store, aComment(t.id, 'Me@Example.org', a));
        const c = await insert(store, aComment(t.id, 'them@example.org', b));
        const f0 = await insert(store, aComment(t.id, 'me@example.org'));
        const e = await insert(store, aComment(t.id, 'me@example.org', f0));
        const f = await insert(store, aComment(t.id, 'ME@example.org', e));
        assert.deepEqual(await store.transfer.erasePersonalData('me@EXAMPLE.org', 'remove'), { comments: 3, placeholders: 2, subscriptions: 0 });
        for (const gone of [f0, e, f]) assert.equal(await store.comments.findById(gone), undefined);
        for (const kept of [a, b]) {
          const p = await store.comments.findById(kept);
          assert.deepEqual([p?.deleted, p?.author, p?.email, p?.url, p?.bodyRaw, p?.bodyHtml, p?.ip, p?.userAgent, p?.authorPhoto, p?.editTokenHash],
            [true, '', '', '', '', '', '', '', null, null], `placeholder ${kept} keeps nothing of its author`);
        }
        assert.equal((await store.comments.findById(c))?.parent, b, 'their reply keeps its place');
        assert.equal((await store.comments.findById(b))?.parent, a);
        assert.deepEqual((await store.transfer.personalData('me@example.org')).comments, []);
        // The placeholders are valid rows for either schema: the backup (for PostgreSQL a SQLite
        // file, whose body_hash is NOT NULL) takes them, and they come back as placeholders.
        const file = join(await mkdtemp(join(tmpdir(), 'backtalk-transfer-')), 'backup.db');
        await store.backup(file);
        const copy = openSqliteStore(file);
        try {
          assert.equal((await copy.comments.findById(b))?.deleted, true);
        } finally {
          await copy.close();
          await rm(dirname(file), { recursive: true, force: true });
        }
      } finally {
        await cleanup();
      }
    });

    test('an export inside readSnapshot does not see what another connection writes meanwhile', async () => {
      const { store, other, cleanup } = await open();
      try {
        const t = await store.threads.ensure(POST, new Date(T0));
        await insert(store, aComment(t.id, 'a@example.org'));
        const seen = await store.transfer.readSnapshot!(async () => {
          const before = await store.transfer.counts();
          await insert(other, aComment(t.id, 'b@example.org'));
          const ids: number[] = [];
          for await (const c of store.transfer.exportComments('inst')) ids.push(c.id);
          return { before, after: await store.transfer.counts(), ids };
        });
        assert.deepEqual(seen.before, { threads: 1, comments: 1 });
        assert.deepEqual(seen.after, seen.before, 'the snapshot holds');
        assert.equal(seen.ids.length, 1);
        assert.deepEqual(await store.transfer.counts(), { threads: 1, comments: 2 }, 'the write is there once the snapshot ends');
      } finally {
        await cleanup();
      }
    });
  });
}

describeTransfer('SQLite transfer', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'backtalk-transfer-'));
  const store = openSqliteStore(join(dir, 'b.db'));
  const other = openSqliteStore(join(dir, 'b.db'));
  return {
    store, other,
    async cleanup() {
      await other.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

const skip = postgresUnavailable();
describe('PostgreSQL', { skip }, () => {
  let cluster: PostgresCluster | undefined;
  let n = 0;
  before(async () => {
    cluster = await startPostgresCluster();
  });
  after(async () => {
    await cluster?.stop();
  });
  describeTransfer('PostgreSQL transfer', async () => {
    const name = `transfer_${process.pid}_${++n}`;
    const url = await cluster!.createDatabase(name);
    const store = await openPostgresStore(url, { max: 2 });
    const other = await openPostgresStore(url, { max: 2 });
    return {
      store, other,
      async cleanup() {
        await other.close();
        await store.close();
        await cluster!.dropDatabase(name);
      },
    };
  });
});
