import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Parser } from 'htmlparser2';
import { countLinks } from '../../src/domain/body-html.js';
import {
  renderCommentBody,
  renderPlainText,
  sanitizeCommentHtml,
  toPlainText,
} from '../../src/pipeline/sanitize.js';
import { XSS_CORPUS } from './xss-corpus.js';

/** The policy, restated independently of sanitize.ts: tag → attributes it may carry. */
const ALLOWED: ReadonlyMap<string, readonly string[]> = new Map([
  ['a', ['href', 'rel']],
  ['q', ['cite']],
  ...['b', 'strong', 'i', 'em', 'code', 'blockquote', 'del', 's', 'p', 'br', 'pre', 'ul', 'ol', 'li'].map(
    (tag): [string, readonly string[]] => [tag, []],
  ),
]);

/**
 * A tag as our sanitizer serializes it: lower-case name, double-quoted values with no raw `"`, `<`
 * or `>`. Every `<` in the output must start one of these, so a browser cannot read the output
 * differently from the parser below (which is what mutation XSS exploits).
 */
const SERIALIZED_TAG = /<\/?([a-z]+)((?: [a-z]+="[^"<>]*")*)(?: \/)?>/y;

/** Collects every way `html` breaks the policy; empty when it is safe. */
function policyViolations(html: string): string[] {
  const problems: string[] = [];

  if (/<script/i.test(html)) problems.push('contains "<script"');
  for (let i = html.indexOf('<'); i !== -1; i = html.indexOf('<', i + 1)) {
    SERIALIZED_TAG.lastIndex = i;
    const m = SERIALIZED_TAG.exec(html);
    if (!m) problems.push(`"<" at ${i} does not start a well-formed tag: ${JSON.stringify(html.slice(i, i + 40))}`);
  }
  const text = html.replace(/<[^>]*>/g, '');
  if (text.includes('>')) problems.push('raw ">" in text');
  if (/&(?!(?:amp|lt|gt|quot);)/.test(html)) problems.push('"&" that is not one of our four escapes');

  const parser = new Parser(
    {
      onopentag(name, attribs) {
        const allowedAttrs = ALLOWED.get(name);
        if (!allowedAttrs) {
          problems.push(`tag <${name}> is not allowed`);
          return;
        }
        for (const [attr, value] of Object.entries(attribs)) {
          if (/^on/i.test(attr)) problems.push(`event handler ${attr} on <${name}>`);
          if (!allowedAttrs.includes(attr)) problems.push(`attribute ${attr} on <${name}>`);
          // Values arrive entity-decoded; strip what browsers ignore before looking at the scheme.
          const squashed = value.replace(/[\u0000-\u0020\u007f-\u009f]/g, '').toLowerCase();
          if (/^(javascript|vbscript|data):/.test(squashed)) problems.push(`dangerous URL in ${name}[${attr}]: ${value}`);
        }
        if (name === 'a') {
          if (attribs.rel !== 'nofollow ugc') problems.push(`<a> without forced rel: ${JSON.stringify(attribs)}`);
          const protocol = safeProtocol(attribs.href);
          if (!protocol || !['http:', 'https:', 'mailto:'].includes(protocol)) problems.push(`bad href ${attribs.href}`);
        }
        if (name === 'q' && attribs.cite !== undefined) {
          const protocol = safeProtocol(attribs.cite);
          if (protocol !== 'http:' && protocol !== 'https:') problems.push(`bad cite ${attribs.cite}`);
        }
      },
      oncomment: () => problems.push('HTML comment in output'),
      onprocessinginstruction: (name) => problems.push(`processing instruction ${name}`),
      oncdatastart: () => problems.push('CDATA in output'),
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  return problems;
}

function safeProtocol(href: string | undefined): string | undefined {
  if (href === undefined) return undefined;
  try {
    return new URL(href).protocol;
  } catch {
    return undefined;
  }
}

function assertSafe(html: string, label: string): void {
  assert.deepEqual(policyViolations(html), [], `${label}: ${JSON.stringify(html)}`);
  assert.equal(sanitizeCommentHtml(html), html, `${label} is not idempotent: ${JSON.stringify(html)}`);
}

test('the XSS corpus has at least 30 payloads with unique names', () => {
  assert.ok(XSS_CORPUS.length >= 30, `only ${XSS_CORPUS.length} payloads`);
  assert.equal(new Set(XSS_CORPUS.map((c) => c.name)).size, XSS_CORPUS.length);
});

for (const { name, payload } of XSS_CORPUS) {
  test(`XSS corpus: ${name}`, () => {
    assertSafe(renderCommentBody(payload), 'renderCommentBody');
    assertSafe(sanitizeCommentHtml(payload), 'sanitizeCommentHtml');
    assertSafe(renderPlainText(payload), 'renderPlainText');
  });
}

test('random HTML/Markdown soup never breaks the policy and is stable', () => {
  const fragment = fc.constantFrom(
    '<', '>', '/', '"', "'", '=', ' ', '\n', '\n\n', '\t', '\u0000', '&', '#', ';', 'x', '1',
    'a', 'b', 'p', 'q', 'pre', 'script', 'style', 'svg', 'math', 'noscript', 'href', 'onerror', 'title',
    'javascript:', 'JaVa\tScRiPt:', 'data:', 'https://ok.example/', '//evil.example', 'mailto:a@b.example',
    '<a href="', '<a href=', '</a>', '<b>', '</b>', '<p>', '</p>', '<q cite="', '<pre>', '</pre>',
    '<style>', '</style>', '<noscript>', '</noscript>', '<svg>', '<math>', '<img src=x ', '<!--', '-->',
    '[', ']', '(', ')', '*', '_', '`', '```', '> ', '- ', '1. ', '# ', '![', '&lt;', '&amp;', '&#58;', '&#x6A;',
  );
  fc.assert(
    fc.property(fc.array(fragment, { maxLength: 40 }), (parts) => {
      const input = parts.join('');
      assertSafe(renderCommentBody(input), 'renderCommentBody');
      assertSafe(sanitizeCommentHtml(input), 'sanitizeCommentHtml');
    }),
    { numRuns: 400, seed: 20261125 },
  );
});

test('Markdown emphasis, strong and strikethrough render', () => {
  assert.equal(
    renderCommentBody('*em* **strong** _also em_ ~~gone~~'),
    '<p><em>em</em> <strong>strong</strong> <em>also em</em> <s>gone</s></p>',
  );
});

test('Markdown links render with rel forced', () => {
  assert.equal(
    renderCommentBody('[my post](https://example.com/post?a=1&b=2)'),
    '<p><a href="https://example.com/post?a=1&amp;b=2" rel="nofollow ugc">my post</a></p>',
  );
});

test('inline code, indented and fenced code blocks keep their text escaped', () => {
  assert.equal(renderCommentBody('use `<b>` here'), '<p>use <code>&lt;b&gt;</code> here</p>');
  assert.equal(renderCommentBody('    let x = 1 < 2;'), '<pre><code>let x = 1 &lt; 2;\n</code></pre>');
  // The fence's language class is dropped: code[class] is not in the policy.
  assert.equal(renderCommentBody('```js\nif (a && b) {}\n```'), '<pre><code>if (a &amp;&amp; b) {}\n</code></pre>');
});

test('blockquotes and lists render', () => {
  assert.equal(renderCommentBody('> quoted\n> text'), '<blockquote>\n<p>quoted<br />\ntext</p>\n</blockquote>');
  assert.equal(renderCommentBody('- one\n- two'), '<ul>\n<li>one</li>\n<li>two</li>\n</ul>');
  assert.equal(renderCommentBody('1. one\n2. two'), '<ol>\n<li>one</li>\n<li>two</li>\n</ol>');
});

test('headings do not render: a # line stays a paragraph', () => {
  assert.equal(renderCommentBody('# Not a heading'), '<p># Not a heading</p>');
  assert.equal(renderCommentBody('Title\n====='), '<p>Title<br />\n=====</p>');
  assert.equal(renderCommentBody('<h1>raw</h1>'), 'raw');
  assert.doesNotMatch(renderCommentBody('## two\n### three'), /<h\d/);
});

test('images do not render, in Markdown or in HTML', () => {
  const md = renderCommentBody('![cat](https://example.com/cat.png)');
  assert.doesNotMatch(md, /<img/);
  assert.equal(md, '<p>!<a href="https://example.com/cat.png" rel="nofollow ugc">cat</a></p>');
  assert.equal(renderCommentBody('a <img src="https://example.com/cat.png" alt="cat"> b'), '<p>a  b</p>');
});

test('horizontal rules and tables stay text', () => {
  assert.equal(renderCommentBody('a\n\n---\n\nb'), '<p>a</p>\n<p>---</p>\n<p>b</p>');
  assert.doesNotMatch(renderCommentBody('| a | b |\n|---|---|\n| 1 | 2 |'), /<t[a-z]/);
});

test('plain text becomes paragraphs and line breaks', () => {
  assert.equal(
    renderCommentBody('First line\nsecond line\n\nSecond paragraph'),
    '<p>First line<br />\nsecond line</p>\n<p>Second paragraph</p>',
  );
  assert.equal(renderCommentBody('Windows\r\nline endings'), '<p>Windows<br />\nline endings</p>');
});

test('a bare URL becomes a nofollow ugc link', () => {
  assert.equal(
    renderCommentBody('see https://example.com/path?q=1 for more'),
    '<p>see <a href="https://example.com/path?q=1" rel="nofollow ugc">https://example.com/path?q=1</a> for more</p>',
  );
});

test('only explicit URLs are linkified, not file names or bare domains', () => {
  assert.equal(renderCommentBody('run setup.py on example.com'), '<p>run setup.py on example.com</p>');
  assert.equal(renderCommentBody('ftp://files.example/x'), '<p>ftp://files.example/x</p>');
});

test('the WordPress inline tags are kept', () => {
  assert.equal(
    renderCommentBody('<b>b</b> <strong>s</strong> <i>i</i> <em>e</em> <code>c</code> <del>d</del> <s>s</s>'),
    '<p><b>b</b> <strong>s</strong> <i>i</i> <em>e</em> <code>c</code> <del>d</del> <s>s</s></p>',
  );
  assert.equal(
    renderCommentBody('<q cite="https://example.com/src">said</q> and <q>plain</q>'),
    '<p><q cite="https://example.com/src">said</q> and <q>plain</q></p>',
  );
  assert.equal(renderCommentBody('<blockquote>quoted</blockquote>'), '<blockquote>quoted</blockquote>');
});

test('q[cite] is dropped unless it is http(s)', () => {
  assert.equal(renderCommentBody('<q cite="mailto:a@example.com">x</q>'), '<p><q>x</q></p>');
  assert.equal(renderCommentBody('<q cite="javascript:alert(1)">x</q>'), '<p><q>x</q></p>');
});

test('rel is forced and target dropped even when the author sent their own', () => {
  assert.equal(
    renderCommentBody('<a href="https://example.com/" rel="dofollow" target="_blank">x</a>'),
    '<p><a href="https://example.com/" rel="nofollow ugc">x</a></p>',
  );
  assert.equal(
    renderCommentBody('<a rel="me" href="https://example.com/" id="y" class="z" title="t">x</a>'),
    '<p><a href="https://example.com/" rel="nofollow ugc">x</a></p>',
  );
});

test('mailto links are kept', () => {
  assert.equal(
    renderCommentBody('[mail me](mailto:ann@example.com)'),
    '<p><a href="mailto:ann@example.com" rel="nofollow ugc">mail me</a></p>',
  );
  assert.equal(
    renderCommentBody('<a href="mailto:ann@example.com">ann</a>'),
    '<p><a href="mailto:ann@example.com" rel="nofollow ugc">ann</a></p>',
  );
});

test('links with a refused href are unwrapped to their text', () => {
  assert.equal(renderCommentBody('<a href="javascript:alert(1)">click</a>'), '<p>click</p>');
  assert.equal(renderCommentBody('<a href="//evil.example/">pr</a>'), '<p>pr</p>');
  assert.equal(renderCommentBody('<a href="/relative">rel</a>'), '<p>rel</p>');
  assert.equal(renderCommentBody('<a href="https://bank.example@evil.example/">phish</a>'), '<p>phish</p>');
  assert.equal(renderCommentBody('<a name="anchor">no href</a>'), '<p>no href</p>');
});

test('Markdown link tricks end as text, never as an href', () => {
  assert.equal(renderCommentBody('[x](javascript:alert(1))'), '<p>[x](javascript:alert(1))</p>');
  assert.equal(renderCommentBody('[x](data:image/png;base64,iVBORw0KGgo=)'), '<p>x</p>');
  assert.equal(renderCommentBody('<javascript:alert(1)>'), '<p>&lt;javascript:alert(1)&gt;</p>');
});

test('script content is dropped entirely, other disallowed tags keep their text', () => {
  assert.equal(renderCommentBody('a <script>alert(1)</script> b'), '<p>a  b</p>');
  assert.equal(renderCommentBody('a <style>p{}</style> b'), '<p>a  b</p>');
  assert.equal(renderCommentBody('a <span class="x">kept</span> <font color="red">too</font> b'), '<p>a kept too b</p>');
});

test('entities are decoded once and re-escaped', () => {
  assert.equal(renderCommentBody('AT&T &amp; &amp;lt; <3'), '<p>AT&amp;T &amp; &amp;lt; &lt;3</p>');
});

test('empty and whitespace-only bodies render as empty strings', () => {
  assert.equal(renderCommentBody(''), '');
  assert.equal(renderCommentBody('  \n\n  '), '');
});

test('countLinks counts links in sanitized output only', () => {
  assert.equal(countLinks(renderCommentBody('no links here')), 0);
  assert.equal(countLinks(renderCommentBody('https://a.example/ and [b](https://b.example/) and <a href="mailto:c@example.com">c</a>')), 3);
  assert.equal(countLinks(renderCommentBody('`<a href="https://a.example/">` and <a href="javascript:x">y</a>')), 0);
  assert.equal(countLinks(renderPlainText('https://a.example/ https://b.example/')), 0);
});

test('renderPlainText escapes, makes paragraphs and line breaks, and no links', () => {
  assert.equal(
    renderPlainText('Tom & Jerry <b>not bold</b>\nhttps://example.com/\n\nnext "para"'),
    '<p>Tom &amp; Jerry &lt;b&gt;not bold&lt;/b&gt;<br />\nhttps://example.com/</p>\n<p>next "para"</p>',
  );
  assert.equal(renderPlainText('a\r\nb\rc'), '<p>a<br />\nb<br />\nc</p>');
  assert.equal(renderPlainText('  \n  '), '');
  assert.equal(renderPlainText('nul\u0000 and esc\u001b gone'), '<p>nul and esc gone</p>');
  assert.equal(renderPlainText('&amp;lt;'), '<p>&amp;amp;lt;</p>');
});

test('renderPlainText output is stable under the policy', () => {
  const out = renderPlainText('<script>alert(1)</script>\n\n<a href="javascript:x">y</a>');
  assert.equal(out, '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n<p>&lt;a href="javascript:x"&gt;y&lt;/a&gt;</p>');
  assert.equal(sanitizeCommentHtml(out), out);
});

test('toPlainText strips tags and drops script and style content', () => {
  assert.equal(toPlainText('<b>Ann</b> <i>Smith</i>'), 'Ann Smith');
  assert.equal(toPlainText('Hi<script>alert(1)</script><style>b{}</style> there'), 'Hi there');
  assert.equal(toPlainText('<a href="https://x.example/" onclick="y">My Blog</a>'), 'My Blog');
  assert.equal(toPlainText('<img src=x onerror=alert(1)>Ann<svg onload=alert(1)>'), 'Ann');
});

test('toPlainText keeps words apart where blocks and line breaks were, and together across inline tags', () => {
  assert.equal(toPlainText('<p>One.</p><p>Two.</p><ul><li>a</li><li>b</li></ul>c<br>d<br/>e'), 'One. Two. a b c d e');
  assert.equal(toPlainText('<b>Ann</b>ie <i>Sm</i>ith'), 'Annie Smith');
  assert.equal(toPlainText('<p class="x" onclick="y">&lt;p&gt; is text</p>'), '<p> is text');
});

test('toPlainText decodes entities exactly once', () => {
  assert.equal(toPlainText('&amp;lt;'), '&lt;');
  assert.equal(toPlainText('&lt;b&gt;not a tag&lt;/b&gt;'), '<b>not a tag</b>');
  assert.equal(toPlainText('Tom &amp; Jerry &#8217;s &#x1F600; &quot;q&quot; &eacute;'), 'Tom & Jerry \u2019s \u{1F600} "q" é');
  assert.equal(toPlainText('Tom & Jerry'), 'Tom & Jerry');
});

test('toPlainText removes control characters and collapses whitespace', () => {
  assert.equal(toPlainText('  a\u0000b\u0007c\u009b  \n\t d\r\n\r\ne  '), 'abc d e');
  assert.equal(toPlainText('&#1;x&#x7f;y'), 'xy');
  assert.equal(toPlainText('keep\u00a0nbsp'), 'keep\u00a0nbsp');
  assert.equal(toPlainText(''), '');
});
