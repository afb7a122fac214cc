/**
 * TrackBack over real HTTP, the way senders really send: the TrackBack 1.2 example ping, WordPress's
 * `trackback()`, Movable Type with the ping URL taken from /discovery, and curl; then the
 * `__mode=rss` listing and the discovery markup. Sources are real pages on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

import { POST } from '../helpers/test-server.js';
import {
  PRIVATE_FETCH, SUCCESS_DOC, XML_TYPE, adminItems, expectAccepted, formBody, linkingSource, ping, pingFields, publicItems, readReply,
  textOf, trackbackPath, unescapeXml, withServer,
} from './support.js';
import { useSourceServer } from '../helpers/fixtures.js';

const run = promisify(execFile);
const curlMissing = spawnSync('curl', ['--version']).error !== undefined;

const source = useSourceServer();

/** The ping URL /discovery hands out for `target`, e.g. `http://127.0.0.1:PORT/trackback/7`. */
async function discoveredPingUrl(server: { request(path: string): Promise<Response> }, target: string): Promise<string> {
  const res = await server.request(`/discovery?target=${encodeURIComponent(target)}`);
  assert.equal(res.status, 200);
  const match = /trackback:ping="([^"]+)"/.exec(await res.text());
  assert.ok(match, 'discovery has a trackback:ping attribute');
  return unescapeXml(match[1]!);
}

describe('TrackBack 1.2 example ping', () => {
  it('answers 200 text/xml with the success document and stores one public trackback', async () => {
    await withServer(PRIVATE_FETCH, async (server) => {
      const src = linkingSource(source, '/spec-example', POST);
      // The body of TB-SPEC 1.2's example, with our source page as the url.
      const body = `title=Foo+Bar&url=${encodeURIComponent(src)}&excerpt=My+Excerpt&blog_name=Foo`;
      const answer = await ping(server, trackbackPath(), body, 'application/x-www-form-urlencoded; charset=utf-8');
      assert.equal(answer.status, 200);
      assert.equal(answer.contentType, XML_TYPE);
      expectAccepted(answer);
      assert.equal(answer.body.replace(/>\s+</g, '><').trim(), SUCCESS_DOC);

      const items = await publicItems(server);
      assert.equal(items.length, 1, JSON.stringify(items));
      const [item] = items;
      assert.equal(item!.type, 'trackback');
      assert.equal(item!.source, src);
      assert.equal(item!.title, 'Foo Bar');
      assert.equal(item!.author, 'Foo');
      assert.ok(item!.body_html.includes('My Excerpt'), item!.body_html);
    });
  });
});

describe('real senders', () => {
  it('accepts a ping sent the way WordPress trackback() sends it (no charset, &#8230; in the excerpt)', async () => {
    await withServer(PRIVATE_FETCH, async (server) => {
      const src = linkingSource(source, '/wordpress/2026/11/un-cafe/', POST);
      // WP-COMMENT trackback(): wp_safe_remote_post with body {title, url, blog_name, excerpt}, form-encoded
      // by http_build_query, no charset field; the excerpt comes from wp_html_excerpt(…, 252, '&#8230;').
      const body = formBody({
        title: 'Un café à Paris',
        url: src,
        blog_name: 'Le blog de Zoé',
        excerpt: 'Ce billet parle de café et de crème brûlée&#8230;',
      });
      const res = await server.request(trackbackPath(), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'WordPress/6.5.2; http://wp.example' },
        body,
      });
      expectAccepted({ status: res.status, contentType: res.headers.get('content-type') ?? '', body: await res.text(), retryAfter: null });

      const [item, ...rest] = await publicItems(server);
      assert.equal(rest.length, 0);
      assert.equal(item!.type, 'trackback');
      assert.equal(item!.title, 'Un café à Paris');
      assert.equal(item!.author, 'Le blog de Zoé');
      const excerpt = textOf(item!.body_html);
      assert.ok(excerpt.startsWith('Ce billet parle de café et de crème brûlée'), excerpt);
      // The entity is WordPress's ellipsis, decoded once: neither shown as "&#8230;" nor double-escaped.
      assert.ok(excerpt.endsWith('…'), excerpt);
      assert.ok(!excerpt.includes('&#8230;') && !item!.body_html.includes('&amp;#8230;'), item!.body_html);
    });
  });

  it('accepts a Movable Type ping to the /trackback/:id URL that /discovery hands out', async () => {
    await withServer(PRIVATE_FETCH, async (server) => {
      const pingUrl = await discoveredPingUrl(server, POST);
      assert.match(pingUrl, new RegExp(`^${server.url.replace(/[.]/g, '\\.')}/trackback/\\d+$`));
      const src = linkingSource(source, '/mt/archives/000123.html', POST);
      // MT sends charset in the Content-Type and the four fields, via LWP.
      const body = formBody({ title: 'Entry from MT', url: src, excerpt: 'Movable Type excerpt', blog_name: 'MT Blog' });
      const res = await server.request(new URL(pingUrl).pathname, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', 'user-agent': 'MovableType/3.35' },
        body,
      });
      expectAccepted({ status: res.status, contentType: res.headers.get('content-type') ?? '', body: await res.text(), retryAfter: null });
      const items = await publicItems(server);
      assert.equal(items.length, 1);
      assert.equal(items[0]!.source, src);
      assert.equal(items[0]!.title, 'Entry from MT');
      assert.equal(items[0]!.author, 'MT Blog');
    });
  });

  it('accepts a ping sent with curl', async (t) => {
    if (curlMissing) {
      t.skip('curl is not installed on this machine');
      return;
    }
    await withServer(PRIVATE_FETCH, async (server) => {
      const src = linkingSource(source, '/curl-sent', POST);
      const { stdout } = await run('curl', [
        '--silent', '--show-error', '--noproxy', '*', '--max-time', '15',
        '--data-urlencode', 'title=Sent by curl & friends',
        '--data-urlencode', `url=${src}`,
        '--data-urlencode', 'excerpt=curl excerpt',
        '--data-urlencode', 'blog_name=Shell Blog',
        '--write-out', '\n%{http_code}\n%{content_type}',
        server.url + trackbackPath(),
      ]);
      const lines = stdout.split('\n');
      const contentType = lines.pop()!;
      const status = Number(lines.pop());
      expectAccepted({ status, contentType, body: lines.join('\n'), retryAfter: null });
      const items = await publicItems(server);
      assert.equal(items.length, 1);
      assert.equal(items[0]!.title, 'Sent by curl & friends');
      assert.equal(items[0]!.author, 'Shell Blog');
    });
  });
});

