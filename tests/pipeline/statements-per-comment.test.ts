/**
 * What a new comment costs the database, through the whole server (issue 15.3): the thread and the
 * duplicate check in one read, then the insert, which answers with the stored comment. No settings
 * read (the blocked words are held in memory), no select-back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openSqlite, type SqliteDatabase } from '../../src/store/sqlite/open-sqlite.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { POST, startTestServer, type TestServer } from '../helpers/test-server.js';

/** Background workers poll their own tables on a timer; only what the request itself runs counts. */
const WORKER_TABLES = /"(webmentions|send_posts|send_links|outbox|rate_limits)"/;
/** The write queue's transaction control (BEGIN, SAVEPOINT, RELEASE, COMMIT) is shared by a batch of writes. */
const TRANSACTION_CONTROL = /^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b/i;

describe('statements per new comment', { skip: process.env.BACKTALK_TEST_POSTGRES ? 'counts SQLite statements' : false }, () => {
  const ran: string[] = [];
  let recording = false;
  let server: TestServer;

  function recorded(db: SqliteDatabase): SqliteDatabase {
    const prepare = db.prepare.bind(db);
    db.prepare = ((source: string) => {
      const stmt = prepare(source);
      for (const method of ['get', 'all', 'run', 'iterate'] as const) {
        const original = stmt[method].bind(stmt) as (...args: unknown[]) => unknown;
        (stmt as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
          if (recording && !WORKER_TABLES.test(source) && !TRANSACTION_CONTROL.test(source)) ran.push(source);
          return original(...args);
        };
      }
      return stmt;
    }) as typeof db.prepare;
    return db;
  }

  before(async () => {
    server = await startTestServer({}, {}, undefined, (path) => createSqliteStore(recorded(openSqlite(path))));
  });
  after(() => server.close());

  const post = (body: string, email = 'ann@example.org') =>
    server.postJson('/comments', { target: POST, author: 'Ann', email, body }, { accept: 'application/json' });

  test('a comment on an existing thread: one read, one insert', async () => {
    assert.equal((await post('The first comment makes the thread.')).status, 201);
    ran.length = 0;
    recording = true;
    const res = await post('A second, plain comment.');
    recording = false;
    assert.equal(res.status, 201);
    assert.equal(ran.length, 2, `ran:\n${ran.join('\n')}`);
    assert.match(ran[0]!, /^select .* from "threads" as "t" where "t"\."target" = \?$/s);
    assert.match(ran[0]!, /exists \(select 1 as "one" from "comments"/);
    assert.match(ran[1]!, /^insert into "comments"/);
  });

  test('a repeat is refused after the same single read, before any rendering or insert', async () => {
    ran.length = 0;
    recording = true;
    const res = await post('A second, plain comment.');
    recording = false;
    assert.equal(res.status, 409);
    assert.equal(ran.length, 1, `ran:\n${ran.join('\n')}`);
  });
});
