/**
 * Group commit seen from outside (issue 15.1, 15.2): a real Backtalk over HTTP whose SQLite store
 * syncs through a disk sync the test holds. While it is held, comments posted together are not
 * answered (the first batch is committed, the rest wait to share the next transaction); a repeated
 * comment among them is refused on its own (once the sync is done: a refusal rests on stored data
 * too); readers' GETs answer. Once the sync is let go, every comment is answered 201 and listed,
 * and the writes went in as few transactions. The same comment posted twice at once is stored once.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import type { Store } from '../../src/store/repository.js';
import { groupCommitStats, openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { HeldDiskSync } from '../helpers/held-disk-sync.js';
import { POST, startTestServer, type TestServer } from '../helpers/test-server.js';

const disk = new HeldDiskSync();
let server: TestServer;
let store: Store;

before(async () => {
  server = await startTestServer({}, {}, undefined, (dbPath) => (store = openSqliteStore(dbPath, { fileSync: disk.fileSync })));
});
after(async () => {
  disk.release('wal');
  await server.close();
});

const comment = (n: number) => ({ target: POST, author: `Reader ${n}`, email: `r${n}@example.com`, body: `Group commit comment number ${n}.` });

function storedBodies(): string[] {
  const db = new Database(server.dbPath, { readonly: true });
  try {
    return (db.prepare(`SELECT body_raw FROM comments WHERE kind = 'comment' ORDER BY id`).all() as { body_raw: string }[]).map((r) => r.body_raw);
  } finally {
    db.close();
  }
}

test('POSTs that arrive together are answered only after their sync; a duplicate among them fails alone; GETs answer meanwhile', { timeout: 60_000 }, async () => {
  // Stored and answered before the hold, so that posting it again is a duplicate.
  const earlier = await server.postJson('/comments', comment(0));
  assert.equal(earlier.status, 201);

  disk.hold('wal');
  const answered = new Set<number>();
  const posts = [1, 2, 3, 4, 5].map((n) => server.postJson('/comments', comment(n)).then((res) => {
    answered.add(n);
    return res;
  }));
  // Wait until the first of them is committed (its sync is the one held); the others wait behind it.
  while (storedBodies().length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise((resolve) => setTimeout(resolve, 50));
  // Refused as a repeat; the refusal, too, waits for the sync in flight (a repeat's original must be
  // on disk before anyone is told it exists: CommentRepository.hasSameBody).
  const duplicate = server.postJson('/comments', comment(0)).then((res) => {
    answered.add(0);
    return res;
  });
  const read = await server.request(`/api/comments?target=${encodeURIComponent(POST)}`);
  assert.equal(read.status, 200, 'a reader is answered while the sync is held');
  await read.arrayBuffer();
  assert.ok(disk.held('wal') >= 1, 'the sync is still held');
  assert.deepEqual([...answered], [], 'no POST is answered before the sync that covers it');

  disk.release('wal');
  const refused = await duplicate;
  assert.equal(refused.status, 409, 'the repeated comment is refused');
  assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'duplicate');
  const responses = await Promise.all(posts);
  assert.deepEqual(responses.map((r) => r.status), [201, 201, 201, 201, 201]);
  const ids = await Promise.all(responses.map(async (r) => ((await r.json()) as { id: number }).id));
  const listed = (await (await server.request(`/api/comments?target=${encodeURIComponent(POST)}`)).json()) as { comments: { id: number }[] };
  for (const id of ids) assert.ok(listed.comments.some((c) => c.id === id), `comment ${id} is listed`);
  assert.equal(storedBodies().filter((b) => b === comment(0).body).length, 1, 'the duplicate was not stored');
  assert.equal(storedBodies().length, 6);
  assert.ok(groupCommitStats(store)!.largestTransaction >= 2, `writes shared a transaction (${JSON.stringify(groupCommitStats(store))})`);
});

test('the same comment posted twice at once is stored once: the second is refused as a repeat, not written into the same batch', { timeout: 60_000 }, async () => {
  const twice = { target: POST, author: 'Double Click', email: 'double@example.com', body: 'Sent twice by one impatient click.' };
  const before = storedBodies().length;
  const [a, b] = await Promise.all([server.postJson('/comments', twice), server.postJson('/comments', twice)]);
  assert.deepEqual([a.status, b.status].sort(), [201, 409], 'one stored, one refused');
  const refused = a.status === 409 ? a : b;
  assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'duplicate');
  assert.equal(storedBodies().filter((body) => body === twice.body).length, 1, 'stored once');
  assert.equal(storedBodies().length, before + 1);

  // Different words from the same author at the same moment are two comments, as ever.
  const [c, d] = await Promise.all([
    server.postJson('/comments', { ...twice, body: 'First of two different ones.' }),
    server.postJson('/comments', { ...twice, body: 'Second of two different ones.' }),
  ]);
  assert.deepEqual([c.status, d.status], [201, 201]);
});