describe('GET ?__mode=rss', () => {
  it('lists the visible trackbacks as RSS 0.91 inside <response>, values escaped', async () => {
    await withServer(PRIVATE_FETCH, async (server) => {
      const first = linkingSource(source, '/rss/first?a=1&b=2', POST);
      const second = linkingSource(source, '/rss/second', POST);
      const hidden = linkingSource(source, '/rss/hidden', POST);
      expectAccepted(await pingFields(server, { url: first, title: 'A <&> B', excerpt: 'fish & chips', blog_name: 'One' }));
      expectAccepted(await pingFields(server, { url: second, title: 'Second ping', excerpt: 'plain', blog_name: 'Two' }));
      expectAccepted(await pingFields(server, { url: hidden, title: 'Marked as spam', excerpt: 'spam', blog_name: 'Three' }));
      const spam = (await adminItems(server, 'approved')).find((c) => c.source === hidden);
      assert.ok(spam, 'the third ping was stored');
      const moderated = await server.admin(`/api/admin/comments/${spam.id}`, { method: 'POST', body: JSON.stringify({ action: 'spam' }) });
      assert.equal(moderated.status, 200);
      const comment = await server.postJson('/comments', { target: POST, body: 'An ordinary comment', author: 'Reader' });
      assert.equal(comment.status, 201);

      const pingUrl = await discoveredPingUrl(server, POST);
      for (const path of [`${trackbackPath()}&__mode=rss`, `${new URL(pingUrl).pathname}?__mode=rss`]) {
        const res = await server.request(path);
        assert.equal(res.status, 200, path);
        assert.equal(res.headers.get('content-type'), XML_TYPE);
        const doc = await res.text();
        assert.equal(readReply(doc).error, 0);
        assert.match(doc, /<response>\s*<error>0<\/error>\s*<rss version="0\.91">\s*<channel>[\s\S]*<\/channel>\s*<\/rss>\s*<\/response>\s*$/);
        const items = [...doc.matchAll(/<item>([\s\S]*?)<\/item>/g)].map((m) => m[1]!);
        assert.equal(items.length, 2, `two visible trackbacks, not the spam one nor the comment: ${doc}`);
        assert.match(items[0]!, /<title>A &lt;&amp;&gt; B<\/title>/);
        assert.ok(items[0]!.includes(`<link>${first.replace(/&/g, '&amp;')}</link>`), items[0]);
        assert.match(items[0]!, /<description>fish &amp; chips<\/description>/);
        assert.match(items[1]!, /<title>Second ping<\/title>/);
        assert.ok(!doc.includes('Marked as spam') && !doc.includes('An ordinary comment'));
        // Every piece of character data in the document is escaped.
        for (const [, text] of doc.matchAll(/>([^<]+)</g)) {
          assert.match(text!, /^(?:[^&<]|&(?:amp|lt|gt|quot|apos|#\d+|#x[\dA-Fa-f]+);)*$/, `unescaped text ${JSON.stringify(text)}`);
        }
      }
    });
  });
});

describe('GET /discovery', () => {
  it('gives the RDF block inside an HTML comment, -- escaped in the title, and the pingback/webmention links', async () => {
    await withServer({}, async (server) => {
      const res = await server.request(`/discovery?target=${encodeURIComponent(POST)}&title=a--b`);
      assert.equal(res.status, 200);
      const html = await res.text();
      const open = html.indexOf('<!--');
      const close = html.indexOf('-->', open + 4);
      assert.ok(open >= 0 && close > open, `an HTML comment in ${html}`);
      const inside = html.slice(open + 4, close);
      assert.ok(!inside.includes('--'), `no "--" inside the comment: ${inside}`);
      assert.match(inside, /<rdf:RDF[\s\S]*<rdf:Description[\s\S]*\/>\s*<\/rdf:RDF>/);
      assert.match(inside, /xmlns:trackback="http:\/\/madskills\.com\/public\/xml\/rss\/module\/trackback\/"/);
      assert.match(inside, /dc:title="a&#x2d;&#x2d;b"/);
      assert.ok(inside.includes(`rdf:about="${POST}"`) && inside.includes(`dc:identifier="${POST}"`), inside);
      const pingUrl = /trackback:ping="([^"]+)"/.exec(inside)?.[1];
      assert.ok(pingUrl, 'trackback:ping inside the comment');
      assert.match(pingUrl, new RegExp(`^${server.url.replace(/[.]/g, '\\.')}/trackback/\\d+$`));
      assert.ok(html.includes(`<link rel="pingback" href="${server.url}/xmlrpc"`), html);
      assert.ok(html.includes(`<link rel="webmention" href="${server.url}/webmention"`), html);
    });
  });
});
