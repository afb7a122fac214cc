import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClientInfo } from '../../src/domain/comment.js';
import { AppError } from '../../src/domain/errors.js';
import { escapeXml, stripInvalidXmlChars } from '../../src/lib/xml.js';
import { decodeFormBody, type DecodedForm } from '../../src/protocols/form-body.js';
import { formatTrackbackResponse, formatTrackbackRss, parseTrackbackPing, truncateExcerpt } from '../../src/protocols/trackback.js';

const TARGET = 'https://blog.example/2024/01/hello/';
const CLIENT: ClientInfo = { ip: '192.0.2.7', userAgent: 'MovableType/3.2', referrer: '' };
const PROLOG = '<?xml version="1.0" encoding="utf-8"?>\n';

function fieldsOf(body: string): DecodedForm {
  return decodeFormBody(Buffer.from(body), 'application/x-www-form-urlencoded; charset=utf-8');
}

/** A form whose values are already text. */
function formOf(fields: Map<string, string>): DecodedForm {
  return { fields, charset: 'utf-8', undecoded: new Map() };
}

/**
 * A small well-formedness check for the documents we write: the prolog, one root element, balanced
 * tags, attributes quoted, text free of raw `<` and of `&` outside a reference, only XML 1.0 characters.
 */
function assertWellFormedXml(doc: string): void {
  assert.ok(doc.startsWith(PROLOG), 'starts with the prolog');
  assert.doesNotMatch(doc, /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u, 'only XML 1.0 characters');
  const token = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<&]*")*)\s*(\/?)>|([^<]+)/y;
  const text = /^(?:[^&<]|&(?:amp|lt|gt|quot|apos|#\d+|#x[\dA-Fa-f]+);)*$/;
  const open: string[] = [];
  let roots = 0;
  token.lastIndex = PROLOG.length;
  while (token.lastIndex < doc.length) {
    const at = token.lastIndex;
    const match = token.exec(doc);
    assert.ok(match, `unexpected markup at ${at}: ${JSON.stringify(doc.slice(at, at + 30))}`);
    const [, closing, name, , selfClosing, chars] = match;
    if (chars !== undefined) {
      assert.match(chars, text, `bad character data ${JSON.stringify(chars)}`);
      assert.ok(open.length > 0 || chars.trim() === '', 'no text outside the root element');
    } else if (closing) {
      assert.equal(open.pop(), name, `</${name}> closes the open element`);
    } else {
      if (open.length === 0) roots++;
      if (!selfClosing) open.push(name!);
    }
  }
  assert.deepEqual(open, [], 'every element closed');
  assert.equal(roots, 1, 'one root element');
}

function unescapeXml(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return text.replace(/&(?:#x([\dA-Fa-f]+)|#(\d+)|(\w+));/g, (_, hex?: string, dec?: string, name?: string) =>
    hex ? String.fromCodePoint(parseInt(hex, 16)) : dec ? String.fromCodePoint(Number(dec)) : named[name!]!,
  );
}

function messageOf(doc: string): string {
  const match = /<message>([^<]*)<\/message>/.exec(doc);
  assert.ok(match, 'has a <message>');
  return unescapeXml(match[1]!);
}

function assertRefused(fields: DecodedForm, code: string, message: string | RegExp): void {
  assert.throws(
    () => parseTrackbackPing(fields, TARGET, CLIENT),
    (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, code);
      assert.equal(error.status, 400);
      assert.equal(error.field, 'url');
      if (typeof message === 'string') assert.equal(error.message, message);
      else assert.match(error.message, message);
      return true;
    },
  );
}

describe('parseTrackbackPing', () => {
  it('reads the TrackBack 1.2 example body', () => {
    const fields = fieldsOf('title=Foo+Bar&url=http%3A%2F%2Fwww.bar.example%2F&excerpt=My+Excerpt&blog_name=Foo');
    assert.deepEqual(parseTrackbackPing(fields, TARGET, CLIENT), {
      kind: 'trackback',
      target: TARGET,
      source: 'http://www.bar.example/',
      title: 'Foo Bar',
      excerpt: 'My Excerpt',
      blogName: 'Foo',
      client: CLIENT,
    });
  });

  it('needs only url; absent optional fields stay absent', () => {
    const submission = parseTrackbackPing(fieldsOf('url=https%3A%2F%2Fother.example%2Fpost'), TARGET, CLIENT);
    assert.deepEqual(Object.keys(submission).sort(), ['client', 'kind', 'source', 'target']);
    assert.equal(submission.source, 'https://other.example/post');
  });

  it('accepts only the TrackBack fields', () => {
    const body = 'url=http%3A%2F%2Fa.example%2F&status=approved&kind=comment&target=http%3A%2F%2Fevil.example%2F&client=x&source=y';
    const submission = parseTrackbackPing(fieldsOf(body), TARGET, CLIENT);
    assert.deepEqual(submission, { kind: 'trackback', target: TARGET, source: 'http://a.example/', client: CLIENT });
  });

  it('passes title, excerpt and blog_name on exactly as sent, markup and all', () => {
    const fields = formOf(new Map([
      ['url', 'http://a.example/'],
      ['title', '  <b>Bold</b> &amp; \u0000 '],
      ['excerpt', '<script>alert(1)</script>'],
      ['blog_name', ''],
    ]));
    const submission = parseTrackbackPing(fields, TARGET, CLIENT);
    assert.equal(submission.title, '  <b>Bold</b> &amp; \u0000 ');
    assert.equal(submission.excerpt, '<script>alert(1)</script>');
    assert.equal(submission.blogName, '');
  });

  it('refuses a ping without url, with Movable Type’s message (7.1 T2)', () => {
    for (const body of ['title=Foo', 'url=&title=Foo', 'url=+++&title=Foo', '']) {
      assertRefused(fieldsOf(body), 'missing-field', 'You need to provide a Source URL (url).');
    }
  });

  it('refuses URLs that are not absolute http(s) without credentials (7.1 T17)', () => {
    const bad = [
      'javascript:alert(1)',
      'ftp://x.example/file',
      'http://user:pass@host.example/',
      'https://user@host.example/',
      '/relative/path',
      'www.example.com/post',
      'data:text/html,<p>hi</p>',
      'http://',
      'http://exa mple.com/',
    ];
    for (const url of bad) {
      assertRefused(formOf(new Map([['url', url]])), 'invalid-url', `Invalid URL '${url}'`);
    }
  });

  it('repeats at most 200 characters of a refused URL', () => {
    const url = `javascript:${'x'.repeat(5000)}`;
    assertRefused(formOf(new Map([['url', url]])), 'invalid-url', /^Invalid URL 'javascript:x{188}…'$/);
  });
});

describe('formatTrackbackResponse', () => {
  it('answers success exactly as TrackBack 1.2 shows', () => {
    const doc = formatTrackbackResponse();
    assert.equal(doc, '<?xml version="1.0" encoding="utf-8"?>\n<response>\n<error>0</error>\n</response>\n');
    assertWellFormedXml(doc);
  });

  it('answers a refusal with error 1 and the message', () => {
    const doc = formatTrackbackResponse('There is already a ping from that URL for this post.');
    assert.equal(
      doc,
      '<?xml version="1.0" encoding="utf-8"?>\n<response>\n<error>1</error>\n' +
        '<message>There is already a ping from that URL for this post.</message>\n</response>\n',
    );
    assertWellFormedXml(doc);
  });

  it('treats an empty message as a refusal', () => {
    assert.match(formatTrackbackResponse(''), /<error>1<\/error>\n<message><\/message>/);
  });

  it('escapes markup in the message so the response stays XML (7.1 T20)', () => {
    const message = `Invalid URL 'http://a.example/?a=1&b=<2>' "quoted" it's`;
    const doc = formatTrackbackResponse(message);
    assert.match(doc, /<message>Invalid URL &apos;http:\/\/a\.example\/\?a=1&amp;b=&lt;2&gt;&apos; &quot;quoted&quot; it&apos;s<\/message>/);
    assertWellFormedXml(doc);
    assert.equal(messageOf(doc), message);
  });

  it('drops control characters, lone surrogates and U+FFFE/FFFF, keeping tab, newlines and real pairs', () => {
    const message = 'a\u0000b\u0001c\u0008d\u000Be\u000Cf\u001Fg\tTab\nLF\r\nCRLF\uD800h\uDC00i\uFFFEj\uFFFFk 😀 \u007F';
    const doc = formatTrackbackResponse(message);
    assertWellFormedXml(doc);
    assert.equal(messageOf(doc), 'abcdefg\tTab\nLF\r\nCRLFhijk 😀 \u007F');
  });

  it('round-trips arbitrary valid messages', () => {
    const messages = ['日本語のメッセージ', '&amp; is already escaped', ']]> <![CDATA[ x ]]>', '\u{10FFFF}\uE000\uFFFD', 'a\r\nb'];
    for (const message of messages) {
      const doc = formatTrackbackResponse(message);
      assertWellFormedXml(doc);
      assert.equal(messageOf(doc), message);
    }
  });
});

describe('escapeXml and stripInvalidXmlChars', () => {
  it('escapes the five predefined entities and CR', () => {
    assert.equal(escapeXml(`<a href="x">&'\r</a>`), '&lt;a href=&quot;x&quot;&gt;&amp;&apos;&#13;&lt;/a&gt;');
  });

  it('removes only what XML 1.0 cannot carry', () => {
    assert.equal(stripInvalidXmlChars('\u0000\u0009\u000A\u000D\u0020\uD7FF\uD800|\uDFFF\uE000\uFFFD\uFFFE\uFFFF\u{10000}'), '\t\n\r \uD7FF|\uE000\uFFFD\u{10000}');
    assert.equal(stripInvalidXmlChars('😀'), '😀');
    assert.equal(stripInvalidXmlChars('\uDE00\uD83D'), '');
  });
});

describe('formatTrackbackRss', () => {
  it('lists pings in Movable Type’s __mode=rss shape', () => {
    const doc = formatTrackbackRss({ target: TARGET, title: 'Hello' }, [
      { title: 'Foo Bar', source: 'http://www.bar.example/', excerpt: 'My Excerpt' },
    ]);
    assert.equal(
      doc,
      '<?xml version="1.0" encoding="utf-8"?>\n<response>\n<error>0</error>\n<rss version="0.91"><channel>\n' +
        '<title>Hello</title>\n<link>https://blog.example/2024/01/hello/</link>\n' +
        '<description>TrackBacks for Hello</description>\n<language>en-us</language>\n' +
        '<item>\n<title>Foo Bar</title>\n<link>http://www.bar.example/</link>\n<description>My Excerpt</description>\n</item>\n' +
        '</channel>\n</rss></response>\n',
    );
    assertWellFormedXml(doc);
  });

  it('lists a thread without pings as an empty channel', () => {
    const doc = formatTrackbackRss({ target: TARGET, title: null }, []);
    assert.equal(formatTrackbackRss({ target: TARGET, title: '' }, []), doc);
    assert.match(doc, /<channel>\n<title>https:\/\/blog\.example\/2024\/01\/hello\/<\/title>\n/);
    assert.doesNotMatch(doc, /<item>/);
    assertWellFormedXml(doc);
  });

  it('titles an untitled ping with its URL', () => {
    const doc = formatTrackbackRss({ target: TARGET, title: 'T' }, [
      { title: null, source: 'http://a.example/', excerpt: '' },
      { title: null, source: null, excerpt: 'x' },
      { title: '', source: 'http://b.example/', excerpt: '' },
    ]);
    assert.match(doc, /<item>\n<title>http:\/\/a\.example\/<\/title>\n<link>http:\/\/a\.example\/<\/link>\n<description><\/description>/);
    assert.match(doc, /<item>\n<title><\/title>\n<link><\/link>\n<description>x<\/description>/);
    assert.match(doc, /<item>\n<title>http:\/\/b\.example\/<\/title>/);
    assert.match(doc, /<item>\n<title>http:\/\/b\.example\/<\/title>/);
    assertWellFormedXml(doc);
  });

  it('escapes and cleans every value', () => {
    const doc = formatTrackbackRss({ target: 'https://blog.example/?p=1&q=<2>', title: 'Tom & "Jerry" <3' }, [
      { title: '</title><script>', source: 'http://a.example/?x=1&y=2', excerpt: 'bad\u0000\uD800 ]]> chars \u0007' },
    ]);
    assertWellFormedXml(doc);
    assert.match(doc, /<title>Tom &amp; &quot;Jerry&quot; &lt;3<\/title>/);
    assert.match(doc, /<link>https:\/\/blog\.example\/\?p=1&amp;q=&lt;2&gt;<\/link>/);
    assert.match(doc, /<description>TrackBacks for Tom &amp; &quot;Jerry&quot; &lt;3<\/description>/);
    assert.match(doc, /<title>&lt;\/title&gt;&lt;script&gt;<\/title>/);
    assert.match(doc, /<link>http:\/\/a\.example\/\?x=1&amp;y=2<\/link>/);
    assert.match(doc, /<description>bad \]\]&gt; chars <\/description>/);
  });
});

