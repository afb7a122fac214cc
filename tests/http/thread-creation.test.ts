/**
 * Issue 14, point 8 (first sentence): a thread is created only when something is stored in it. A
 * refused comment or linkback, through any door, leaves no thread behind.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { useLinkbackServer } from '../helpers/fixtures.js';
import { POST, SITE, type TestServer } from '../helpers/test-server.js';
import { postRaw, sendWebmention } from '../webmention/support.js';
import { postComment } from './http-support.js';

const { server, source } = useLinkbackServer({ BACKTALK_ALLOW_PRIVATE_FETCH: 'true' });

async function threadTargets(s: TestServer): Promise<string[]> {
  const res = await s.admin('/api/admin/threads?limit=500');
  assert.equal(res.status, 200);
  return ((await res.json()) as { threads: Array<{ target: string }> }).threads.map((t) => t.target);
}

/** A page on the source server that does not link anywhere. */
function unlinkedSource(path: string): string {
  source.set(path, { body: '<!doctype html><html><head><title>Nothing</title></head><body><p>No links here.</p></body></html>' });
  return source.url(path);
}

const pingbackCall = (src: string, target: string) =>
  `<?xml version="1.0"?><methodCall><methodName>pingback.ping</methodName><params>` +
  `<param><value><string>${src}</string></value></param><param><value><string>${target}</string></value></param></params></methodCall>`;

describe('refusals leave no thread behind', () => {
  it('a comment refused for its body', async () => {
    const target = `${SITE}/refused/comment-body`;
    const res = await server.postJson('/comments', { target, body: '   ' });
    assert.equal(res.status, 400);
    await res.arrayBuffer();
    assert.ok(!(await threadTargets(server)).includes(target));
  });

  it('a comment replying to a comment that is not there', async () => {
    const target = `${SITE}/refused/comment-parent`;
    const res = await server.postJson('/comments', { target, body: 'a reply to nothing', parent: 999999 });
    assert.equal(res.status, 400);
    await res.arrayBuffer();
    assert.ok(!(await threadTargets(server)).includes(target));
  });

  it('a TrackBack whose source does not link to the post', async () => {
    const target = `${SITE}/refused/trackback`;
    const res = await postRaw(server, `/trackback?target=${encodeURIComponent(target)}`,
      new URLSearchParams({ url: unlinkedSource('/tb-unlinked'), title: 'T' }).toString(), 'application/x-www-form-urlencoded');
    assert.match(await res.text(), /<error>1<\/error>/);
    assert.ok(!(await threadTargets(server)).includes(target));
  });

  it('a Pingback whose source does not link to the post', async () => {
    const target = `${SITE}/refused/pingback`;
    const res = await postRaw(server, '/xmlrpc', pingbackCall(unlinkedSource('/pb-unlinked'), target), 'text/xml');
    assert.match(await res.text(), /<name>faultCode<\/name>\s*<value><int>17<\/int>/);
    assert.ok(!(await threadTargets(server)).includes(target));
  });

  it('a Webmention rejected after verification', async () => {
    const target = `${SITE}/refused/webmention`;
    const res = await sendWebmention(server, unlinkedSource('/wm-unlinked'), target);
    assert.equal(res.status, 201);
    await res.arrayBuffer();
    await server.deps.worker.drain();
    assert.ok(!(await threadTargets(server)).includes(target));
  });
});

describe('storing creates the thread', () => {
  it('the first stored comment creates its thread', async () => {
    const target = `${SITE}/stored/first-comment`;
    assert.ok(!(await threadTargets(server)).includes(target));
    await postComment(server, { target, body: 'the first word' });
    assert.ok((await threadTargets(server)).includes(target));
    assert.notEqual(target, POST);
  });
});
