/**
 * Which links of one of the owner's posts get a linkback: the links of its content, not of the page.
 * The content is the `e-content` of the post's h-entry when the page has one (the microformats
 * markup says exactly where the post is), else the first `<article>`, else `<main>`, else `<body>`.
 * Site chrome is left out: `<nav>` always, and `<header>`, `<footer>`, `<aside>` when the content is
 * only guessed from the layout (they hold menus, tag clouds, share buttons, blogrolls). Only `<a href>`
 * counts, as in WordPress's `wp_extract_urls` use for pings; links to the post itself are dropped.
 */
import { Parser } from 'htmlparser2';
import { mf2 } from 'microformats-parser';
import { linkKey, parseHttpUrl } from '../lib/url.js';

type Item = ReturnType<typeof mf2>['items'][number];

/** Elements whose links are never the post's own: menus, always. */
const NAVIGATION = new Set(['nav']);
/** Also chrome when the content region is guessed from the layout rather than marked up. */
const PAGE_CHROME = new Set(['nav', 'header', 'footer', 'aside']);
/** Raw or inert content: never a link a reader follows. */
const INERT = new Set(['template', 'script', 'style', 'noscript', 'textarea']);

interface FoundLink {
  href: string;
  /** Index of the outermost `<article>` it is in, or -1. */
  article: number;
  inMain: boolean;
  inChrome: boolean;
}

/**
 * The distinct absolute http(s) URLs the post at `pageUrl` links to, in document order, without
 * links to the post itself (fragments and all). `html` is the post page as fetched.
 */
export function extractPostLinks(html: string, pageUrl: string): string[] {
  const scan = scanPage(html, NAVIGATION);
  const base = resolveBase(scan.baseHref, pageUrl);
  const content = entryContent(html, base, pageUrl);
  let hrefs: string[];
  if (content !== undefined) {
    hrefs = scanPage(content, NAVIGATION).links.filter((l) => !l.inChrome).map((l) => l.href);
  } else {
    const guessed = scanPage(html, PAGE_CHROME);
    const region = guessed.articles > 0
      ? guessed.links.filter((l) => l.article === 0)
      : guessed.mains > 0 ? guessed.links.filter((l) => l.inMain) : guessed.links;
    hrefs = region.filter((l) => !l.inChrome).map((l) => l.href);
  }
  const self = new Set([linkKey(pageUrl)]);
  const seen = new Set<string>();
  const out: string[] = [];
  for (const href of hrefs) {
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

/** The HTML of the post's `e-content` (relative URLs already resolved by the parser), or undefined. */
function entryContent(html: string, baseUrl: string, pageUrl: string): string | undefined {
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
  if (content && typeof content === 'object' && 'html' in content && typeof content.html === 'string') return content.html;
  return undefined;
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
  links: FoundLink[];
  articles: number;
  mains: number;
  baseHref?: string;
}

/** One htmlparser2 pass: every `<a href>` with where it sits. `chrome` names the elements to mark. */
function scanPage(html: string, chrome: ReadonlySet<string>): PageScan {
  const scan: PageScan = { links: [], articles: 0, mains: 0 };
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
      if (name === 'a' && attrs.href !== undefined && inertDepth === 0) {
        scan.links.push({ href: attrs.href, article: articleDepth > 0 ? article : -1, inMain: mainDepth > 0, inChrome: chromeDepth > 0 });
      }
    },
    onclosetag(name) {
      const top = stack.pop();
      if (top === undefined) return;
      if (top.endsWith('\u0000chrome')) chromeDepth -= 1;
      if (INERT.has(name)) inertDepth -= 1;
      if (name === 'article') articleDepth -= 1;
      if (name === 'main') mainDepth -= 1;
    },
  }, { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true });
  parser.write(html);
  parser.end();
  return scan;
}
