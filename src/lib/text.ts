/**
 * Plain-text helpers. Pure and HTML-agnostic: callers escape the results when they render them.
 *
 * Lengths are counted in Unicode code points, not UTF-16 code units, so a limit means the same
 * thing for "é" and for "😀", and a cut never leaves half a surrogate pair behind.
 */

/**
 * C0 controls except tab (U+0009), line feed (U+000A) and carriage return (U+000D), DEL, and the C1
 * controls (U+0080–U+009F). CR is kept so callers can normalise CRLF/CR line endings themselves
 * instead of having "a\rb" silently become "ab".
 */
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

/** Removes NUL and other C0/C1 control characters; keeps tab, line feed and carriage return. */
export function stripControlChars(s: string): string {
  return s.replace(CONTROL_CHARS, '');
}

/** Number of Unicode code points in `s` (a lone surrogate counts as one). */
export function countCodePoints(s: string): number {
  let count = 0;
  for (const _ of s) count++;
  return count;
}

/**
 * UTF-16 offset just after the first `n` code points of `s`, or `s.length` when `s` has fewer.
 * Stops early, so it is cheap on long strings.
 */
function offsetAfterCodePoints(s: string, n: number): number {
  let seen = 0;
  let offset = 0;
  for (const ch of s) {
    if (seen === n) return offset;
    seen++;
    offset += ch.length;
  }
  return offset;
}

// Made on first use: the first Intl object of the process pages ICU data (~1.2 MiB) into memory, and
// most processes never cut a text (issue 15: resident memory).
let segmenter: Intl.Segmenter | undefined;
const graphemes = (): Intl.Segmenter => (segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' }));

/**
 * Shortens `text` to at most `maxCodePoints` code points, ellipsis included. The ellipsis is added
 * only when something was cut; text that already fits is returned unchanged. When the limit is
 * smaller than the ellipsis itself, the ellipsis is shortened instead.
 *
 * The cut falls between grapheme clusters, so it never splits a surrogate pair, an emoji sequence
 * (ZWJ family, flag) or a letter from its combining marks, and whitespace before the ellipsis is
 * dropped. (Movable Type and TrackBack 1.1 cut excerpts to 252 + "..."; one `…` keeps three more.)
 */
export function truncateText(text: string, maxCodePoints: number, ellipsis = '…'): string {
  if (!Number.isInteger(maxCodePoints) || maxCodePoints < 0) {
    throw new RangeError(`maxCodePoints must be a non-negative integer, got ${maxCodePoints}`);
  }
  if (offsetAfterCodePoints(text, maxCodePoints) === text.length) return text;
  const room = maxCodePoints - countCodePoints(ellipsis);
  if (room <= 0) return ellipsis.slice(0, offsetAfterCodePoints(ellipsis, maxCodePoints));
  let end = 0;
  let count = 0;
  for (const { segment, index } of graphemes().segment(text)) {
    const size = countCodePoints(segment);
    if (count + size > room) break;
    count += size;
    end = index + segment.length;
  }
  return text.slice(0, end).trimEnd() + ellipsis;
}
