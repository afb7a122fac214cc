/**
 * Issue 14.12: the public validators of a thread (the ETag and 304 of GET /api/comments and
 * /api/counts) change only when what readers see changes. A held comment must not be detectable
 * through them, and a thread that exists only because a held first comment created it answers every
 * reader exactly as a target nobody has commented on does.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';

import type { SiteTarget } from '../../src/domain/comment.js';
import { manualClock } from '../helpers/clock.js';
import { POST, startTestServer, type TestServer } from '../helpers/test-server.js';
import { adminFind, moderate, postComment } from './http-support.js';

const commentsPath = `/api/comments?target=${encodeURIComponent(POST)}`;
const countsPath = `/api/counts?target=${encodeURIComponent(POST)}`;
/** What every reader of a thread gets: the JSON API, the counts, the server-rendered thread, its feed. */
const READER_PATHS = [commentsPath, countsPath, `/thread?target=${encodeURIComponent(POST)}&fragment=1`, `/feed.atom?target=${encodeURIComponent(POST)}`];

async function start(t: TestContext): Promise<TestServer> {
  // A clock that stands still: the rendered thread's ETag includes the minute.
  const server = await startTestServer({ BACKTALK_MODERATION: 'all' }, { clock: manualClock() });
  t.after(() => server.close());
  return server;
}

interface Answer {
  status: number;
  etag: string | null;
  body: string;
}

async function read(server: TestServer, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await server.request(path, { headers });
  return { status: res.status, etag: res.headers.get('etag'), body: await res.text() };
}

async function readAll(server: TestServer): Promise<Answer[]> {
  return Promise.all(READER_PATHS.map((path) => read(server, path)));
}

/** Asserts a reader holding `etag` is told nothing changed: 304, no body, the same ETag. */
async function assertNotModified(server: TestServer, path: string, etag: string): Promise<void> {
  const res = await read(server, path, { 'if-none-match': etag });
  assert.equal(res.status, 304, `${path}: expected 304, got ${res.status}`);
  assert.equal(res.body, '');
  assert.equal(res.etag, etag);
}

async function assertChanged(server: TestServer, path: string, etag: string): Promise<Answer> {
  const res = await read(server, path, { 'if-none-match': etag });
  assert.equal(res.status, 200, `${path}: the old ETag still matched`);
  assert.ok(res.etag);
  assert.notEqual(res.etag, etag);
  return res;
}

async function heldComment(server: TestServer, fields: Record<string, unknown>): Promise<number> {
  const c = await postComment(server, { author: 'Mallory', email: 'm@mail.example', ...fields });
  assert.equal(c.status, 'pending');
  assert.equal((await adminFind(server, c.id))?.status, 'pending', 'the held comment is stored');
  return c.id;
}

describe('ETags leak nothing of the moderation queue', () => {
  it('a held comment changes neither the ETag nor the 304 of /api/comments and /api/counts; approving it changes both', async (t) => {
    const server = await start(t);
    const first = await heldComment(server, { body: 'already public' });
    assert.equal((await moderate(server, first, 'approve')).status, 200);
    const comments = await read(server, commentsPath);
    const counts = await read(server, countsPath);
    assert.match(comments.body, /already public/);
    assert.deepEqual(JSON.parse(counts.body), { [POST]: 1 });

    const held = await heldComment(server, { body: 'waiting in the queue' });
    const spammed = await heldComment(server, { body: 'marked as spam' });
    assert.equal((await moderate(server, spammed, 'spam')).status, 200);
    const trashed = await heldComment(server, { body: 'thrown away' });
    assert.equal((await moderate(server, trashed, 'trash')).status, 200);
    for (const [path, before] of [[commentsPath, comments], [countsPath, counts]] as const) {
      await assertNotModified(server, path, before.etag!);
      assert.deepEqual(await read(server, path), before, `${path}: the same answer as before the held comments`);
    }

    assert.equal((await moderate(server, held, 'approve')).status, 200);
    const after = await assertChanged(server, commentsPath, comments.etag!);
    assert.match(after.body, /waiting in the queue/);
    const afterCounts = await assertChanged(server, countsPath, counts.etag!);
    assert.deepEqual(JSON.parse(afterCounts.body), { [POST]: 2 });
  });

  it('a thread that only a held first comment created answers every reader exactly like an unknown thread', async (t) => {
    const server = await start(t);
    const unknown = await readAll(server);
    assert.deepEqual(unknown.map((a) => a.status), [200, 200, 200, 200]);

    // The form may name the post: that title must not show either while nothing is public.
    const held = await heldComment(server, { body: 'first, and held', title: 'A post with a title' });
    const withHeld = await readAll(server);
    for (const [i, path] of READER_PATHS.entries()) {
      assert.deepEqual(withHeld[i], unknown[i], `${path}: answers differently once a held comment made the thread`);
    }
    for (const [i, path] of READER_PATHS.slice(0, 2).entries()) await assertNotModified(server, path, unknown[i]!.etag!);
    const pingbacks = await server.request('/xmlrpc', {
      method: 'POST', headers: { 'content-type': 'text/xml' },
      body: `<?xml version="1.0"?><methodCall><methodName>pingback.extensions.getPingbacks</methodName><params><param><value><string>${POST}</string></value></param></params></methodCall>`,
    });
    assert.match(await pingbacks.text(), /<name>faultCode<\/name>\s*<value><int>32<\/int><\/value>/, 'getPingbacks: the target does not exist');

    // By id (the TrackBack URL's form), its listing answers like an id that does not exist.
    const id = (await server.deps.store.threads.findByTarget(POST as SiteTarget))!.id;
    const rss = (n: number) => read(server, `/trackback/${n}?__mode=rss`);
    const [byId, noSuchId] = [await rss(id), await rss(id + 1000)];
    assert.equal(byId.status, noSuchId.status);
    assert.equal(byId.body.replace(`&apos;${id}&apos;`, 'N'), noSuchId.body.replace(`&apos;${id + 1000}&apos;`, 'N'));
    assert.doesNotMatch(byId.body, /hello/, 'the post is not named');

    assert.equal((await moderate(server, held, 'approve')).status, 200);
    const listed = await rss(id);
    assert.equal(listed.status, 200);
    assert.match(listed.body, /<rss/, 'once a comment is public, the listing answers');
    const approved = await assertChanged(server, commentsPath, unknown[0]!.etag!);
    assert.match(approved.body, /first, and held/);
    await assertChanged(server, countsPath, unknown[1]!.etag!);
  });
});
