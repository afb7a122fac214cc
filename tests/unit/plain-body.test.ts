/**
 * The plain-text fast path of comment rendering (pipeline/plain-body.ts) gives byte for byte the HTML
 * of markdown-it + sanitize-html, and plain comments really take it; likewise the plain text of names
 * and titles (toPlainText) and of linkback excerpts (renderPlainText) without sanitize-html.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { stripControlChars } from '../../src/lib/text.js';
import { plainBodyHtml } from '../../src/pipeline/plain-body.js';
import {
  bodyRenders, renderCommentBody, renderCommentBodyInFull, renderPlainText, renderPlainTextInFull, toPlainText, toPlainTextInFull,
} from '../../src/pipeline/sanitize.js';

/** Comments people write, with nothing Markdown, linkify or the sanitizer acts on: the fast path's. */
const PLAIN = [
  'Great post, thanks!',
  'Benchmark comment lq2x-17: a short plain-text reply, no links, posted by the load generator.',
  'Thanks for the write-up! I tried it on my own blog yesterday and it worked the first time.\n\nOne question, though: does it also work behind a proxy?',
  'Спасибо за статью! Всё получилось с первого раза, хотя пришлось поменять пару настроек.',
  'Привет.\nВторая строка.\n\n\n\nНовый абзац — с тире, «кавычками» и 3,14.',
  'Danke für den Artikel. Über die Größe der Datei müssen wir noch reden.',
  'C’est très intéressant ; merci ! Qu’en pensez-vous ?',
  '素晴らしい記事です。ありがとうございます！',
  '这篇文章很有用，谢谢。',
  'مقالة رائعة، شكرا لك!',
  'מאמר מצוין, תודה!',
  'Great post 👍 — bookmarked. 👩‍💻🇺🇦',
  'He said "hello" and I said \'hi\'.',
  'a > b, so 5 > 3 (obviously)',
  '# not a heading (headings are off)\n#hashtag',
  'x = 1\n===\ny == z',
  '---\nand then\n+++',
  'Version 1.2.3 is out; see example.com or www.example.com or ann@example.org.',
  'The 2. point was best.\n2024 was a good year.\n10.5 percent',
  'Is it 50% off? $5 ^ 2 {maybe} | pipes | and ! marks',
  'line one   \nline two  \n\nlast line   ',
  '\n\nBlank lines first and last\n\n',
  'A:b http but not a link; ftp://files.example is not linked either; //host neither',
  '-5 degrees, +3 points, 1st place, 7)',
  'Tom said: nice!',
];

/** Comments the full renderer must handle: markup, links, lists, HTML, and whitespace it rewrites. */
const MARKUP = [
  'See https://example.com/page for details.',
  'Mail me: mailto:ann@example.org',
  'HTTP://EXAMPLE.COM shouting',
  '*emphasis* and _underline_ and **strong**',
  '~~struck~~ and `code` and \\*escaped\\*',
  '[a link](https://example.com) and ![image](https://example.com/x.png)',
  '<b>bold</b> <script>alert(1)</script>',
  'Tom & Jerry',
  'AT&amp;T &copy; &#169;',
  '1. first\n2. second',
  '1) first',
  '- item\n- item',
  '+ plus item',
  '> a quote\nstill quoted',
  'text\n> quote after text',
  '    indented code',
  '  two leading spaces',
  'tab\there',
  'windows\r\nline endings\r\n\r\nnext paragraph',
  'old mac\rline ending',
  'non\u00a0breaking space at the end\u00a0',
  'line\u2028separator',
  '```\nfenced\n```',
  'para\n-\nafter a lone dash',
];

function assertSame(body: string): void {
  assert.equal(renderCommentBody(body), renderCommentBodyInFull(body), JSON.stringify(body));
}

