/**
 * Schema step 7 → 8 (issue 14.12) on both backends: a database written by the previous release, whose
 * triggers bumped a thread's version for every comment change, is opened by this release. Afterwards
 * the version (the public ETag) stays put while held or spam comments come and go, and moves when an
 * approved one does. The rules themselves are in the store contract (repository-contract.ts).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';

import type { CommentStatus, NewComment } from '../../src/domain/comment.js';
import { openPostgresStore } from '../../src/store/postgres/pg-store.js';
import type { Store } from '../../src/store/repository.js';
import { SCHEMA_VERSION } from '../../src/store/sqlite/migrations.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { postgresUnavailable, startPostgresCluster, type PostgresCluster } from '../helpers/postgres-cluster.js';

const POST = 'https://blog.example/2024/05/held/';
const T0 = new Date(Date.UTC(2024, 4, 6, 7, 8, 9));

/** The triggers of schema version 7 (step 3 → 4), which bumped on every change. */
const SQLITE_V7_TRIGGERS = `DROP TRIGGER comments_version_insert; DROP TRIGGER comments_version_update; DROP TRIGGER comments_version_delete;
CREATE TRIGGER comments_version_insert AFTER INSERT ON comments BEGIN
  UPDATE threads SET version = version + 1 WHERE id = NEW.thread_id;
END;
CREATE TRIGGER comments_version_update AFTER UPDATE ON comments BEGIN
  UPDATE threads SET version = version + 1 WHERE id IN (OLD.thread_id, NEW.thread_id);
END;
CREATE TRIGGER comments_version_delete AFTER DELETE ON comments BEGIN
  UPDATE threads SET version = version + 1 WHERE id = OLD.thread_id;
END;
PRAGMA user_version = 7;`;

const PG_V7_FUNCTION = `CREATE OR REPLACE FUNCTION backtalk_bump_thread_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE threads SET version = version + 1 WHERE id = NEW.thread_id;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE threads SET version = version + 1 WHERE id = OLD.thread_id;
  ELSE
    UPDATE threads SET version = version + 1 WHERE id IN (OLD.thread_id, NEW.thread_id);
  END IF;
  RETURN NULL;
END $$;
UPDATE backtalk_schema SET version = 7;`;

function held(threadId: number, status: CommentStatus = 'pending'): NewComment {
  return {
    threadId, parent: null, kind: 'comment', status, author: 'Ann', email: 'ann@example.org', url: '', bodyHtml: '<p>hi</p>',
    bodyRaw: 'hi', source: null, sourceKey: null, title: null, mentionType: null, authorPhoto: null, ip: '', userAgent: '',
    reasons: [], editTokenHash: null, created: T0,
  };
}

interface Backend {
  open(): Promise<Store>;
  /** Runs SQL on the database directly, without opening (and so migrating) it. */
  exec(sqlText: string): Promise<void>;
  /** threads.version itself, seen even while the thread has no public tag. */
  rawVersion(threadId: number): Promise<number>;
  schemaVersion(): Promise<number>;
  close(): Promise<void>;
}

const RAW_HELD_INSERT = (threadId: number) =>
  `INSERT INTO comments (thread_id, kind, status, author, body_html, body_raw, created_at) VALUES (${threadId}, 'comment', 'pending', 'Old', '<p>old</p>', 'old', ${T0.getTime()})`;

function describeStep(name: string, skip: string | false, backend: () => Promise<Backend>): void {
  test(`${name}: after step 7 → 8, held and spam comments leave the thread version alone and an approval moves it`, { skip }, async () => {
    const b = await backend();
    try {
      let store = await b.open();
      const thread = await store.threads.ensure(POST, T0);
      await store.close();

      await b.exec(name === 'SQLite' ? SQLITE_V7_TRIGGERS : PG_V7_FUNCTION);
      const v7 = await b.rawVersion(thread.id);
      await b.exec(RAW_HELD_INSERT(thread.id));
      assert.equal(await b.rawVersion(thread.id), v7 + 1, 'the rewound database has the old rule: a held insert bumped it');

      store = await b.open();
      try {
        assert.equal(await b.schemaVersion(), SCHEMA_VERSION);
        const before = await b.rawVersion(thread.id);
        const first = await store.comments.insert(held(thread.id));
        assert.equal(first.kind, 'inserted');
        await store.comments.insert(held(thread.id, 'spam'));
        assert.equal(await b.rawVersion(thread.id), before, 'held and spam inserts leave the version alone');
        assert.equal((await store.comments.threadVersions([POST])).get(POST), undefined, 'and the thread has no public tag');
        await store.comments.setStatus(first.kind === 'inserted' ? first.comment.id : 0, 'approved');
        assert.ok(await b.rawVersion(thread.id) > before, 'approving moves it');
        assert.notEqual((await store.comments.threadVersions([POST])).get(POST), undefined, 'and the thread is shown');
      } finally {
        await store.close();
      }
    } finally {
      await b.close();
    }
  });
}

const pgSkip = postgresUnavailable();
let cluster: PostgresCluster | undefined;

describe('the public thread version across the schema step', () => {
  before(async () => {
    if (!pgSkip) cluster = await startPostgresCluster();
  });
  after(async () => {
    await cluster?.stop();
  });

  describeStep('SQLite', false, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'backtalk-version-'));
    const path = join(dir, 'backtalk.db');
    const withDb = <T>(work: (db: Database.Database) => T): T => {
      const db = new Database(path);
      try {
        return work(db);
      } finally {
        db.close();
      }
    };
    return {
      open: async () => openSqliteStore(path),
      exec: async (sqlText) => withDb((db) => void db.exec(sqlText)),
      rawVersion: async (id) => withDb((db) => (db.prepare('SELECT version FROM threads WHERE id = ?').get(id) as { version: number }).version),
      schemaVersion: async () => withDb((db) => db.pragma('user_version', { simple: true }) as number),
      close: () => rm(dir, { recursive: true, force: true }),
    };
  });

  describeStep('PostgreSQL', pgSkip ?? false, async () => {
    const name = `version_${process.pid}`;
    const url = await cluster!.createDatabase(name);
    const query = async (sqlText: string, params: unknown[] = []) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query(sqlText, params)).rows;
      } finally {
        await client.end();
      }
    };
    return {
      open: () => openPostgresStore(url, { max: 2 }),
      exec: async (sqlText) => void (await query(sqlText)),
      rawVersion: async (id) => Number((await query('SELECT version FROM threads WHERE id = $1', [id]))[0].version),
      schemaVersion: async () => Number((await query('SELECT version FROM backtalk_schema'))[0].version),
      close: () => cluster!.dropDatabase(name),
    };
  });
});
