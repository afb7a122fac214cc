/**
 * The blocked-words list edited at runtime: BACKTALK_BLOCKED_WORDS until the owner saves a list, then
 * the saved one, applied to the very next comment without a restart (and surviving one).
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';

import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { adminFind, assertErrorShape, postComment, reasonText, type AdminComment } from './http-support.js';

async function start(t: TestContext, env: Record<string, string> = {}): Promise<TestServer> {
  const server = await startTestServer(env);
  t.after(() => server.close());
  return server;
}

const get = async (server: TestServer) => {
  const res = await server.admin('/api/admin/settings/blocked-words');
  assert.equal(res.status, 200);
  return (await res.json()) as { words: string[]; source: string };
};
const put = (server: TestServer, body: unknown) =>
  server.admin('/api/admin/settings/blocked-words', { method: 'PUT', body: JSON.stringify(body) });

/** The stored status (the public answer says `pending` for spam, so the sender learns nothing). */
async function statusOf(server: TestServer, fields: Record<string, unknown>): Promise<string | undefined> {
  const c = await postComment(server, fields);
  return (await adminFind(server, c.id))?.status;
}

describe('blocked words at runtime', () => {
  it('starts from BACKTALK_BLOCKED_WORDS, and a saved list takes effect for the next comment', async (t) => {
    const server = await start(t, { BACKTALK_BLOCKED_WORDS: 'Viagra, casino' });
    assert.deepEqual(await get(server), { words: ['viagra', 'casino'], source: 'config' });
    assert.equal(await statusOf(server, { body: 'cheap viagra' }), 'spam');
    assert.equal(await statusOf(server, { body: 'crypto giveaway' }), 'approved');

    const res = await put(server, { words: ['  Crypto Giveaway ', 'crypto giveaway', '', 'loan'] });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { words: ['crypto giveaway', 'loan'], source: 'settings' });
    assert.deepEqual(await get(server), { words: ['crypto giveaway', 'loan'], source: 'settings' });

    const flagged = await postComment(server, { body: 'Big CRYPTO giveaway here' });
    assert.equal((await adminFind(server, flagged.id))?.status, 'spam', 'the saved list applies without a restart');
    assert.equal(await statusOf(server, { body: 'cheap viagra again' }), 'approved', 'the saved list replaces the env list');
    assert.equal(await statusOf(server, { body: 'hi', author: 'Loan Shark' }), 'spam', 'author names are checked too');

    const spam = (await (await server.admin('/api/admin/comments?status=spam')).json()) as { comments: AdminComment[] };
    const stored = spam.comments.find((c) => c.id === flagged.id);
    assert.ok(stored);
    assert.match(reasonText(stored), /blocked-word:crypto giveaway/);

    assert.equal((await put(server, { words: [] })).status, 200);
    assert.deepEqual(await get(server), { words: [], source: 'settings' }, 'an empty saved list is a list, not "unset"');
    assert.equal(await statusOf(server, { body: 'Crypto giveaway, viagra, loan' }), 'approved');
  });

  it('stores the saved list in the settings table, where every process reads it', async (t) => {
    const first = await startTestServer({ BACKTALK_BLOCKED_WORDS: 'alpha' });
    let closed = false;
    t.after(() => (closed ? undefined : first.close()));
    assert.equal((await put(first, { words: ['beta'] })).status, 200);
    // No in-process cache: another process on the same file (a second server, the CLI) reads the same row.
    const { openSqliteStore } = await import('../../src/store/sqlite/sqlite-store.js');
    const store = openSqliteStore(first.dbPath);
    try {
      assert.equal(await store.settings.get('blocked_words'), '["beta"]');
    } finally {
      await store.close();
    }
    await first.close();
    closed = true;
  });

  it('refuses what is not a list of strings, or too long, and keeps the old list', async (t) => {
    const server = await start(t);
    assert.equal((await put(server, { words: ['keep'] })).status, 200);
    await assertErrorShape(await put(server, { words: 'keep,other' }), 400, 'words');
    await assertErrorShape(await put(server, { words: ['ok', 3] }), 400, 'words');
    await assertErrorShape(await put(server, {}), 400, 'words');
    await assertErrorShape(await put(server, { words: ['x'.repeat(201)] }), 400, 'words');
    await assertErrorShape(await put(server, { words: Array.from({ length: 2001 }, (_, i) => `w${i}`) }), 400, 'words');
    assert.deepEqual(await get(server), { words: ['keep'], source: 'settings' });
  });
});
