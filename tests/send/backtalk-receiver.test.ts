/**
 * Backtalk sending to another Backtalk (a second test server on its own port) over all three
 * protocols, then updating and deleting the post: the receiver ends up with exactly what the post
 * says now. Pingback and TrackBack are sent once; Webmention carries the updates and the deletes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { linkTo, postPage, sendAndWait, startScriptedServer, startSender, trackbackRdf, type ScriptedServer } from './support.js';

interface Comment { type: string; source: string | null; deleted?: boolean }

describe('sending to Backtalk\'s own receiver', () => {
  let blog: ScriptedServer;
  let theirBlog: ScriptedServer;
  let receiver: TestServer;
  let sender: TestServer;
  let post: string;
  const t = (path: string) => theirBlog.url(path);

  async function mentions(target: string): Promise<Comment[]> {
    const res = await fetch(`${receiver.url}/api/comments?target=${encodeURIComponent(target)}`);
    assert.equal(res.status, 200);
    const { comments } = (await res.json()) as { comments: Comment[] };
    return comments.filter((c) => !c.deleted);
  }

  async function attempts(type: string): Promise<number> {
    const res = await receiver.admin('/api/admin/linkbacks?limit=500');
    const { attempts: list } = (await res.json()) as { attempts: Array<{ type: string; source: string }> };
    return list.filter((a) => a.type === type && a.source === post).length;
  }

  /** Sends for the post and lets the receiver verify what it was sent. */
  async function sendNow() {
    const status = await sendAndWait(sender, post);
    await receiver.deps.worker.drain();
    return status;
  }

  before(async () => {
    blog = await startScriptedServer();
    theirBlog = await startScriptedServer();
    receiver = await startTestServer({ BACKTALK_SITES: theirBlog.origin, BACKTALK_ALLOW_PRIVATE_FETCH: 'true' });
    sender = await startSender(blog.origin);
    // Their posts, each advertising one of the receiver's endpoints, as /discovery tells owners to.
    for (const path of ['/wm-1', '/wm-2', '/wm-3']) {
      theirBlog.page(path, `<!doctype html><html><head><link rel="webmention" href="${receiver.url}/webmention"><title>${path}</title></head><body>post</body></html>`);
    }
    theirBlog.page('/pb', '<!doctype html><html><head><title>pb</title></head><body>post</body></html>', { 'x-pingback': `${receiver.url}/xmlrpc` });
    theirBlog.page('/tb', `<!doctype html><html><head><title>tb</title></head><body>${trackbackRdf(t('/tb'), `${receiver.url}/trackback?target=${encodeURIComponent(t('/tb'))}`)}</body></html>`);
    post = blog.url('/2026/12/reply/');
  });
  after(async () => {
    await sender.close();
    await receiver.close();
    await blog.close();
    await theirBlog.close();
  });

  test('first send: a Webmention, a Pingback and a TrackBack arrive and are shown', async () => {
    blog.page('/2026/12/reply/', postPage(post, [t('/wm-1'), t('/wm-2'), t('/pb'), t('/tb')], { text: 'First version, linking' }));
    const status = await sendNow();
    assert.deepEqual(status.links.map((l) => [l.target, l.protocol, l.state]), [
      [t('/wm-1'), 'webmention', 'sent'], [t('/wm-2'), 'webmention', 'sent'], [t('/pb'), 'pingback', 'sent'], [t('/tb'), 'trackback', 'sent'],
    ]);
    assert.match(linkTo(status, t('/wm-1')).response, new RegExp(`^HTTP 201 ${receiver.url}/webmention/`), 'the receiver\'s status URL');
    assert.deepEqual((await mentions(t('/wm-1'))).map((c) => [c.type, c.source]), [['webmention', post]]);
    assert.deepEqual((await mentions(t('/wm-2'))).map((c) => [c.type, c.source]), [['webmention', post]]);
    assert.deepEqual((await mentions(t('/pb'))).map((c) => [c.type, c.source]), [['pingback', post]]);
    assert.deepEqual((await mentions(t('/tb'))).map((c) => [c.type, c.source]), [['trackback', post]]);
  });

  test('sending again unchanged sends nothing', async () => {
    const before = [await attempts('webmention'), await attempts('pingback'), await attempts('trackback')];
    await sendNow();
    assert.deepEqual([await attempts('webmention'), await attempts('pingback'), await attempts('trackback')], before);
  });

  test('update: a removed link\'s mention is withdrawn, a new link gets its first, Pingback and TrackBack are not repeated', async () => {
    const pingbacks = await attempts('pingback');
    const trackbacks = await attempts('trackback');
    const webmentions = await attempts('webmention');
    blog.page('/2026/12/reply/', postPage(post, [t('/wm-1'), t('/wm-3'), t('/pb'), t('/tb')], { text: 'Second version, now linking' }));
    const status = await sendNow();

    assert.equal((await mentions(t('/wm-2'))).length, 0, 'removed from the post: the receiver removed the mention');
    assert.deepEqual((await mentions(t('/wm-3'))).map((c) => c.source), [post], 'new link');
    assert.deepEqual((await mentions(t('/wm-1'))).map((c) => c.source), [post], 'still linked: one mention, updated in place');
    assert.equal(await attempts('webmention'), webmentions + 3, 'to wm-1 (changed post), wm-2 (removed), wm-3 (new)');
    assert.equal(await attempts('pingback'), pingbacks, 'Pingback once per link');
    assert.equal(await attempts('trackback'), trackbacks, 'TrackBack once per link');
    assert.equal((await mentions(t('/pb'))).length, 1);
    const removed = status.links.find((l) => l.target === t('/wm-2'));
    assert.equal(removed?.state, 'sent');
  });

  test('delete: the post answers 410 Gone and every earlier Webmention target removes its mention', async () => {
    blog.page('/2026/12/reply/', 'Gone', {}, 410);
    const webmentions = await attempts('webmention');
    await sendNow();
    assert.equal(await attempts('webmention'), webmentions + 3, 'every target that ever had a Webmention: wm-1, wm-2, wm-3');
    assert.equal((await mentions(t('/wm-1'))).length, 0);
    assert.equal((await mentions(t('/wm-3'))).length, 0);
    // Pingback and TrackBack have no delete: their entries stay for the receiver's owner to moderate.
    assert.equal((await mentions(t('/pb'))).length, 1);
    assert.equal((await mentions(t('/tb'))).length, 1);
  });
});
