/**
 * Atom feeds (RFC 4287), read back with a real XML parser (saxes, namespace-aware): structure, ids,
 * links to TARGET#comment-ID, sanitized HTML content, approved items only, ETag revalidation.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseFeed } from '@rowanmanning/feed-parser';
import { SaxesParser } from 'saxes';
import { POST, SITE, startTestServer, type TestServer } from '../helpers/test-server.js';

const ATOM = 'http://www.w3.org/2005/Atom';

interface XmlElement {
  name: string;
  ns: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/** Parses the whole document into a small tree; a well-formedness error throws. */
function parseXml(xml: string): XmlElement {
  const parser = new SaxesParser({ xmlns: true });
  const root: XmlElement = { name: '#root', ns: '', attrs: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  parser.on('error', (err) => {
    throw err;
  });
  parser.on('opentag', (tag) => {
    const attrs: Record<string, string> = {};
    for (const [k, a] of Object.entries(tag.attributes)) attrs[k] = a.value;
    const el: XmlElement = { name: tag.local, ns: tag.uri, attrs, children: [], text: '' };
    stack.at(-1)!.children.push(el);
    stack.push(el);
  });
  parser.on('text', (t) => (stack.at(-1)!.text += t));
  parser.on('cdata', (t) => (stack.at(-1)!.text += t));
  parser.on('closetag', () => void stack.pop());
  parser.write(xml).close();
  assert.equal(root.children.length, 1);
  return root.children[0]!;
}

const child = (el: XmlElement, name: string) => el.children.find((c) => c.name === name);
const children = (el: XmlElement, name: string) => el.children.filter((c) => c.name === name);

/** The RFC 4287 musts for a feed and each entry. */
function assertValidAtom(feed: XmlElement): void {
  assert.equal(feed.name, 'feed');
  assert.equal(feed.ns, ATOM);
  for (const required of ['id', 'title', 'updated']) assert.ok(child(feed, required), `feed has <${required}>`);
  assert.ok(!Number.isNaN(Date.parse(child(feed, 'updated')!.text)));
  assert.ok(children(feed, 'link').some((l) => l.attrs.rel === 'self'), 'feed has a self link');
  for (const entry of children(feed, 'entry')) {
    for (const required of ['id', 'title', 'updated', 'author', 'content']) assert.ok(child(entry, required), `entry has <${required}>`);
    assert.ok(child(child(entry, 'author')!, 'name')!.text.length > 0, 'author has a name');
    assert.match(child(entry, 'id')!.text, /^tag:[^,]+,\d{4}-\d{2}-\d{2}:comment-\d+$/);
    assert.equal(child(entry, 'content')!.attrs.type, 'html');
    assert.ok(!Number.isNaN(Date.parse(child(entry, 'updated')!.text)));
  }
}

describe('Atom feeds', () => {
  let app: TestServer;
  const ids: Record<string, number> = {};
  const OTHER = `${SITE}/2026/11/other/`;

  before(async () => {
    app = await startTestServer({ BACKTALK_MODERATION: 'first-time' });
    const post = async (key: string, fields: Record<string, unknown>) => {
      const res = await app.postJson('/comments', { target: POST, ...fields });
      assert.equal(res.status, 201);
      ids[key] = ((await res.json()) as { id: number }).id;
    };
    await post('first', { author: 'Tom & Jerry "Q"', email: 'tom@example.org', url: 'https://tom.example/', body: 'Plain <script>alert(1)</script> & **bold** ]]> end' });
    await app.admin(`/api/admin/comments/${ids.first}`, { method: 'POST', body: JSON.stringify({ action: 'approve' }) });
    await post('second', { author: 'Tom & Jerry "Q"', email: 'tom@example.org', body: 'Known author, published at once' });
    await post('held', { author: 'Newbie', email: 'new@example.org', body: 'held text' });
    await post('spam', { author: 'Bot', body: 'spam text', website2: 'x' });
    const other = await app.postJson('/comments', { target: OTHER, author: 'Tom & Jerry "Q"', email: 'tom@example.org', body: 'On the other post' });
    ids.other = ((await other.json()) as { id: number }).id;
  });
  after(() => app.close());

  test('thread feed: valid Atom, approved items only, oldest last (newest first), links to TARGET#comment-ID', async () => {
    const res = await app.request(`/feed.atom?target=${encodeURIComponent(POST)}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/atom\+xml/);
    const xml = await res.text();
    const feed = parseXml(xml);
    assertValidAtom(feed);
    const entries = children(feed, 'entry');
    assert.deepEqual(entries.map((e) => child(e, 'link')!.attrs.href), [`${POST}#comment-${ids.second}`, `${POST}#comment-${ids.first}`]);
    assert.ok(!xml.includes('held text') && !xml.includes('spam text'), 'pending and spam are absent');
    const first = entries[1]!;
    assert.equal(child(child(first, 'author')!, 'name')!.text, 'Tom & Jerry "Q"');
    assert.equal(child(child(first, 'author')!, 'uri')!.text, 'https://tom.example/');
    const content = child(first, 'content')!.text;
    assert.match(content, /<strong>bold<\/strong>/);
    assert.ok(!/<script/i.test(content), 'content is the sanitized body');
    assert.equal(child(feed, 'updated')!.text, child(entries[0]!, 'updated')!.text, 'feed updated = newest entry');
    assert.equal(children(feed, 'link').find((l) => l.attrs.rel === 'self')!.attrs.href, `${app.url}/feed.atom?target=${encodeURIComponent(POST)}`);
  });

  test('a feed parser reads the thread feed as Atom with the same items, authors, dates and content', async () => {
    const xml = await (await app.request(`/feed.atom?target=${encodeURIComponent(POST)}`)).text();
    const feed = parseFeed(xml);
    assert.equal(feed.meta.type, 'atom');
    assert.equal(feed.meta.version, '1.0');
    assert.equal(feed.title, `Comments on ${POST}`);
    assert.equal(feed.url, POST);
    assert.equal(feed.self, `${app.url}/feed.atom?target=${encodeURIComponent(POST)}`);
    assert.deepEqual(feed.items.map((i) => i.url), [`${POST}#comment-${ids.second}`, `${POST}#comment-${ids.first}`]);
    const [newest, oldest] = feed.items as [(typeof feed.items)[0], (typeof feed.items)[0]];
    assert.match(newest.id ?? '', /^tag:127\.0\.0\.1,\d{4}-\d{2}-\d{2}:comment-\d+$/);
    assert.deepEqual(oldest.authors.map((a) => [a.name, a.url]), [['Tom & Jerry "Q"', 'https://tom.example/']]);
    assert.ok(newest.updated && oldest.updated && newest.updated >= oldest.updated);
    assert.equal(feed.updated?.getTime(), newest.updated?.getTime());
    assert.match(oldest.content ?? '', /<strong>bold<\/strong>/);
    assert.ok(!/<script/i.test(oldest.content ?? ''));
    assert.equal(oldest.title, `Tom & Jerry "Q" on ${POST}`, 'the html title decodes to the plain text');
  });

  test('site feed: every thread, newest first, approved only', async () => {
    const feed = parseXml(await (await app.request('/feed.atom')).text());
    assertValidAtom(feed);
    const links = children(feed, 'entry').map((e) => child(e, 'link')!.attrs.href);
    assert.deepEqual(links, [`${OTHER}#comment-${ids.other}`, `${POST}#comment-${ids.second}`, `${POST}#comment-${ids.first}`]);
  });

  test('approving a held comment adds it; ETag revalidation answers 304 until then', async () => {
    const url = `/feed.atom?target=${encodeURIComponent(POST)}`;
    const first = await app.request(url);
    const etag = first.headers.get('etag');
    assert.ok(etag);
    assert.match(first.headers.get('cache-control') ?? '', /max-age=\d+/);
    assert.equal((await app.request(url, { headers: { 'if-none-match': etag } })).status, 304);

    await app.admin(`/api/admin/comments/${ids.held}`, { method: 'POST', body: JSON.stringify({ action: 'approve' }) });
    const changed = await app.request(url, { headers: { 'if-none-match': etag } });
    assert.equal(changed.status, 200);
    assert.match(await changed.text(), /held text/);
  });

  test('an empty or unknown thread is a valid empty feed; a foreign target is refused', async () => {
    const feed = parseXml(await (await app.request(`/feed.atom?target=${encodeURIComponent(`${SITE}/never/`)}`)).text());
    assertValidAtom(feed);
    assert.equal(children(feed, 'entry').length, 0);
    assert.equal((await app.request(`/feed.atom?target=${encodeURIComponent('http://elsewhere.example/x')}`)).status, 403);
  });
});

describe('feed discovery', () => {
  test('/discovery announces the thread feed as rel="alternate" application/atom+xml', async () => {
    const app = await startTestServer();
    try {
      const html = await (await app.request(`/discovery?target=${encodeURIComponent(POST)}`)).text();
      const href = /<link rel="alternate" type="application\/atom\+xml" title="Comments" href="([^"]+)">/.exec(html)?.[1];
      assert.ok(href, html);
      const res = await app.request(new URL(href.replace(/&amp;/g, '&')).pathname + new URL(href.replace(/&amp;/g, '&')).search);
      assert.equal(res.status, 200);
      assertValidAtom(parseXml(await res.text()));
    } finally {
      await app.close();
    }
  });
});
