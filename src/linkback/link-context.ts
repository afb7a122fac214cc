/**
 * Plain-text shaping for what a linkback shows: titles, excerpts and the context around a link.
 *
 * Invariant: every cut lands on a grapheme-cluster boundary, so a surrogate pair, an emoji ZWJ
 * sequence, a flag or a letter with combining marks is never split (WordPress cuts its pingback
 * context by bytes and can break CJK mid-character: protocols.md §3.1 step 13, table 7.2 P1).
 * Limits are counted in code points, and an ellipsis marks every place where text was dropped.
 */

const ELLIPSIS = '…';
/** A cut that would split a word backs off to the previous space when one is this close. */
const WORD_BACKOFF = 20;

// Made on first use: the first Intl object of the process pages ICU data (~1.2 MiB) into memory, and
// most processes never cut a text (issue 15: resident memory).
let segmenter: Intl.Segmenter | undefined;
const graphemes = (): Intl.Segmenter => (segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' }));

/** Collapses every run of whitespace (including NBSP and line breaks) to one space. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ');
}

function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

function splitGraphemes(text: string): string[] {
  return Array.from(graphemes().segment(text), (s) => s.segment);
}

/** The longest prefix (fromEnd: suffix) of `text` made of whole graphemes and at most `max` code points. */
function takeWhole(text: string, max: number, fromEnd: boolean): { kept: string; cut: boolean } {
  // Segmenting only a window keeps this O(max): Intl.Segmenter over a whole long text is slow
  // (superlinear in V8), and `max` code points fit in 2·max UTF-16 units.
  const window = 2 * max + 64;
  const bounded = text.length > window;
  const slice = !bounded ? text : fromEnd ? text.slice(text.length - window) : text.slice(0, window);
  const parts = splitGraphemes(slice);
  if (fromEnd) parts.reverse();
  // The grapheme at the window's edge may continue outside it.
  if (bounded) parts.pop();
  let used = 0;
  let count = 0;
  for (const part of parts) {
    const size = codePointLength(part);
    if (used + size > max) break;
    used += size;
    count++;
  }
  if (count === parts.length && !bounded) return { kept: text, cut: false };
  const kept = parts.slice(0, count);
  if (fromEnd) kept.reverse();
  return { kept: kept.join(''), cut: true };
}

/**
 * Collapses whitespace, trims, and shortens to at most `max` code points including a trailing `…`.
 * Returns undefined when nothing but whitespace is left.
 */
export function clipPhrase(text: string, max: number): string | undefined {
  const clean = collapseWhitespace(text).trim();
  if (clean === '') return undefined;
  const { kept, cut } = takeWhole(clean, max, false);
  if (!cut) return clean;
  const shortened = takeWhole(kept, max - 1, false).kept;
  return backOffToSpace(shortened, 'end').trimEnd() + ELLIPSIS;
}

/** Drops a partial word at the cut side when a space is near enough; CJK text has none and is kept. */
function backOffToSpace(text: string, cutSide: 'start' | 'end'): string {
  if (cutSide === 'end') {
    const space = text.lastIndexOf(' ');
    return space >= 0 && text.length - space <= WORD_BACKOFF ? text.slice(0, space) : text;
  }
  const space = text.indexOf(' ');
  return space >= 0 && space < WORD_BACKOFF ? text.slice(space + 1) : text;
}

/**
 * Up to `max` code points of `text` adjacent to `side`'s far end (the end of the text before a link,
 * or the start of the text after it), with whitespace collapsed. Works on a growing window so a huge
 * enclosing block costs only what the excerpt needs, even when the page is indented with long runs
 * of whitespace.
 */
function contextSide(text: string, max: number, side: 'before' | 'after'): { kept: string; cut: boolean } {
  // The window must hold comfortably more than `max` code points after collapsing, so the text
  // kept never reaches the window's far edge, where a grapheme may have been cut in two.
  const margin = 64;
  let window = max * 4 + margin;
  for (;;) {
    const bounded = window < text.length;
    const raw = side === 'before' ? text.slice(text.length - Math.min(window, text.length)) : text.slice(0, window);
    const pool = collapseWhitespace(raw);
    if (bounded && codePointLength(pool) <= max + margin) {
      window *= 4;
      continue;
    }
    const { kept, cut } = takeWhole(pool, max, side === 'before');
    const dropped = cut || (bounded && /\S/.test(side === 'before' ? text.slice(0, text.length - window) : text.slice(window)));
    if (!cut) return { kept, cut: dropped };
    const [edge, neighbour] =
      side === 'before' ? [kept.charAt(0), pool.charAt(pool.length - kept.length - 1)] : [kept.charAt(kept.length - 1), pool.charAt(kept.length)];
    const midWord = edge !== ' ' && neighbour !== ' ';
    return { kept: midWord ? backOffToSpace(kept, side === 'before' ? 'start' : 'end') : kept, cut: dropped };
  }
}

/** Longest link text kept in an excerpt (WordPress keeps 100 bytes of it; we keep code points). */
const MAX_LINK_TEXT = 100;

/**
 * The excerpt for a linkback: the enclosing block's text from about `radius` code points before the
 * link to about `radius` after it, the link text itself included, whitespace collapsed, `…` wherever
 * text was cut. `blockText` is the block's plain text; `[linkStart, linkEnd)` is the link text in it.
 */
export function excerptAround(blockText: string, linkStart: number, linkEnd: number, radius = 100): string | undefined {
  const before = contextSide(blockText.slice(0, linkStart), radius, 'before');
  const after = contextSide(blockText.slice(linkEnd), radius, 'after');
  const linkText = clipPhrase(blockText.slice(linkStart, linkEnd), MAX_LINK_TEXT) ?? '';
  const pad = (s: string) => (/\s/.test(s) ? ' ' : '');
  const head = before.cut ? ELLIPSIS + before.kept.trimStart() : before.kept;
  const tail = after.cut ? after.kept.trimEnd() + ELLIPSIS : after.kept;
  // Keep the spacing the page had around the link text (collapsed to one space at most).
  const middle = linkText === '' ? '' : pad(blockText.slice(linkStart, linkStart + 1)) + linkText + pad(blockText.slice(linkEnd - 1, linkEnd));
  const excerpt = collapseWhitespace(head + middle + tail).trim();
  return excerpt === '' || excerpt === ELLIPSIS || excerpt === ELLIPSIS + ELLIPSIS ? undefined : excerpt;
}
