/**
 * Schema step 9 → 10 (issue 17.3): comments learn `owner`, `pinned` and `edited_by`. An existing
 * database keeps every row (none is the owner's, none pinned, no editor recorded). A real SQLite file
 * brought back to version 9 by hand, then opened as the server opens it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openSqlite } from '../../src/store/sqlite/open-sqlite.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const POST = 'https://blog.example/2024/03/hello/';
const CREATED = Date.UTC(2024, 2, 9, 14, 5, 7, 123);

test('a version 9 database gains comments.owner, pinned and edited_by, keeping its rows', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'backtalk-owner-'));
  const path = join(dir, 'backtalk.db');
  try {
    const old = openSqlite(path);
    old.exec(`ALTER TABLE comments DROP COLUMN owner; ALTER TABLE comments DROP COLUMN pinned; ALTER TABLE comments DROP COLUMN edited_by;
      INSERT INTO threads (id, target, created_at) VALUES (1, '${POST}', ${CREATED});
      INSERT INTO comments (thread_id, kind, status, author, body_html, body_raw, created_at, edited_at) VALUES (1, 'comment', 'approved', 'Ann', '<p>old</p>', 'old', ${CREATED}, ${CREATED + 1000});`);
    old.pragma('user_version = 9');
    old.close();

    const store = openSqliteStore(path);
    try {
      const [before] = await store.comments.listVisible(1);
      assert.equal(before?.bodyRaw, 'old');
      assert.equal(before?.owner, false);
      assert.equal(before?.pinned, false);
      assert.equal(before?.editedBy, null, 'an old edit has no recorded editor');
      assert.equal((await store.comments.setPinned(before!.id, true))?.pinned, true);
    } finally {
      await store.close();
    }
    const db = openSqlite(path);
    try {
      const columns = (db.prepare(`SELECT name FROM pragma_table_info('comments')`).all() as Array<{ name: string }>).map((r) => r.name);
      for (const name of ['owner', 'pinned', 'edited_by']) assert.ok(columns.includes(name), `comments.${name} exists`);
    } finally {
      db.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
