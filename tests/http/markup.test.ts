/**
 * What a comment body becomes (contract: "The stored body is sanitized HTML …"), seen through the API:
 * the Markdown dialect, the inline-tag allow-list, author fields as plain text, and XSS payloads.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { POST, SITE, startTestServer, type TestServer } from '../helpers/test-server.js';
import { assertErrorShape, listComments, postComment, type PublicComment } from './http-support.js';

/** A thread of its own, so corpus entries equal to the payloads above are not refused as duplicates. */
const CORPUS_POST = `${SITE}/2026/11/xss-corpus/`;

/** Ten payloads whose dangerous part is markup, so a correct sanitizer leaves no trace of it at all. */
const XSS_PAYLOADS: readonly string[] = [
  '<script>alert(1)</script>',
  '<ScRiPt SRC=https://evil.example/x.js></sCrIpT>',
  '<img src=x onerror=alert(1)>',
  '<svg onload=alert(1)>',
  '<a href="javascript:alert(1)">click</a>',
  '<a href="jav&#x09;ascript:alert(1)">tab</a>',
  '<a href="https://ok.example/" onclick="alert(1)" onmouseover=alert(1)>ok</a>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<p onmouseover="alert(1)">hover</p>',
  '<math><mi xlink:href="javascript:alert(1)">x</mi></math><details open ontoggle=alert(1)>d</details>',
];

/** Every start tag in some HTML, for checks that must not trip over harmless escaped text. */
function tagsOf(html: string): string[] {
  return html.match(/<[a-z][^>]*>/gi) ?? [];
}

function assertNothingRuns(html: string, payload: string): void {
  assert.doesNotMatch(html, /<script/i, `script survived ${payload}: ${html}`);
  for (const tag of tagsOf(html)) {
    assert.doesNotMatch(tag, /\son[a-z]+\s*=/i, `event handler survived ${payload}: ${tag}`);
    assert.doesNotMatch(tag, /(javascript|vbscript|data):/i, `script URL survived ${payload}: ${tag}`);
    assert.match(tag, /^<(a|b|strong|i|em|code|blockquote|q|del|s|p|br|pre|ul|ol|li)[\s/>]/i, `tag outside the allow-list: ${tag}`);
  }
}

