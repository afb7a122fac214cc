/**
 * Schema step 6 → 7 (issue 16): comments and subscriptions learn the language they were written in,
 * so mails can be sent in it. An existing database keeps every row; old rows simply have none.
 * A real SQLite file brought back to version 6 by hand, then opened as the server opens it.
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
const CREATED = new Date(Date.UTC(2024, 2, 9, 14, 5, 7, 123));

test('a version 6 database gains comments.lang and subscriptions.lang, keeping its rows', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'backtalk-lang-'));
  const path = join(dir, 'backtalk.db');
  try {
    // Build the version 6 shape: today's schema without the two columns.
    const old = openSqlite(path);
    old.exec(`ALTER TABLE comments DROP COLUMN lang; ALTER TABLE subscriptions DROP COLUMN lang;
      INSERT INTO threads (id, target, created_at) VALUES (1, '${POST}', ${CREATED.getTime()});
      INSERT INTO comments (thread_id, kind, status, author, body_html, body_raw, created_at) VALUES (1, 'comment', 'approved', 'Ann', '<p>old</p>', 'old', ${CREATED.getTime()});
      INSERT INTO subscriptions (email, thread_id, confirmed, token_hash, created_at) VALUES ('ann@example.org', 1, 1, 'h', ${CREATED.getTime()});`);
    old.pragma('user_version = 6');
    old.close();

    const store = openSqliteStore(path);
    try {
      const [before] = await store.comments.listVisible(1);
      assert.equal(before?.bodyRaw, 'old');
      assert.equal(before?.lang, undefined, 'an old comment has no language');
      const [sub] = await store.subscriptions.listConfirmed(1);
      assert.equal(sub?.email, 'ann@example.org');
      assert.equal(sub?.lang, undefined);

      const inserted = await store.comments.insert({
        threadId: 1, parent: null, kind: 'comment', status: 'approved', author: 'Анна', email: '', url: '',
        bodyHtml: '<p>новый</p>', bodyRaw: 'новый', source: null, sourceKey: null, title: null, mentionType: null,
        authorPhoto: null, ip: '', userAgent: '', reasons: [], editTokenHash: null, created: CREATED, lang: 'ru',
      });
      assert.equal(inserted.kind, 'inserted');
      assert.equal((await store.comments.findById(inserted.comment.id))?.lang, 'ru');
      const { subscription } = await store.subscriptions.request('olena@example.org', 1, 'h2', CREATED, 'uk');
      assert.equal(subscription.lang, 'uk');
      // Asking again without a language keeps the one recorded.
      assert.equal((await store.subscriptions.request('olena@example.org', 1, 'h3', CREATED)).subscription.lang, 'uk');
    } finally {
      await store.close();
    }
    const db = openSqlite(path);
    try {
      assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    } finally {
      db.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
