import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkSourceLinks } from '../../src/linkback/find-link.js';
import { excerptAround, clipPhrase } from '../../src/linkback/link-context.js';

const TARGET = 'https://blog.example/post/';

function excerptOf(body: string): string | undefined {
  const html = `<html><head><title>t</title></head><body>${body}</body></html>`;
  const result = checkSourceLinks({ url: 'https://alice.example/', contentType: 'text/html', body: html }, TARGET, 'anchor');
  assert.equal(result.kind, 'linked');
  return result.kind === 'linked' ? result.source.excerpt : undefined;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Splits `…before LINK after…` around the link text; fails when the shape is wrong. */
function sides(excerpt: string | undefined, link: string): { before: string; after: string } {
  assert.ok(excerpt !== undefined);
  const at = excerpt.indexOf(link);
  assert.ok(at >= 0, `link text missing from ${excerpt}`);
  return { before: excerpt.slice(0, at), after: excerpt.slice(at + link.length) };
}

describe('context around the link', () => {
  it('keeps about 100 characters on each side, with … where text was cut (P1)', () => {
    const words = (prefix: string) => Array.from({ length: 60 }, (_, i) => `${prefix}${i}`).join(' ');
    const excerpt = excerptOf(`<p>${words('a')} <a href="${TARGET}">LINK TEXT</a> ${words('b')}</p>`);
    const { before, after } = sides(excerpt, 'LINK TEXT');
    assert.ok(before.startsWith('…'), before);
    assert.ok(after.endsWith('…'), after);
    const beforeLength = [...before].length;
    const afterLength = [...after].length;
    assert.ok(beforeLength >= 80 && beforeLength <= 102, `before: ${beforeLength}`);
    assert.ok(afterLength >= 80 && afterLength <= 102, `after: ${afterLength}`);
    // Cut on word boundaries when the text has spaces: no half words at either end.
    assert.match(before, /^…a\d+ /);
    assert.match(after, / b\d+…$/);
    assert.ok(after.includes(' b0 '));
    assert.ok(before.endsWith(' a59 '));
  });

  it('keeps a short paragraph whole, without ellipses, whitespace collapsed', () => {
    assert.equal(excerptOf(`<p>\n  Short   and <a href="${TARGET}">\n sweet </a>\n  text.\n</p>`), 'Short and sweet text.');
  });

  it('takes context only from the enclosing block element', () => {
    const body = `<p>Earlier paragraph.</p><ul><li>Item <a href="${TARGET}">here</a> only</li><li>Next item</li></ul><p>Later.</p>`;
    assert.equal(excerptOf(body), 'Item here only');
    assert.equal(excerptOf(`<blockquote>Quoted <a href="${TARGET}">x</a></blockquote><div>other</div>`), 'Quoted x');
  });

  it('counts CJK by characters and never splits a surrogate pair at the cut', () => {
    // U+20000 and friends (CJK Extension B) are astral: two UTF-16 units each.
    const astral = '𠀀𠀁𠀂𠀃𠀄'.repeat(60);
    const bmp = '日本語の文章です。'.repeat(30);
    const excerpt = excerptOf(`<p>${astral}<a href="${TARGET}">リンク</a>${bmp}</p>`);
    assert.ok(excerpt !== undefined);
    assert.doesNotMatch(excerpt, LONE_SURROGATE);
    const { before, after } = sides(excerpt, 'リンク');
    assert.equal([...before].length, 101, 'ellipsis + 100 characters');
    assert.equal([...after].length, 101);
    assert.ok(before.startsWith('…') && after.endsWith('…'));
  });

  it('never splits an emoji ZWJ sequence or flag at the cut', () => {
    const family = '👨‍👩‍👧';
    const flags = '🇯🇵🇫🇷';
    const excerpt = excerptOf(`<p>${family.repeat(50)}<a href="${TARGET}">x</a>${flags.repeat(50)}</p>`);
    const { before, after } = sides(excerpt, 'x');
    assert.doesNotMatch(before + after, LONE_SURROGATE);
    assert.equal(before.slice(1).split(family).join(''), '', 'only whole family emoji before the link');
    assert.equal(after.slice(0, -1).split('🇯🇵').join('').split('🇫🇷').join(''), '', 'only whole flags after the link');
    assert.ok([...before].length <= 101 && [...before].length > 90);
  });

  it('gives no excerpt when the link stands alone with no text', () => {
    assert.equal(excerptOf(`<p><a href="${TARGET}"></a></p>`), undefined);
  });

  it('shortens a very long link text', () => {
    const excerpt = excerptOf(`<p>See <a href="${TARGET}">${'word '.repeat(60)}</a> here.</p>`);
    assert.ok(excerpt !== undefined && excerpt.startsWith('See word') && excerpt.endsWith('… here.'));
    assert.ok([...excerpt].length < 120);
  });
});

describe('excerptAround and clipPhrase', () => {
  it('cuts a long text on a grapheme boundary within the limit', () => {
    assert.equal(clipPhrase('  a   b  ', 10), 'a b');
    assert.equal(clipPhrase('   ', 10), undefined);
    const cut = clipPhrase('é'.normalize('NFD').repeat(10), 7);
    assert.equal(cut, 'é'.normalize('NFD').repeat(3) + '…');
  });

  it('works on plain strings with offsets', () => {
    assert.equal(excerptAround('before LINK after', 7, 11), 'before LINK after');
    assert.equal(excerptAround('x'.repeat(300) + 'LINK', 300, 304, 10), '…' + 'x'.repeat(10) + 'LINK');
  });
});
