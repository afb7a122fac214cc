/**
 * Which links of one of the owner's posts get a linkback: the links of its content, not of the page.
 * The content is the `e-content` of the post's h-entry when the page has one (the microformats
 * markup says exactly where the post is), else the first `<article>`, else `<main>`, else `<body>`.
 * Site chrome is left out: `<nav>` always, and `<header>`, `<footer>`, `<aside>` when the content is
 * only guessed from the layout (they hold menus, tag clouds, share buttons, blogrolls). Only `<a href>`
 * counts, as in WordPress's `wp_extract_urls` use for pings; links to the post itself are dropped.
 */
import { createHash } from 'node:crypto';
import { Parser } from 'htmlparser2';
import { mf2 } from '../lib/lazy-mf2.js';
import { linkKey, parseHttpUrl } from '../lib/url.js';

type Item = ReturnType<typeof mf2>['items'][number];

/** Elements whose links are never the post's own: menus, always. */
const NAVIGATION = new Set(['nav']);
/** Also chrome when the content region is guessed from the layout rather than marked up. */
const PAGE_CHROME = new Set(['nav', 'header', 'footer', 'aside']);
/** Raw or inert content: never a link a reader follows. */
const INERT = new Set(['template', 'script', 'style', 'noscript', 'textarea']);
/** Elements that break text, so words either side do not run together in the excerpt. */
const BLOCKS = new Set(['p', 'div', 'br', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'tr', 'td', 'section', 'figure', 'figcaption']);

/** Where a link or a piece of text sits in the page. */
interface Placed {
  /** Index of the outermost `<article>` it is in, or -1. */
  article: number;
  inMain: boolean;
  inChrome: boolean;
}

interface FoundLink extends Placed {
  href: string;
}

interface FoundText extends Placed {
  text: string;
}

export interface PostContent {
  /** The distinct absolute http(s) URLs the post links to, in document order, itself left out. */
  links: string[];
  /** The entry's name, else the page's `<title>`; '' when there is neither. */
  title: string;
  /** The start of the content's text, for TrackBack's `excerpt`. */
  excerpt: string;
  /** Changes when the content (its text or its links) changes, and not when only the page around it does. */
  fingerprint: string;
  /**
   * `<meta http-equiv="Status" content="410 Gone">`: how a static site, which cannot answer 410,
   * says a post was deleted (webmention.rocks delete test 1 accepts it as the 410).
   */
  gone: boolean;
}

const MAX_TITLE = 250;
const MAX_EXCERPT = 300;

/** Reads one of the owner's posts: its content's links, title, excerpt and fingerprint. `html` is the page as fetched. */
export function readPost(html: string, pageUrl: string): PostContent {
  const page = scanPage(html, PAGE_CHROME);
  const base = resolveBase(page.baseHref, pageUrl);
  const entry = entryContent(html, base, pageUrl);
  let hrefs: string[];
  let text: string;
  if (entry !== undefined) {
    const content = scanPage(entry.html, NAVIGATION);
    hrefs = content.links.filter((l) => !l.inChrome).map((l) => l.href);
    text = content.texts.filter((t) => !t.inChrome).map((t) => t.text).join('');
  } else {
    const inRegion = (p: Placed) => !p.inChrome && (page.articles > 0 ? p.article === 0 : page.mains > 0 ? p.inMain : true);
    hrefs = page.links.filter(inRegion).map((l) => l.href);
    text = page.texts.filter(inRegion).map((t) => t.text).join('');
  }
  const links = absoluteLinks(hrefs, base, pageUrl);
  const plain = text.replace(/\s+/g, ' ').trim();
  return {
    links,
    title: clipText(entry?.name ?? page.title ?? '', MAX_TITLE),
    excerpt: clipText(plain, MAX_EXCERPT),
    gone: page.gone,
    fingerprint: createHash('sha256').update(plain).update('\n').update(links.join('\n')).digest('hex'),
  };
}

/** Just the links of the post (see readPost). */
export function extractPostLinks(html: string, pageUrl: string): string[] {
  return readPost(html, pageUrl).links;
}

function clipText(text: string, max: number): string {
  const chars = [...text.replace(/\s+/g, ' ').trim()];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : chars.join('');
}

