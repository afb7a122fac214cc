/**
 * One streaming pass of htmlparser2 over a source page: the links and media that could name the
 * target, the visible text around them, `<title>`, `<base href>` and the Webmention delete signal.
 *
 * What counts as a link (protocols.md §2, §4.1, table 7.2 P2, 7.3 W14):
 * - 'anchor' (Pingback, TrackBack): only `<a href>`, like WordPress's `<a[^>]+?TARGET` match.
 * - 'webmention': `<a href>`, `<img src>`, `<video src>`, `<audio src>`, `<source src>` (WM-SPEC §3.2.2).
 * - Nothing in `<script>`, `<style>`, `<textarea>` (raw text, never markup), HTML comments or plain
 *   text counts, and nothing inside `<template>` (inert: never rendered, so no reader sees it).
 * - `<noscript>` content DOES count: it is what readers without JavaScript see, and lazy-loading
 *   plugins put the real `<img src>` there, so a mention by image would otherwise be missed.
 * - CSS is not evaluated: a link hidden with `display:none` still counts.
 * Attribute values arrive entity-decoded from the parser, so `&amp;` in an href is `&` here.
 */
import { Parser } from 'htmlparser2';

/**
 * - 'anchor' (Pingback, TrackBack): only `<a href>` in an HTML page counts.
 * - 'webmention': `<a href>`, `<img src>`, `<video src>`, `<audio src>`, `<source src>` in HTML, an
 *   exact URL as a JSON string value, a substring of a text/plain body.
 */
export type LinkRule = 'anchor' | 'webmention';

/** An element whose text is the context shown around a link inside it. */
export interface Block {
  start: number;
  end: number;
}

export interface LinkCandidate {
  /** The raw attribute value, resolved later against the page's base URL. */
  url: string;
  /** The link text (an image's alt text) as `[textStart, textEnd)` of HtmlScan.text. */
  textStart: number;
  textEnd: number;
  block: Block;
}

export interface HtmlScan {
  /** The page's visible text in document order; block boundaries are marked by a line break. */
  text: string;
  candidates: LinkCandidate[];
  /** Raw text of the first `<title>`, entity-decoded but not trimmed; undefined when there is none. */
  title?: string;
  /** Raw href of the first `<base href>`, which is the one HTML honours. */
  baseHref?: string;
  /**
   * `[start, end)` ranges of the source to leave out before microformats parsing, in order: every
   * `<base>` tag (see microformats.ts) and the content of each `<script>` and `<style>`, which mf2
   * ignores anyway and which is often most of a large page.
   */
  microformatsSkip: Array<[number, number]>;
  /** `<meta http-equiv="Status" content="410 Gone">`: the page says it was deleted. */
  gone: boolean;
  /** The page nests deeper than MAX_NESTING: no real page does, so it is not worth a microformats parse. */
  pathological: boolean;
}

const BLOCKS = new Set([
  'address', 'article', 'aside', 'blockquote', 'body', 'caption', 'dd', 'details', 'dialog', 'div', 'dl', 'dt',
  'fieldset', 'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hgroup',
  'html', 'legend', 'li', 'main', 'nav', 'ol', 'p', 'pre', 'section', 'summary', 'table', 'td', 'th', 'tr', 'ul',
]);
/** Not blocks, but they separate words in rendered text. */
const BREAKS = new Set(['br', 'hr']);
/** Elements whose whole subtree is neither shown nor linked (htmlparser2 parses their content as markup). */
const INERT = new Set(['template']);
/** Raw-text elements: htmlparser2 gives their content as text, which is code or form data, not prose. */
const RAW_TEXT = new Set(['script', 'style', 'textarea']);
/** Foreign content whose `<title>` is not the document title. */
const FOREIGN = new Set(['svg', 'math']);

/**
 * Deepest element nesting the scan follows; Blink's HTML parser stops nesting at the same depth
 * (kMaximumHTMLParserDOMTreeDepth = 512) for the same reason. htmlparser2 keeps its open elements
 * in an array that it unshifts and searches on every tag, so unbounded nesting costs time quadratic
 * in the page: a 1 MiB page of nested `<div>`s took over six minutes to scan. No page a reader can
 * see nests this deep.
 */
export const MAX_NESTING = 512;

/**
 * htmlparser2's Parser with nesting bounded at MAX_NESTING: past it every element is treated as
 * void (isVoidElement is the parser's documented extension point), so its start tag is still seen —
 * a link in it still counts — but nothing nests in it and end tags at that depth are ignored.
 * Each tag then costs at most MAX_NESTING steps, which keeps the scan linear in the page's size.
 */
class NestingBoundedParser extends Parser {
  /** Set once the bound was reached: the page's structure past it was flattened. */
  capped = false;

  protected override isVoidElement(name: string): boolean {
    if (super.isVoidElement(name)) return true;
    // `stack` is private in the typings only; a rename in htmlparser2 fails the nesting tests loudly.
    if ((this as unknown as { stack: string[] }).stack.length < MAX_NESTING) return false;
    this.capped = true;
    return true;
  }
}

const MEDIA_ATTRIBUTE: Record<LinkRule, Record<string, string>> = {
  anchor: { a: 'href' },
  webmention: { a: 'href', img: 'src', video: 'src', audio: 'src', source: 'src' },
};