describe('the plain-text fast path of comment rendering', () => {
  test('plain comments take the fast path and get the same HTML as from markdown-it + sanitize-html', () => {
    const before = { ...bodyRenders };
    for (const body of PLAIN) {
      assert.notEqual(plainBodyHtml(stripControlChars(body)), undefined, `declined: ${JSON.stringify(body)}`);
      assertSame(body);
    }
    assert.equal(bodyRenders.plain - before.plain, PLAIN.length, 'renderCommentBody used the fast path for every plain comment');
    assert.equal(bodyRenders.markdown, before.markdown);
  });

  test('everything Markdown, linkify or the sanitizer acts on takes the full renderer, with the same HTML', () => {
    const before = { ...bodyRenders };
    for (const body of MARKUP) {
      assert.equal(plainBodyHtml(stripControlChars(body)), undefined, `taken as plain: ${JSON.stringify(body)}`);
      assertSame(body);
    }
    assert.equal(bodyRenders.markdown - before.markdown, MARKUP.length);
  });

  test('random text from an alphabet of plain characters, line breaks and line starts: same HTML', () => {
    const unit = fc.constantFrom(
      'a', 'b', 'Z', 'Я', 'é', '😀', ' ', ' ', '\n', '\n', '.', ',', '!', '?', '"', "'", '(', ')', '-', '+', '=', '#', '>',
      ':', '/', '@', '|', '%', '$', '^', '{', '}', '1', '2', '0', 'http', 'mailto', 'www.',
    );
    let plain = 0;
    let runs = 0;
    fc.assert(fc.property(fc.array(unit, { maxLength: 40 }), (parts) => {
      const body = parts.join('');
      runs += 1;
      if (plainBodyHtml(body) !== undefined) plain += 1;
      assertSame(body);
    }), { numRuns: 6000, seed: 15_3 });
    // The alphabet is mostly plain: if nearly nothing took the fast path, the comparison proved little.
    assert.ok(plain > runs / 4, `only ${plain} of ${runs} random texts took the fast path`);
  });

  test('random text with every character the fast path declines: same HTML', () => {
    const unit = fc.constantFrom(
      'a', 'Я', '😀', '\uD83D', ' ', '\n', '\r', '\t', '\u00a0', '\u2028', '\u0000', '\u0085', '*', '_', '~', '`', '[', ']',
      '\\', '<', '&', '>', '#', '1.', '-', '+', 'http://x.example', 'mailto:a@b.example', '&amp;', '<b>', ':',
    );
    fc.assert(fc.property(fc.array(unit, { maxLength: 30 }), (parts) => assertSame(parts.join(''))), { numRuns: 4000, seed: 15_4 });
  });

  test('names and titles without "<" or "&" skip the sanitizer with the same plain text', () => {
    for (const text of [...PLAIN, ...MARKUP, '', '  Ann  ', 'Ann\u0000\u0085 B.', 'x > y "q"', 'Ann\r\n\tBee']) {
      assert.equal(toPlainText(text), toPlainTextInFull(text), JSON.stringify(text));
    }
    const unit = fc.constantFrom('a', 'Я', '😀', '\uD83D', ' ', '\n', '\r', '\t', '\u00a0', '\u2028', '\u0000', '\u0085', '>', '"', "'", '<', '&', '&amp;', '<b>', '</p>', '=', '/');
    fc.assert(fc.property(fc.array(unit, { maxLength: 30 }), (parts) => {
      const text = parts.join('');
      assert.equal(toPlainText(text), toPlainTextInFull(text), JSON.stringify(text));
    }), { numRuns: 4000, seed: 15_5 });
  });

  test('linkback excerpts: the HTML written directly is what the comment policy makes of it', () => {
    for (const text of [...PLAIN, ...MARKUP, '', ' \n\t ', 'a "quoted" <b>tag</b> & &amp; entity', 'x\n \t\ny\n\n\nz']) {
      assert.equal(renderPlainText(text), renderPlainTextInFull(text), JSON.stringify(text));
    }
    const unit = fc.constantFrom('a', 'Я', '😀', '\uD83D', ' ', '\n', '\r', '\t', '\u00a0', '\u2028', '\u0000', '\u0085', '>', '"', "'", '<', '&', '&amp;', '&#x3C;', '<b>', '</p>', '<!--', '-->', '<![CDATA[', ']]>', '=');
    fc.assert(fc.property(fc.array(unit, { maxLength: 30 }), (parts) => {
      const text = parts.join('');
      assert.equal(renderPlainText(text), renderPlainTextInFull(text), JSON.stringify(text));
    }), { numRuns: 4000, seed: 15_6 });
  });
});
