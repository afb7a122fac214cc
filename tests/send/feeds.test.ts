/**
 * The feed watcher on real feed files served locally (Atom and RSS): the first poll queues every
 * entry, a conditional GET answered 304 queues nothing, an updated entry is queued again, and the
 * sends go out through the same queue.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestServer } from '../helpers/test-server.js';
import { postPage, startScriptedServer, startSender, webmentionEndpoint, type Arrived, type ScriptedServer } from './support.js';

function atom(blog: ScriptedServer, entries: Array<{ path: string; updated: string; title: string }>): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>My blog</title>` +
    `<link href="${blog.url('/')}"/><updated>2026-12-07T10:00:00Z</updated><id>${blog.url('/')}</id>` +
    entries.map((e) => `<entry><title>${e.title}</title><link rel="alternate" href="${e.path}"/><id>${blog.url(e.path)}</id>` +
      `<updated>${e.updated}</updated><content type="html">&lt;p&gt;${e.title}&lt;/p&gt;</content></entry>`).join('') + '</feed>';
}

function rss(blog: ScriptedServer, items: Array<{ path: string; date: string; title: string }>): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>My blog</title><link>${blog.url('/')}</link><description>d</description>` +
    items.map((i) => `<item><title>${i.title}</title><link>${blog.url(i.path)}</link><guid>${blog.url(i.path)}</guid><pubDate>${i.date}</pubDate>` +
      `<description>${i.title}</description></item>`).join('') + '</channel></rss>';
}

/** Serves `body()` with an ETag; answers 304 to a matching If-None-Match, as a static file server does. */
function serveFeed(blog: ScriptedServer, path: string, type: string, body: () => string): void {
  blog.on(path, (req: Arrived) => {
    const text = body();
    const etag = `"${text.length}-${Buffer.from(text).reduce((a, b) => (a * 31 + b) >>> 0, 7)}"`;
    if (req.headers['if-none-match'] === etag) return { status: 304, headers: { etag } };
    return { headers: { 'content-type': type, etag }, body: text };
  });
}

describe('feed watcher', () => {
  let blog: ScriptedServer;
  let other: ScriptedServer;
  let sender: TestServer;
  const atomEntries = [
    { path: '/posts/one/', updated: '2026-12-01T10:00:00Z', title: 'One' },
    { path: '/posts/two/', updated: '2026-12-02T10:00:00Z', title: 'Two' },
  ];
  const rssItems = [{ path: '/notes/1/', date: 'Mon, 07 Dec 2026 09:00:00 GMT', title: 'Note' }];

  before(async () => {
    blog = await startScriptedServer();
    other = await startScriptedServer();
    other.page('/target', '<!doctype html><html><head><link rel="webmention" href="/wm"><title>t</title></head><body></body></html>');
    webmentionEndpoint(other, '/wm');
    for (const p of ['/posts/one/', '/posts/two/', '/notes/1/']) blog.page(p, postPage(blog.url(p), [other.url('/target')]));
    serveFeed(blog, '/feed.atom', 'application/atom+xml', () => atom(blog, atomEntries));
    serveFeed(blog, '/feed.rss', 'application/rss+xml', () => rss(blog, rssItems));
    sender = await startSender(blog.origin, { BACKTALK_FEEDS: `${blog.url('/feed.atom')},${blog.url('/feed.rss')}`, BACKTALK_FEED_INTERVAL: '60' });
  });
  after(async () => {
    await sender.close();
    await blog.close();
    await other.close();
  });

  const sources = () => other.to('/wm').map((a) => new URLSearchParams(a.body).get('source'));

  test('first poll: every entry of the Atom and the RSS feed is queued and sent', async () => {
    const polls = await sender.deps.feedWatcher.pollOnce();
    assert.deepEqual(polls.map((p) => [p.result, p.queued]), [
      ['polled', [blog.url('/posts/one/'), blog.url('/posts/two/')]],
      ['polled', [blog.url('/notes/1/')]],
    ]);
    await sender.deps.sends.drain();
    assert.deepEqual(sources().sort(), [blog.url('/notes/1/'), blog.url('/posts/one/'), blog.url('/posts/two/')]);
  });

  test('second poll: conditional GET, 304, nothing queued', async () => {
    const polls = await sender.deps.feedWatcher.pollOnce();
    assert.deepEqual(polls.map((p) => p.result), ['unchanged', 'unchanged']);
    const lastAtom = blog.arrived.filter((a) => a.path === '/feed.atom').at(-1)!;
    assert.ok(lastAtom.headers['if-none-match'], 'sent If-None-Match');
    await sender.deps.sends.drain();
    assert.equal(sources().length, 3);
  });

  test('an updated entry is queued again; the unchanged one is not', async () => {
    atomEntries[1] = { path: '/posts/two/', updated: '2026-12-07T11:00:00Z', title: 'Two (updated)' };
    blog.page('/posts/two/', postPage(blog.url('/posts/two/'), [other.url('/target')], { text: 'Rewritten, still linking' }));
    const polls = await sender.deps.feedWatcher.pollOnce();
    assert.deepEqual(polls.map((p) => [p.result, p.queued]), [['polled', [blog.url('/posts/two/')]], ['unchanged', []]]);
    await sender.deps.sends.drain();
    assert.deepEqual(sources().slice(3), [blog.url('/posts/two/')], 'the changed post re-sends its Webmention');
  });
});