function absoluteLinks(hrefs: readonly string[], base: string, pageUrl: string): string[] {
  const self = new Set([linkKey(pageUrl)]);
  const seen = new Set<string>();
  const out: string[] = [];
  for (const href of hrefs) {
    // An in-page anchor (footnotes, "#comments") is never another page, whatever <base> says.
    if (href.trim().startsWith('#')) continue;
    let url: URL | undefined;
    try {
      url = parseHttpUrl(new URL(href.trim(), base).href);
    } catch {
      url = undefined;
    }
    if (!url) continue;
    if (self.has(linkKey(url.href))) continue;
    if (seen.has(url.href)) continue;
    seen.add(url.href);
    out.push(url.href);
  }
  return out;
}

/** The post's `e-content` HTML (relative URLs already resolved by the parser) and its name, or undefined. */
function entryContent(html: string, baseUrl: string, pageUrl: string): { html: string; name?: string } | undefined {
  if (!html.includes('h-entry')) return undefined;
  let items: Item[];
  try {
    items = mf2(html, { baseUrl }).items;
  } catch {
    return undefined;
  }
  const entries: Item[] = [];
  for (const item of items) {
    if (item.type?.includes('h-entry')) entries.push(item);
    for (const child of item.children ?? []) if (child.type?.includes('h-entry')) entries.push(child);
  }
  const pageKey = linkKey(pageUrl);
  const urls = (entry: Item) => (entry.properties.url ?? []).map((v) => (typeof v === 'string' ? linkKey(v) : undefined));
  // A post page names itself in u-url; on a page of several entries only that one is the post.
  const entry = entries.find((e) => urls(e).includes(pageKey)) ?? (entries.length === 1 ? entries[0] : undefined);
  const content = entry?.properties.content?.[0];
  if (!(content && typeof content === 'object' && 'html' in content && typeof content.html === 'string')) return undefined;
  const name = entry?.properties.name?.[0];
  return { html: content.html, ...(typeof name === 'string' ? { name } : {}) };
}

function resolveBase(baseHref: string | undefined, pageUrl: string): string {
  if (baseHref === undefined) return pageUrl;
  try {
    return new URL(baseHref.trim(), pageUrl).href;
  } catch {
    return pageUrl;
  }
}

interface PageScan {
  gone: boolean;
  links: FoundLink[];
  texts: FoundText[];
  title?: string;
  articles: number;
  mains: number;
  baseHref?: string;
}

/** One htmlparser2 pass: every `<a href>` with where it sits. `chrome` names the elements to mark. */
function scanPage(html: string, chrome: ReadonlySet<string>): PageScan {
  const scan: PageScan = { gone: false, links: [], texts: [], articles: 0, mains: 0 };
  const where = (): Placed => ({ article: articleDepth > 0 ? article : -1, inMain: mainDepth > 0, inChrome: chromeDepth > 0 });
  let inTitle = false;
  const stack: string[] = [];
  let article = -1;
  let articleDepth = 0;
  let mainDepth = 0;
  let chromeDepth = 0;
  let inertDepth = 0;
  const parser = new Parser({
    onopentag(name, attrs) {
      stack.push(name);
      if (INERT.has(name)) inertDepth += 1;
      if (name === 'article') {
        if (articleDepth === 0) article = scan.articles++;
        articleDepth += 1;
      }
      if (name === 'main') {
        if (mainDepth === 0) scan.mains += 1;
        mainDepth += 1;
      }
      if (chrome.has(name) || attrs.role === 'navigation') {
        chromeDepth += 1;
        stack[stack.length - 1] = `${name}\u0000chrome`;
      }
      if (name === 'base' && scan.baseHref === undefined && attrs.href !== undefined) scan.baseHref = attrs.href;
      if (name === 'a' && attrs.href !== undefined && inertDepth === 0) scan.links.push({ href: attrs.href, ...where() });
      if (name === 'title' && scan.title === undefined) inTitle = true;
      if (name === 'meta' && attrs['http-equiv']?.trim().toLowerCase() === 'status' && /^\s*410\b/.test(attrs.content ?? '')) scan.gone = true;
      if (BLOCKS.has(name)) scan.texts.push({ text: ' ', ...where() });
    },
    ontext(text) {
      if (inTitle) scan.title = (scan.title ?? '') + text;
      else if (inertDepth === 0) scan.texts.push({ text, ...where() });
    },
    onclosetag(name) {
      const top = stack.pop();
      if (top === undefined) return;
      if (top.endsWith('\u0000chrome')) chromeDepth -= 1;
      if (name === 'title') inTitle = false;
      if (INERT.has(name)) inertDepth -= 1;
      if (name === 'article') articleDepth -= 1;
      if (name === 'main') mainDepth -= 1;
    },
  }, { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true });
  parser.write(html);
  parser.end();
  return scan;
}
