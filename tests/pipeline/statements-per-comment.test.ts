/**
 * What a new comment costs the database, through the whole server (issue 15.3): the thread and the
 * duplicate check in one read, then the insert, which answers with the stored comment. No settings
 * read (the blocked words are held in memory), no select-back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openSqlite } from '../../src/store/sqlite/open-sqlite.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { recordStatements, type StatementLog } from '../helpers/statement-log.js';
import { POST, startTestServer, type TestServer } from '../helpers/test-server.js';

/** Background workers poll their own tables on a timer; only what the request itself runs counts. */
const WORKER_TABLES = /"(webmentions|send_posts|send_links|outbox|rate_limits)"/;

describe('statements per new comment', { skip: process.env.BACKTALK_TEST_POSTGRES ? 'counts SQLite statements' : false }, () => {
  let statements!: StatementLog;
  let server: TestServer;

  before(async () => {
    server = await startTestServer({}, {}, undefined, (path) => {
      const db = openSqlite(path);
      statements = recordStatements(db, WORKER_TABLES);
      return createSqliteStore(db);
    });
  });
  after(() => server.close());

  const post = (body: string, email = 'ann@example.org') =>
    server.postJson('/comments', { target: POST, author: 'Ann', email, body }, { accept: 'application/json' });

  test('a comment on an existing thread: one read, one insert', async () => {
    assert.equal((await post('The first comment makes the thread.')).status, 201);
    const res = await statements.during(() => post('A second, plain comment.'));
    const ran = statements.log;
    assert.equal(res.status, 201);
    assert.equal(ran.length, 2, `ran:\n${ran.join('\n')}`);
    assert.match(ran[0]!, /^select .* from "threads" as "t" where "t"\."target" = \?$/s);
    assert.match(ran[0]!, /exists \(select 1 as "one" from "comments"/);
    assert.match(ran[1]!, /^insert into "comments"/);
  });

  test('a repeat is refused after the same single read, before any rendering or insert', async () => {
    const res = await statements.during(() => post('A second, plain comment.'));
    assert.equal(res.status, 409);
    assert.equal(statements.log.length, 1, `ran:\n${statements.log.join('\n')}`);
  });
});
