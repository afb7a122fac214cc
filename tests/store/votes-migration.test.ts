/**
 * Schema step 7 → 8 (issue 17.2): comments gain likes and dislikes, and the votes table appears. A
 * real SQLite file brought back to version 7 by hand, then opened as the server opens it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SCHEMA_VERSION } from '../../src/store/sqlite/migrations.js';
import { openSqlite } from '../../src/store/sqlite/open-sqlite.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const POST = 'https://blog.example/2024/03/hello/';
const CREATED = Date.UTC(2024, 2, 9, 14, 5, 7, 123);

test('a version 7 database gains vote counts (0 on every old comment) and the votes table, keeping its rows', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'backtalk-votes-'));
  const path = join(dir, 'backtalk.db');
  try {
    const old = openSqlite(path);
    old.exec(`DROP TABLE votes; DROP INDEX comments_thread_liked;
      ALTER TABLE comments DROP COLUMN likes; ALTER TABLE comments DROP COLUMN dislikes;
      INSERT INTO threads (id, target, created_at) VALUES (1, '${POST}', ${CREATED});
      INSERT INTO comments (thread_id, kind, status, author, body_html, body_raw, created_at) VALUES (1, 'comment', 'approved', 'Ann', '<p>old</p>', 'old', ${CREATED});`);
    old.pragma('user_version = 7');
    old.close();

    const store = openSqliteStore(path);
    try {
      const [comment] = await store.comments.listVisible(1);
      assert.equal(comment?.bodyRaw, 'old');
      assert.equal(comment?.likes, undefined, 'an old comment has no votes');
      const voted = await store.votes.cast({ commentId: comment!.id, voter: 'v', network: 'n', value: 1, perNetwork: 10, now: new Date(CREATED) });
      assert.deepEqual(voted, { kind: 'counted', likes: 1, dislikes: 0, target: POST });
      const page = await store.comments.listPage(1, { sort: 'liked', limit: 5, after: null });
      assert.deepEqual(page.items.map((c) => c.likes), [1]);
    } finally {
      await store.close();
    }
    const db = openSqlite(path);
    try {
      assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
      const indexes = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('comments', 'votes')`).all() as Array<{ name: string }>).map((r) => r.name);
      assert.ok(indexes.includes('comments_thread_liked') && indexes.includes('votes_network'));
    } finally {
      db.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
