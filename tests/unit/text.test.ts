import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { countCodePoints, stripControlChars, truncateText } from '../../src/lib/text.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

test('countCodePoints counts code points, not UTF-16 units', () => {
  assert.equal(countCodePoints(''), 0);
  assert.equal(countCodePoints('abc'), 3);
  assert.equal(countCodePoints('a😀b'), 3);
  assert.equal('a😀b'.length, 4);
  assert.equal(countCodePoints('\uD83D'), 1);
});

test('truncateText returns text that fits unchanged, without an ellipsis', () => {
  assert.equal(truncateText('hello', 10), 'hello');
  assert.equal(truncateText('hello', 5), 'hello');
  assert.equal(truncateText('😀😀', 2), '😀😀');
  assert.equal(truncateText('', 0), '');
});

test('truncateText cuts and adds the ellipsis within the limit', () => {
  assert.equal(truncateText('hello world', 6), 'hello…');
  assert.equal(countCodePoints(truncateText('hello world', 6)), 6);
  assert.equal(truncateText('hello world', 8, '...'), 'hello...');
  assert.equal(truncateText('hello world', 5, ''), 'hello');
});

test('truncateText never splits an emoji at the cut', () => {
  assert.equal(truncateText('ab😀cd', 4), 'ab😀…');
  assert.equal(truncateText('ab😀cd', 3), 'ab…');
  assert.equal(truncateText('😀😀😀', 2), '😀…');
  assert.doesNotMatch(truncateText('x😀😀😀', 3), LONE_SURROGATE);
});

test('truncateText shortens the ellipsis when the limit is smaller than it', () => {
  assert.equal(truncateText('abcdef', 1), '…');
  assert.equal(truncateText('abcdef', 2, '...'), '..');
  assert.equal(truncateText('abcdef', 0), '');
});

test('truncateText rejects a negative or fractional limit', () => {
  assert.throws(() => truncateText('abc', -1), RangeError);
  assert.throws(() => truncateText('abc', 1.5), RangeError);
  assert.throws(() => truncateText('abc', Number.NaN), RangeError);
});

test('truncateText: at most max code points, a prefix plus ellipsis, never inside a grapheme', () => {
  const text = fc.string({ unit: fc.constantFrom('a', ' ', 'é', '😀', '👩‍💻', '\uD83D'), maxLength: 30 });
  fc.assert(
    fc.property(text, fc.nat(35), (s, max) => {
      const out = truncateText(s, max);
      assert.ok(countCodePoints(out) <= max);
      if (countCodePoints(s) <= max) {
        assert.equal(out, s);
        return;
      }
      const kept = max === 0 ? '' : out.slice(0, -1);
      assert.equal(out, max === 0 ? '' : `${kept}…`);
      assert.ok(s.startsWith(kept));
      assert.ok(countCodePoints(kept) <= Math.max(0, max - 1));
      // The cut is on a grapheme boundary of the original: what follows starts a new cluster.
      const clusters = [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(s)].map((g) => g.index);
      const boundary = kept.length === 0 || clusters.includes(kept.length) || /\s/.test(s.charAt(kept.length));
      assert.ok(boundary, `cut inside a grapheme: ${JSON.stringify(s)} at ${max}`);
      assert.ok(kept === kept.trimEnd(), 'no whitespace before the ellipsis');
    }),
    { numRuns: 500, seed: 7 },
  );
});

test('stripControlChars removes NUL, C0 and C1 controls and DEL, keeps tab and line endings', () => {
  assert.equal(stripControlChars('a\u0000b\u0001c\u001bd\u007fe\u0085f\u009fg'), 'abcdefg');
  assert.equal(stripControlChars('tab\there\nline\r\nend'), 'tab\there\nline\r\nend');
  assert.equal(stripControlChars('\u000b\u000c'), '');
  assert.equal(stripControlChars('nbsp\u00a0 é 😀 \u200b'), 'nbsp\u00a0 é 😀 \u200b');
});
