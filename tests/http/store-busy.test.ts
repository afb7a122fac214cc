/**
 * Another process holding SQLite's write lock past busy_timeout (a big import, a backup) makes a
 * submission wait and then answer 503 with Retry-After in its door's own format — never a 500 —
 * and nothing half-stored; once the lock is gone the same submission goes through.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';

import { SITE, startTestServer, type TestServer } from '../helpers/test-server.js';

describe('database write lock held by another process', () => {
  let server: TestServer;
  let other: Database.Database;
  before(async () => {
    server = await startTestServer();
    other = new Database(server.dbPath);
    other.exec('BEGIN IMMEDIATE');
  });
  after(async () => {
    if (other.inTransaction) other.exec('ROLLBACK');
    other.close();
    await server.close();
  });

  test('comment (JSON), TrackBack and Pingback each answer "busy" in their own format', async () => {
    const target = `${SITE}/busy/post/`;
    const [comment, trackback, pingback] = await Promise.all([
      server.postJson('/comments', { target, body: 'waiting for the lock' }),
      server.request(`/trackback?target=${encodeURIComponent(`${SITE}/busy/tb/`)}`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ url: 'http://source.example/post' }).toString(),
      }),
      server.request('/xmlrpc', {
        method: 'POST', headers: { 'content-type': 'text/xml' },
        body: `<?xml version="1.0"?><methodCall><methodName>pingback.ping</methodName><params>` +
          `<param><value><string>http://source.example/p</string></value></param>` +
          `<param><value><string>${SITE}/busy/pb/</string></value></param></params></methodCall>`,
      }),
    ]);

    assert.equal(comment.status, 503);
    assert.equal(comment.headers.get('retry-after'), '5');
    assert.equal(((await comment.json()) as { error: { code: string } }).error.code, 'busy');

    assert.equal(trackback.status, 503);
    const tbBody = await trackback.text();
    assert.match(tbBody, /<error>1<\/error>\s*<message>The database is busy/);

    assert.equal(pingback.status, 200);
    const pbBody = await pingback.text();
    assert.match(pbBody, /<fault>/);
    assert.match(pbBody, /The database is busy/);
  });

  test('after the lock is released the same comment is stored, once', async () => {
    other.exec('ROLLBACK');
    const target = `${SITE}/busy/post/`;
    const res = await server.postJson('/comments', { target, body: 'waiting for the lock' });
    assert.equal(res.status, 201);
    const list = (await (await server.request(`/api/comments?target=${encodeURIComponent(target)}`)).json()) as { total: number };
    assert.equal(list.total, 1);
  });
});