/** Scans an HTML page once; links are collected in document order, unresolved. */
export function scanHtml(html: string, rule: LinkRule): HtmlScan {
  const chunks: string[] = [];
  let length = 0;
  const append = (text: string) => {
    chunks.push(text);
    length += text.length;
  };
  const root: Block = { start: 0, end: Number.POSITIVE_INFINITY };
  const blocks: Array<{ name: string; block: Block }> = [];
  const scan: HtmlScan = { text: '', candidates: [], microformatsSkip: [], gone: false, pathological: false };
  let rawTextStart = 0;
  const linkAttribute = MEDIA_ATTRIBUTE[rule];
  let inertDepth = 0;
  let foreignDepth = 0;
  let rawText: string | undefined;
  // An object, not two lets: TypeScript does not see the callbacks change them.
  const title: { state: 'before' | 'inside' | 'done'; text: string } = { state: 'before', text: '' };
  let openAnchor: LinkCandidate | undefined;

  const currentBlock = () => blocks[blocks.length - 1]?.block ?? root;
  const closeAnchor = () => {
    if (openAnchor) openAnchor.textEnd = length;
    openAnchor = undefined;
  };

  const parser = new NestingBoundedParser(
    {
      onopentag(name, attribs) {
        if (name === 'base') scan.microformatsSkip.push([parser.startIndex, parser.endIndex + 1]);
        if (INERT.has(name)) inertDepth++;
        if (inertDepth > 0) return;
        if (FOREIGN.has(name)) foreignDepth++;
        if (RAW_TEXT.has(name)) {
          rawText = name;
          rawTextStart = parser.endIndex + 1;
        }
        if (name === 'title' && title.state === 'before' && foreignDepth === 0) title.state = 'inside';
        if (name === 'base' && scan.baseHref === undefined && attribs.href !== undefined) scan.baseHref = attribs.href;
        if (name === 'meta' && isGoneSignal(attribs)) scan.gone = true;
        if (BLOCKS.has(name) || BREAKS.has(name)) append('\n');
        if (BLOCKS.has(name)) blocks.push({ name, block: { start: length, end: Number.POSITIVE_INFINITY } });
        if (name === 'a') closeAnchor();
        const attribute = linkAttribute[name];
        const url = attribute === undefined ? undefined : attribs[attribute];
        const textStart = length;
        // Alt text is what a text-only reader shows for an image, so it is part of the context and
        // stands for the link text of an image mention.
        if (name === 'img' && attribs.alt) append(` ${attribs.alt} `);
        if (url === undefined) return;
        const candidate: LinkCandidate = { url, textStart, textEnd: length, block: currentBlock() };
        scan.candidates.push(candidate);
        if (name === 'a') openAnchor = candidate;
      },
      onclosetag(name, isImplied) {
        if (INERT.has(name) && inertDepth > 0) {
          inertDepth--;
          return;
        }
        if (inertDepth > 0) return;
        if (FOREIGN.has(name) && foreignDepth > 0) foreignDepth--;
        if (name === rawText) {
          rawText = undefined;
          // Only an explicit end tag gives a trustworthy range; textarea content is text mf2 may use.
          if (!isImplied && name !== 'textarea') scan.microformatsSkip.push([rawTextStart, parser.startIndex]);
        }
        if (name === 'title' && title.state === 'inside') {
          title.state = 'done';
          scan.title = title.text;
        }
        if (name === 'a') closeAnchor();
        if (BLOCKS.has(name)) closeBlock(name);
      },
      ontext(text) {
        if (inertDepth > 0) return;
        if (title.state === 'inside') title.text += text;
        else if (rawText === undefined) append(text);
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );

  // htmlparser2 closes elements in nesting order, but a stray end tag must not unwind blocks it
  // never opened. The search starts at the innermost block, where the closed one nearly always is.
  function closeBlock(name: string): void {
    let index = blocks.length - 1;
    while (index >= 0 && blocks[index]!.name !== name) index--;
    if (index < 0) return;
    append('\n');
    for (const open of blocks.splice(index)) open.block.end = length;
  }

  parser.end(html);
  scan.pathological = parser.capped;
  closeAnchor();
  if (title.state === 'inside') scan.title = title.text;
  scan.text = chunks.join('');
  root.end = scan.text.length;
  for (const open of blocks) open.block.end = scan.text.length;
  return scan;
}

/** `<meta http-equiv="Status" content="410 Gone">` (Webmention delete signal for static hosts). */
function isGoneSignal(attribs: Record<string, string>): boolean {
  return attribs['http-equiv']?.trim().toLowerCase() === 'status' && /^\s*410(\s|$)/.test(attribs.content ?? '');
}

/** The URL relative links resolve against: `<base href>` resolved against the page URL, else the page URL. */
export function baseUrlOf(scan: HtmlScan, pageUrl: string): URL | undefined {
  const page = parseUrl(pageUrl);
  if (scan.baseHref === undefined || page === undefined) return page;
  return parseUrl(scan.baseHref, page) ?? page;
}

/**
 * The first candidate whose resolved URL has `targetKey` as its link key, in document order.
 * `keyOf` is lib/url linkKey: exact match after normalization only, so `/post` and `/post/` differ
 * and so do http and https (WM-SPEC §3.2.2 "exact match"); the fragment is ignored (table 7.2 P17).
 */
export function firstLinkTo(
  scan: HtmlScan,
  base: URL | undefined,
  targetKey: string,
  keyOf: (url: string) => string | undefined,
): LinkCandidate | undefined {
  for (const candidate of scan.candidates) {
    const resolved = parseUrl(candidate.url, base);
    if (resolved && keyOf(resolved.href) === targetKey) return candidate;
  }
  return undefined;
}

function parseUrl(input: string, base?: URL): URL | undefined {
  try {
    return new URL(input, base);
  } catch {
    return undefined;
  }
}
