/**
 * Issue 14, point 2: under BACKTALK_MODERATION=first-time a commenter is trusted only when both the
 * name and the e-mail address match an earlier approved comment (WordPress's rule). Reusing an
 * approved commenter's public name, or their e-mail address under another name, does not skip
 * moderation, and a comment without an e-mail address is never trusted on its name alone.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';

import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { listIds, moderate, postComment } from './http-support.js';

async function withApprovedAnn(t: TestContext): Promise<{ server: TestServer; annId: number }> {
  const server = await startTestServer({ BACKTALK_MODERATION: 'first-time' });
  t.after(() => server.close());
  const ann = await postComment(server, { body: 'Ann, first time here', author: 'Ann', email: 'ann@mail.example' });
  assert.equal(ann.status, 'pending', 'a first comment is held');
  assert.equal((await moderate(server, ann.id, 'approve')).status, 200);
  return { server, annId: ann.id };
}

describe('first-time trusts a person, not a public name', () => {
  it('publishes the same name with the same e-mail address (any case)', async (t) => {
    const { server, annId } = await withApprovedAnn(t);
    const again = await postComment(server, { body: 'Ann again', author: 'Ann', email: 'ANN@mail.example' });
    assert.equal(again.status, 'approved');
    assert.deepEqual(await listIds(server), [annId, again.id]);
  });

  it('holds the approved name with another e-mail address', async (t) => {
    const { server, annId } = await withApprovedAnn(t);
    const impostor = await postComment(server, { body: 'I am Ann, honest', author: 'Ann', email: 'mallory@mail.example' });
    assert.equal(impostor.status, 'pending');
    assert.deepEqual(await listIds(server), [annId]);
  });

  it('holds the approved e-mail address under another name', async (t) => {
    const { server, annId } = await withApprovedAnn(t);
    const other = await postComment(server, { body: 'Someone else with her address', author: 'Eve', email: 'ann@mail.example' });
    assert.equal(other.status, 'pending');
    assert.deepEqual(await listIds(server), [annId]);
  });

  it('holds the approved name without any e-mail address', async (t) => {
    const { server, annId } = await withApprovedAnn(t);
    const bare = await postComment(server, { body: 'Ann without an address', author: 'Ann' });
    assert.equal(bare.status, 'pending');
    assert.deepEqual(await listIds(server), [annId]);
  });

  it('never trusts a name alone, even one approved before without an address', async (t) => {
    const server = await startTestServer({ BACKTALK_MODERATION: 'first-time' });
    t.after(() => server.close());
    const first = await postComment(server, { body: 'no address', author: 'Zed' });
    assert.equal((await moderate(server, first.id, 'approve')).status, 200);
    const second = await postComment(server, { body: 'still no address', author: 'Zed' });
    assert.equal(second.status, 'pending');
    assert.deepEqual(await listIds(server), [first.id]);
  });
});