describe('comment markup through the API', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  async function render(body: string): Promise<string> {
    return (await postComment(server, { body })).body_html;
  }

  it('renders Markdown emphasis, strong, links and inline code', async () => {
    const html = await render('*soft* and **loud** with [a link](https://ann.example/page) and `x = 1`');
    assert.match(html, /<em>soft<\/em>/);
    assert.match(html, /<strong>loud<\/strong>/);
    assert.match(html, /<a href="https:\/\/ann\.example\/page" rel="nofollow ugc">a link<\/a>/);
    assert.match(html, /<code>x = 1<\/code>/);
  });

  it('renders a Markdown quote as a blockquote', async () => {
    const html = await render('> someone said this\n\nand I answer');
    assert.match(html, /<blockquote>\s*<p>someone said this<\/p>\s*<\/blockquote>/);
    assert.match(html, /<p>and I answer<\/p>/);
  });

  it('does not render headings or images', async () => {
    const heading = await render('# Not a heading');
    assert.doesNotMatch(heading, /<h\d/i);
    assert.match(heading, /# Not a heading/);
    const image = await render('![tracker](https://img.example/pixel.png)');
    assert.doesNotMatch(image, /<img/i);
    assert.doesNotMatch(image, /src=/i);
  });

  it('links a bare URL with rel="nofollow ugc"', async () => {
    const html = await render('see https://bare.example/page for more');
    assert.match(html, /<a href="https:\/\/bare\.example\/page" rel="nofollow ugc">https:\/\/bare\.example\/page<\/a>/);
  });

  it('forces rel="nofollow ugc" on an author-written link and drops the author rel', async () => {
    const html = await render('<a href="https://ok.example/" rel="dofollow" target="_blank">ok</a>');
    assert.match(html, /<a href="https:\/\/ok\.example\/" rel="nofollow ugc">ok<\/a>/);
    assert.doesNotMatch(html, /dofollow|target=/);
  });

  it('keeps <b> and removes <script> with its content', async () => {
    const html = await render('<b>bold</b> text <script>alert("pwned")</script>');
    assert.match(html, /<b>bold<\/b> text/);
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /pwned/);
  });

  it('makes paragraphs and line breaks from plain text', async () => {
    const html = await render('line one\nline two\n\nsecond paragraph');
    assert.match(html, /<p>line one<br\s*\/?>\s*line two<\/p>\s*<p>second paragraph<\/p>/);
  });

  it('stores an author name containing <b> as plain text, not markup', async () => {
    const c = await postComment(server, { body: 'named', author: 'Ann <b>Bold</b> & Co' });
    // Plain text: either the tags stripped or kept as literal characters, but never HTML-escaped
    // (the widget sets it with textContent, so `&lt;b&gt;` or `&amp;` would show up on the page).
    assert.ok(['Ann Bold & Co', 'Ann <b>Bold</b> & Co'].includes(c.author), `author came back as ${JSON.stringify(c.author)}`);
    const listed = (await listComments(server)).comments.find((x) => x.id === c.id)!;
    assert.equal(listed.author, c.author);
  });

  it('refuses a javascript: author URL with 400 field url', async () => {
    const res = await server.postJson('/comments', { target: POST, body: 'sneaky url', url: 'javascript:alert(1)' });
    await assertErrorShape(res, 400, 'url');
    const list = await listComments(server);
    assert.ok(!list.comments.some((c) => c.body_html.includes('sneaky url')));
  });

  it('turns a bare host name author URL into http://host/', async () => {
    const c = await postComment(server, { body: 'bare host', url: 'example.com' });
    assert.equal(c.url, 'http://example.com/');
  });

  for (const [i, payload] of XSS_PAYLOADS.entries()) {
    it(`XSS payload ${i + 1} comes back without script, handlers or javascript: (${payload.slice(0, 40)})`, async () => {
      const c = await postComment(server, { body: payload });
      for (const html of [c.body_html, (await listComments(server)).comments.find((x) => x.id === c.id)?.body_html ?? '']) {
        assert.doesNotMatch(html, /<script/i, html);
        assert.doesNotMatch(html, /\son[a-z]+\s*=/i, html);
        assert.doesNotMatch(html, /javascript:/i, html);
        assertNothingRuns(html, payload);
      }
    });
  }

  it('leaves a Markdown javascript: link as inert text, not a link', async () => {
    const html = await render('[click me](javascript:alert(1)) and [again](JaVaScRiPt:alert(2))');
    assert.doesNotMatch(html, /<a\s/i);
    assertNothingRuns(html, 'markdown javascript: link');
  });

  it('keeps every payload of the shared XSS corpus inert', async (t) => {
    let corpus: ReadonlyArray<{ name: string; payload: string }>;
    try {
      ({ XSS_CORPUS: corpus } = (await import('../unit/xss-corpus.js')) as { XSS_CORPUS: typeof corpus });
    } catch {
      t.skip('tests/unit/xss-corpus.ts is not available');
      return;
    }
    assert.ok(corpus.length > 0);
    for (const [i, { name, payload }] of corpus.entries()) {
      // One author per entry: some payloads equal others once NUL bytes are stripped (duplicate rule).
      const res = await server.postJson('/comments', { target: CORPUS_POST, body: payload, author: `corpus ${i}` });
      if (res.status === 400) continue; // nothing left after trimming: refused, so nothing stored
      assert.equal(res.status, 201, `${name}: HTTP ${res.status}`);
      const c = (await res.json()) as PublicComment;
      assertNothingRuns(c.body_html, name);
    }
  });
});
