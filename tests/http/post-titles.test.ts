/**
 * Issue 16.5: a thread learns its post's title from the widget or the no-JS form (first title wins),
 * or, when neither sent one, from one background fetch of the post page; the title shows in
 * GET /api/comments, the discovery block, the thread's Atom feed and the WXR export.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';

import { exportWxr } from '../../src/export/wxr-export.js';
import { startSourceServer, type SourceServer } from '../helpers/source-server.js';
import { OWNER, startWithMail } from '../notify/support.js';
import { POST, SITE, startTestServer, type TestServer } from '../helpers/test-server.js';

async function start(t: TestContext, env: Record<string, string> = {}): Promise<TestServer> {
  const server = await startTestServer(env);
  t.after(() => server.close());
  return server;
}

async function titleOf(server: TestServer, target = POST): Promise<unknown> {
  const res = await server.request(`/api/comments?target=${encodeURIComponent(target)}`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { title: unknown }).title;
}

describe('post titles from the widget and the form', () => {
  it('GET /api/comments carries null until a title is known, then the first title sent, as plain text', async (t) => {
    const server = await start(t);
    assert.equal(await titleOf(server), null, 'unknown thread');
    let res = await server.postJson('/comments', { target: POST, body: 'First', author: 'Ann' });
    assert.equal(res.status, 201);
    assert.equal(await titleOf(server), null, 'a comment without a title leaves it unknown (blog.example is never fetched)');

    res = await server.postJson('/comments', { target: POST, body: 'Second', author: 'Bob', title: '  <b>Ёжик</b>\n в   тумане — Блог ' });
    assert.equal(res.status, 201);
    assert.equal(await titleOf(server), 'Ёжик в тумане — Блог', 'tags stripped, whitespace collapsed, trimmed');

    res = await server.postJson('/comments', { target: POST, body: 'Third', author: 'Eve', title: 'Hijacked title' });
    assert.equal(res.status, 201);
    assert.equal(await titleOf(server), 'Ёжик в тумане — Блог', 'a known title is never overwritten by a reader');
  });

  it('limits the length of a title', async (t) => {
    const server = await start(t);
    await server.postJson('/comments', { target: POST, body: 'Hi', author: 'Ann', title: 'я'.repeat(1000) });
    const title = (await titleOf(server)) as string;
    assert.ok([...title].length <= 250, `title is ${[...title].length} code points`);
    assert.ok(title.startsWith('яяя'));
  });

  it('the no-JS form carries /thread?title= as a hidden field and the posted form stores it', async (t) => {
    const server = await start(t);
    const page = await (await server.request(`/thread?target=${encodeURIComponent(POST)}&title=${encodeURIComponent('A "quoted" <post>')}`)).text();
    assert.match(page, /<input type="hidden" name="title" value="A &quot;quoted&quot;">/, 'the tag-like part is stripped, the quotes escaped');
    const plain = await (await server.request(`/thread?target=${encodeURIComponent(POST)}`)).text();
    assert.doesNotMatch(plain, /name="title"/, 'no title asked, none sent');

    const res = await server.postForm('/comments', { target: POST, body: 'Hello without JS', author: 'Ann', title: 'A "quoted"' });
    assert.equal(res.status, 303);
    assert.equal(await titleOf(server), 'A "quoted"');
  });

  it('the title reaches the discovery block, the thread feed and the WXR export', async (t) => {
    const server = await start(t);
    await server.postJson('/comments', { target: POST, body: 'Nice post', author: 'Ann', title: 'Ёжик в тумане & friends' });

    const discovery = await (await server.request(`/discovery?target=${encodeURIComponent(POST)}`)).text();
    assert.match(discovery, /dc:title="Ёжик в тумане &amp; friends"/);

    const feed = await (await server.request(`/feed.atom?target=${encodeURIComponent(POST)}`)).text();
    assert.match(feed, /<title>Comments on Ёжик в тумане &amp; friends<\/title>/);
    assert.match(feed, /Ann on Ёжик в тумане/, 'entries name the post by its title');
    const siteFeed = await (await server.request('/feed.atom')).text();
    assert.match(siteFeed, /Ann on Ёжик в тумане/, 'the site-wide feed names the post by its title too');

    const dir = mkdtempSync(join(tmpdir(), 'backtalk-titles-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'export.wxr');
    await exportWxr(server.deps.store, file, { site: SITE, timeZone: 'UTC' });
    assert.match(readFileSync(file, 'utf8'), /<title><!\[CDATA\[Ёжик в тумане & friends\]\]><\/title>/);
  });
});

describe('post titles on the admin side', () => {
  it('the admin thread list carries the title and finds a thread by it', async (t) => {
    const server = await start(t);
    const other = `${SITE}/2026/12/untitled/`;
    await server.postJson('/comments', { target: POST, body: 'Hi', author: 'Ann', title: 'Ёжик в тумане' });
    await server.postJson('/comments', { target: other, body: 'Hi', author: 'Bob' });
    const all = (await (await server.admin('/api/admin/threads')).json()) as { threads: Array<{ target: string; title: string | null }> };
    assert.deepEqual(all.threads.map((th) => [th.target, th.title]).sort(), [[POST, 'Ёжик в тумане'], [other, null]].sort());
    const found = (await (await server.admin(`/api/admin/threads?q=${encodeURIComponent('тумане')}`)).json()) as { threads: Array<{ target: string }> };
    assert.deepEqual(found.threads.map((th) => th.target), [POST], 'searched by title');
  });
});

describe('post titles and moderation', () => {
  it('a held comment cannot name the post (first title wins, so strangers and spam may not set it)', async (t) => {
    const server = await start(t, { BACKTALK_MODERATION: 'all' });
    const res = await server.postJson('/comments', { target: POST, body: 'Buy now', author: 'Mallory', title: 'Cheap pills' });
    assert.equal(res.status, 201);
    assert.equal(((await res.json()) as { status: string }).status, 'pending');
    assert.equal(await titleOf(server), null);
  });

  it('the owner mail names the post by its title in the subject and the text', async (t) => {
    const setup = await startWithMail();
    t.after(() => setup.close());
    const res = await setup.app.postJson('/comments', { target: POST, body: 'Lovely', author: 'Ann', title: 'Ёжик в тумане' });
    assert.equal(res.status, 201);
    await setup.flush();
    const mail = setup.smtp.to(OWNER).at(-1);
    assert.ok(mail, 'the owner got a mail');
    assert.match(mail.subject, /New comment by Ann on Ёжик в тумане$/);
    assert.ok(mail.text.includes(`Ёжик в тумане (${POST})`), mail.text);
  });
});

describe('post titles fetched from the post page', () => {
  async function blog(t: TestContext): Promise<{ site: SourceServer; server: TestServer }> {
    const site = await startSourceServer();
    t.after(() => site.close());
    const server = await start(t, { BACKTALK_SITES: site.origin, BACKTALK_ALLOW_PRIVATE_FETCH: 'true' });
    return { site, server };
  }

  it('fetches the page once, after the first stored comment, and prefers og:title to <title>', async (t) => {
    const { site, server } = await blog(t);
    const post = site.url('/2026/ru/ezhik/');
    site.set('/2026/ru/ezhik/', {
      contentType: 'text/html; charset=utf-8',
      body: '<!doctype html><html><head><title>Ёжик в тумане | Блог</title><meta property="og:title" content="Ёжик в тумане"></head><body>post</body></html>',
    });
    const res = await server.postJson('/comments', { target: post, body: 'First', author: 'Ann' });
    assert.equal(res.status, 201);
    await server.deps.titles.drain();
    assert.equal(await titleOf(server, post), 'Ёжик в тумане');
    assert.equal(site.hits('/2026/ru/ezhik/'), 1);

    await server.postJson('/comments', { target: post, body: 'Second', author: 'Bob' });
    await server.deps.titles.drain();
    assert.equal(site.hits('/2026/ru/ezhik/'), 1, 'a thread with a title fetches nothing more');
  });

  it('uses <title> when there is no og:title, and fetches a titleless page only once', async (t) => {
    const { site, server } = await blog(t);
    const titled = site.url('/titled/');
    site.set('/titled/', { contentType: 'text/html', body: '<html><head><title> Plain &amp; simple </title></head><svg><title>icon</title></svg></html>' });
    await server.postJson('/comments', { target: titled, body: 'Hi', author: 'Ann' });
    await server.deps.titles.drain();
    assert.equal(await titleOf(server, titled), 'Plain & simple');

    const bare = site.url('/bare/');
    site.set('/bare/', { contentType: 'text/html', body: '<html><body>no title</body></html>' });
    await server.postJson('/comments', { target: bare, body: 'One', author: 'Ann' });
    await server.postJson('/comments', { target: bare, body: 'Two', author: 'Bob' });
    await server.deps.titles.drain();
    assert.equal(await titleOf(server, bare), null);
    assert.equal(site.hits('/bare/'), 1, 'one fetch per thread');
  });

  it('a title sent by the widget means no fetch at all', async (t) => {
    const { site, server } = await blog(t);
    const post = site.url('/sent/');
    site.set('/sent/', { contentType: 'text/html', body: '<title>From the page</title>' });
    await server.postJson('/comments', { target: post, body: 'Hi', author: 'Ann', title: 'From the widget' });
    await server.deps.titles.drain();
    assert.equal(await titleOf(server, post), 'From the widget');
    assert.equal(site.hits('/sent/'), 0);
  });

  it('a first linkback also makes the thread learn its title', async (t) => {
    const { site, server } = await blog(t);
    const post = site.url('/pinged/');
    site.set('/pinged/', { contentType: 'text/html', body: '<title>Pinged post</title>' });
    const source = await startSourceServer();
    t.after(() => source.close());
    source.set('/mention', { contentType: 'text/html', body: `<html><body><p>See <a href="${post}">this post</a>.</p></body></html>` });
    const res = await server.postForm(`/trackback?target=${encodeURIComponent(post)}`, { url: source.url('/mention'), title: 'A mention', excerpt: 'see' }, {});
    const xml = await res.text();
    assert.match(xml, /<error>0<\/error>/, xml);
    await server.deps.titles.drain();
    assert.equal(await titleOf(server, post), 'Pinged post');
  });
});
