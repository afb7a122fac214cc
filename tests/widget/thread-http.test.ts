/**
 * The server side of the widget over real HTTP: the no-JavaScript thread page and fragment, the
 * preview API, the widget files, CORS for the blogs, the demo blog, and the Gravatar switch.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { POST, SITE, startTestServer, type TestServer } from '../helpers/test-server.js';
import { startSourceServer, type SourceServer } from '../trackback/support.js';
import { manualClock } from '../helpers/clock.js';
// @ts-expect-error: a plain .mjs build script without type declarations
import { ensureWidgetBuilt } from '../../scripts/build-widget.mjs';

const enc = encodeURIComponent;

async function post(s: TestServer, fields: Record<string, unknown>): Promise<{ id: number }> {
  const res = await s.postJson('/comments', { target: POST, ...fields });
  assert.equal(res.status, 201);
  return (await res.json()) as { id: number };
}

describe('GET /thread', () => {
  let s: TestServer;
  let source: SourceServer;
  before(async () => {
    await ensureWidgetBuilt();
    source = await startSourceServer();
    s = await startTestServer({ BACKTALK_ALLOW_PRIVATE_FETCH: 'true' });
    const a = await post(s, { author: 'Ann <3 & "co"', email: 'ann@example.org', url: 'https://ann.example/', body: 'First *one* <img src=x onerror=alert(1)>' });
    const b = await post(s, { author: 'Bob', body: 'level 2', parent: a.id });
    const c = await post(s, { author: 'Cy', body: 'level 3', parent: b.id });
    const d = await post(s, { author: 'Di', body: 'level 4 goes flat', parent: c.id });
    await post(s, { author: 'Ed', body: 'level 5 goes flat', parent: d.id });
    source.set('/linking', { body: `<html><head><title>x</title></head><body><a href="${POST}">a post</a></body></html>` });
    const tb = await s.postForm(`/trackback?target=${enc(POST)}`, {
      url: source.url('/linking'), title: 'Their <script>alert(1)</script> title', excerpt: 'An excerpt "quoted"', blog_name: 'Other Blog',
    });
    assert.match(await tb.text(), /<error>0<\/error>/);
  });
  after(async () => {
    await s.close();
    await source.close();
  });

  test('is a complete page with a strict CSP, the form, and everything escaped', async () => {
    const res = await s.request(`/thread?target=${enc(POST)}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(csp, new RegExp(`form-action [^;]*${SITE.replace(/\./g, '\\.')}`), 'the 303 back to the blog is allowed');
    const page = await res.text();
    assert.match(page, /^<!doctype html>/);
    assert.match(page, /<link rel="stylesheet" href="http:\/\/127\.0\.0\.1:\d+\/widget\/backtalk\.css">/);
    assert.doesNotMatch(page, /<script|onerror|style=/i, 'no script, no inline style, no handler survives');
    assert.match(page, />Ann &lt;3 &amp; &quot;co&quot;<\/bdi><\/a>/, 'the author name is text');
    assert.doesNotMatch(page, /ann@example\.org/, 'the e-mail address is never shown');
    assert.match(page, /<a class="bt-author" href="https:\/\/ann\.example\/" rel="nofollow ugc noopener">/);
    assert.match(page, /<form class="bt-form" id="bt-form" method="post" action="http:\/\/127\.0\.0\.1:\d+\/comments"/);
    for (const name of ['target', 'parent', 'body', 'author', 'email', 'url', 'website2']) assert.match(page, new RegExp(`name="${name}"`));
    assert.match(page, /<input type="checkbox" name="subscribe" value="1">/);
    assert.match(page, /<p class="bt-hp" aria-hidden="true"><label for="bt-website2">/);
    assert.match(page, /<label for="bt-body">Comment<\/label>/);
    assert.match(page, /role="status" aria-live="polite"/);
    assert.match(page, /<h2 class="bt-title" id="bt-title">5 comments<\/h2>/);
  });

  test('nests replies three levels deep, then continues flat with a pointer to the parent', async () => {
    const page = await (await s.request(`/thread?fragment=1&target=${enc(POST)}`)).text();
    // Three <ol class="bt-replies"> would mean four levels; two lists below the top list make three.
    assert.equal(page.match(/<ol class="bt-replies">/g)?.length, 2);
    const level3 = page.slice(page.indexOf('id="comment-3"'));
    assert.match(level3, /id="comment-4"[\s\S]*↪ <bdi>Cy<\/bdi>[\s\S]*id="comment-5"[\s\S]*↪ <bdi>Di<\/bdi>/);
  });

  test('lists linkbacks under Mentions with source link, title as text and excerpt', async () => {
    const page = await (await s.request(`/thread?fragment=1&target=${enc(POST)}`)).text();
    const mentions = page.slice(page.indexOf('<section class="bt-mentions"'));
    assert.match(mentions, /<h3 class="bt-mentions-title" id="bt-mentions-title">Mentions \(1\)<\/h3>/);
    assert.match(mentions, new RegExp(`<a class="bt-source" href="${source.url('/linking').replace(/\./g, '\\.')}" rel="nofollow ugc noopener">`));
    assert.match(mentions, /Trackback from <bdi>Other Blog<\/bdi>/);
    assert.match(mentions, /An excerpt &quot;quoted&quot;|An excerpt "quoted"/);
    assert.doesNotMatch(mentions, /<script/);
  });

  test('the fragment is the section alone, readable cross-origin by the sites only', async () => {
    const res = await s.request(`/thread?fragment=1&target=${enc(POST)}`, { headers: { origin: SITE } });
    assert.equal(res.headers.get('access-control-allow-origin'), SITE);
    assert.equal(res.headers.get('content-security-policy'), null);
    const body = await res.text();
    assert.match(body, /^<section class="bt-thread"/);
    assert.doesNotMatch(body, /<html|<head[ >]|<body/);
    const foreign = await s.request(`/thread?fragment=1&target=${enc(POST)}`, { headers: { origin: 'http://evil.example' } });
    assert.equal(foreign.headers.get('access-control-allow-origin'), null);
  });

  test('speaks Russian by ?lang= or Accept-Language, with Russian plural forms', async () => {
    const byQuery = await (await s.request(`/thread?fragment=1&lang=ru&target=${enc(POST)}`)).text();
    assert.match(byQuery, /lang="ru"/);
    assert.match(byQuery, /5 комментариев/);
    assert.match(byQuery, /Оставить комментарий/);
    const byHeader = await s.request(`/thread?target=${enc(POST)}`, { headers: { 'accept-language': 'de;q=1, ru-RU;q=0.9, en;q=0.5' } });
    assert.match(byHeader.headers.get('vary') ?? '', /Accept-Language/);
    assert.match(await byHeader.text(), /<html lang="ru">[\s\S]*Ответить/);
  });

  test('?parent= starts the no-JS form as a reply', async () => {
    const page = await (await s.request(`/thread?target=${enc(POST)}&parent=2`)).text();
    assert.match(page, /<input type="hidden" name="parent" value="2">/);
    assert.match(page, /Replying to <bdi>Bob<\/bdi>/);
  });

  test('refuses targets outside the sites', async () => {
    const res = await s.request(`/thread?target=${enc('http://elsewhere.example/x')}`);
    assert.equal(res.status, 403);
  });
});

describe('POST /api/preview, widget files, demo', () => {
  let s: TestServer;
  before(async () => {
    await ensureWidgetBuilt();
    s = await startTestServer({ BACKTALK_SITES: `${SITE}` });
  });
  after(() => s.close());

  test('preview renders through the pipeline policy and stores nothing', async () => {
    const res = await s.postJson('/api/preview', { body: '**bold** <a href="javascript:alert(1)">x</a> https://a.example/' }, { origin: SITE });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), SITE);
    const { body_html } = (await res.json()) as { body_html: string };
    assert.match(body_html, /<strong>bold<\/strong>/);
    assert.match(body_html, /<a href="https:\/\/a\.example\/" rel="nofollow ugc">/);
    assert.doesNotMatch(body_html, /javascript/);
    const list = (await (await s.request(`/api/comments?target=${enc(POST)}`)).json()) as { total: number };
    assert.equal(list.total, 0);
  });

  test('preview: missing body 400 with the error shape, over 64 KiB 413', async () => {
    const missing = await s.postJson('/api/preview', {});
    assert.equal(missing.status, 400);
    assert.deepEqual(((await missing.json()) as { error: { field: string } }).error.field, 'body');
    const huge = await s.postJson('/api/preview', { body: 'x'.repeat(70 * 1024) });
    assert.equal(huge.status, 413);
  });

  test('embed.js and the chunks are served gzipped, cacheable and readable cross-origin', async () => {
    for (const path of ['/embed.js', '/widget/interactive.js', '/widget/backtalk.css']) {
      const res = await s.request(path, { headers: { 'accept-encoding': 'gzip' } });
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('access-control-allow-origin'), '*');
      assert.match(res.headers.get('cache-control') ?? '', /public, max-age=\d+/);
      const etag = res.headers.get('etag')!;
      assert.ok((await res.text()).length > 100);
      assert.equal((await s.request(path, { headers: { 'if-none-match': etag } })).status, 304);
    }
    assert.match((await s.request('/embed.js')).headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal((await s.request('/widget/nope.js')).status, 404);
  });
});

describe('the demo blog with no configuration', () => {
  let s: TestServer;
  before(async () => {
    // No BACKTALK_SITES: the default site is the server's own public URL, as with `npm start`.
    s = await startTestServer({ BACKTALK_SITES: '' });
  });
  after(() => s.close());

  test('/demo/ is a post with the widget, the discovery tags and a strict CSP', async () => {
    const res = await s.request('/demo/');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    const page = await res.text();
    assert.match(page, new RegExp(`<link rel="canonical" href="${s.url}/demo/">`));
    assert.match(page, new RegExp(`<script src="${s.url}/embed.js" async></script>`));
    assert.match(page, /<div id="backtalk"><noscript><a href="[^"]+\/thread\?target=/);
    assert.match(page, new RegExp(`<link rel="pingback" href="${s.url}/xmlrpc">`));
    assert.match(page, new RegExp(`<link rel="webmention" href="${s.url}/webmention">`));
    assert.match(page, /trackback:ping="http:\/\/127\.0\.0\.1:\d+\/trackback\/\d+"/);
    assert.doesNotMatch(page, /<style|style=|<script>/);
    const posted = await s.postJson('/comments', { target: `${s.url}/demo/`, body: 'hello demo' });
    assert.equal(posted.status, 201, 'the demo post is inside the default site');
  });

  test('/demo/all/ lists the posts with counters', async () => {
    const page = await (await s.request('/demo/all/')).text();
    assert.match(page, new RegExp(`data-backtalk-count="${s.url}/demo/"`));
    assert.match(page, new RegExp(`data-backtalk-count="${s.url}/demo/second/"`));
  });
});

describe('avatars', () => {
  test('identicons by default; Gravatar only with BACKTALK_GRAVATAR=true, and only for authors with an e-mail', async () => {
    for (const gravatar of [false, true]) {
      const s = await startTestServer(gravatar ? { BACKTALK_GRAVATAR: 'true' } : {});
      try {
        await post(s, { author: 'Ann', email: 'Ann@Example.org', body: 'hi' });
        await post(s, { author: 'Bob', body: 'no mail' });
        const page = await (await s.request(`/thread?target=${enc(POST)}`)).text();
        const csp = (await s.request(`/thread?target=${enc(POST)}`)).headers.get('content-security-policy') ?? '';
        if (gravatar) {
          // md5("ann@example.org")
          assert.match(page, /src="https:\/\/www\.gravatar\.com\/avatar\/[0-9a-f]{32}\?s=80&amp;d=identicon"/);
          assert.equal(page.match(/gravatar\.com/g)?.length, 1, 'Bob has no address: identicon');
          assert.match(csp, /img-src [^;]*https:\/\/www\.gravatar\.com/);
        } else {
          assert.doesNotMatch(page, /gravatar/);
          assert.doesNotMatch(csp, /gravatar/);
          assert.equal(page.match(/\/avatar\/[0-9a-f]{20}\.svg/g)?.length, 2);
        }
      } finally {
        await s.close();
      }
    }
  });
});

describe('compression', () => {
  test('a large thread is sent gzipped to clients that accept it', async () => {
    // A clock that stands still: "just now" must not become "1 minute ago" between the two reads.
    const s = await startTestServer({}, { clock: manualClock(Date.now()) });
    try {
      for (let i = 0; i < 30; i++) await post(s, { author: `R${i}`, body: `comment ${i}` });
      const zipped = await s.request(`/thread?fragment=1&target=${enc(POST)}`, { headers: { 'accept-encoding': 'gzip' } });
      assert.equal(zipped.headers.get('content-encoding'), 'gzip');
      assert.match(zipped.headers.get('vary') ?? '', /Accept-Encoding/);
      const text = await zipped.text(); // fetch decompresses
      assert.equal(text.match(/class="bt-comment"/g)?.length, 30);
      const plain = await s.request(`/thread?fragment=1&target=${enc(POST)}`, { headers: { 'accept-encoding': 'identity' } });
      assert.equal(plain.headers.get('content-encoding'), null);
      assert.equal((await plain.text()).length, text.length);
    } finally {
      await s.close();
    }
  });
});