describe('truncateExcerpt', () => {
  const codePoints = (text: string) => Array.from(text).length;
  const hasLoneSurrogate = (text: string) => /[\uD800-\uDFFF]/u.test(text);

  it('cuts 300 ASCII characters to 254 and an ellipsis', () => {
    const result = truncateExcerpt('a'.repeat(300));
    assert.equal(result, `${'a'.repeat(254)}…`);
    assert.equal(codePoints(result), 255);
  });

  it('leaves text within the limit unchanged, trailing spaces included', () => {
    assert.equal(truncateExcerpt('a'.repeat(255)), 'a'.repeat(255));
    assert.equal(truncateExcerpt('short  '), 'short  ');
    assert.equal(truncateExcerpt(''), '');
    assert.equal(truncateExcerpt('a'.repeat(256)), `${'a'.repeat(254)}…`);
  });

  it('counts code points, not UTF-16 units', () => {
    const emoji = '😀'.repeat(255);
    assert.equal(truncateExcerpt(emoji), emoji);
    const result = truncateExcerpt('😀'.repeat(256));
    assert.equal(result, `${'😀'.repeat(254)}…`);
    assert.equal(codePoints(result), 255);
  });

  it('never splits an emoji at the boundary', () => {
    const pairAtCut = `${'a'.repeat(253)}😀😀bbb`;
    assert.equal(truncateExcerpt(pairAtCut), `${'a'.repeat(253)}😀…`);
    const straddling = `${'a'.repeat(253)}👨‍👩‍👧 and more`;
    assert.equal(truncateExcerpt(straddling), `${'a'.repeat(253)}…`);
    const flag = `${'a'.repeat(253)}🇯🇵🇯🇵`;
    assert.equal(truncateExcerpt(flag), `${'a'.repeat(253)}…`);
    for (const text of [pairAtCut, straddling, flag]) {
      for (let max = 250; max <= 262; max++) {
        const result = truncateExcerpt(text, max);
        assert.ok(!hasLoneSurrogate(result), `max ${max}`);
        assert.ok(codePoints(result) <= max, `max ${max}`);
      }
    }
  });

  it('keeps a letter with its combining mark', () => {
    assert.equal(truncateExcerpt('abcde\u0301fgh', 6), 'abcd…');
  });

  it('cuts Japanese text by characters', () => {
    const text = 'トラックバックの抜粋です。'.repeat(30);
    const result = truncateExcerpt(text);
    assert.equal(result, `${Array.from(text).slice(0, 254).join('')}…`);
    assert.equal(truncateExcerpt('日本語の長い抜粋文', 5), '日本語の…');
  });

  it('trims trailing whitespace before the ellipsis', () => {
    assert.equal(truncateExcerpt('abcd efgh ijkl', 6), 'abcd…');
    assert.equal(truncateExcerpt('日本語\u3000\u3000続き', 6), '日本語…');
    assert.equal(truncateExcerpt('abc \n\t xyz', 8), 'abc…');
  });

  it('handles the smallest limits and refuses nonsense ones', () => {
    assert.equal(truncateExcerpt('abc', 1), '…');
    assert.equal(truncateExcerpt('abc', 2), 'a…');
    assert.throws(() => truncateExcerpt('abc', 0), RangeError);
    assert.throws(() => truncateExcerpt('abc', 2.5), RangeError);
  });
});
