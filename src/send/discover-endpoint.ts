/**
 * Where a linked page takes linkbacks, in the order Backtalk tries the protocols: Webmention, then
 * Pingback, then TrackBack. Pure: it reads a page the caller fetched (through the safe fetcher).
 *
 * Webmention (W3C Webmention §3.1.2): the first `Link` header with rel `webmention` wins; else the
 * first `<link>` or `<a>` element in document order with rel `webmention` and an `href` (an element
 * without href is passed over, an empty href is the page itself). rel is a space-separated list
 * matched exactly per value, case-insensitively; markup inside comments or escaped text is not
 * markup. Relative URLs resolve against the page's final URL after redirects, and a query string
 * in the endpoint is kept as it is (§3.1.3 keeps it out of the body).
 * Pingback 1.0 §2: the `X-Pingback` header, else `<link rel="pingback" href>`.
 * TrackBack 1.2: the RDF block whose `dc:identifier` is the linked page names its `trackback:ping`.
 */
import { Parser } from 'htmlparser2';
import { linkKey } from '../lib/url.js';
import { parseLinkHeader } from './link-header.js';

export type SendProtocol = 'webmention' | 'pingback' | 'trackback';

export type Endpoint = { protocol: SendProtocol; endpoint: string } | { protocol: 'none' };

export interface FetchedPage {
  /** The final URL, after redirects. */
  url: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** Media type without parameters, lower-cased. */
  contentType: string;
  body: string;
}

/** The endpoint the linked page advertises for `target` (the URL as it appears in our post). */
export function discoverEndpoint(page: FetchedPage, target: string): Endpoint {
  const html = isHtml(page) ? scanHeadAndBody(page.body) : undefined;

  const fromHeader = parseLinkHeader(page.headers.link ?? '').find((l) => l.rels.includes('webmention'));
  const webmention = fromHeader?.href ?? html?.webmention;
  if (webmention !== undefined) {
    const endpoint = resolve(webmention, page.url);
    if (endpoint) return { protocol: 'webmention', endpoint };
  }

  // "A page MUST NOT send more than one such header"; if one does, the first is used (§2 step 1).
  const pingback = firstHeaderValue(page.headers['x-pingback']) ?? html?.pingback;
  if (pingback !== undefined) {
    const endpoint = resolve(pingback, page.url);
    if (endpoint) return { protocol: 'pingback', endpoint };
  }

  if (html !== undefined || page.contentType === '') {
    const trackback = trackbackPing(page.body, [target, page.url]);
    if (trackback) {
      const endpoint = resolve(trackback, page.url);
      if (endpoint) return { protocol: 'trackback', endpoint };
    }
  }
  return { protocol: 'none' };
}

function isHtml(page: FetchedPage): boolean {
  return page.contentType === 'text/html' || page.contentType === 'application/xhtml+xml' || page.contentType === '';
}

/** An absolute http(s) URL, or undefined. '' resolves to the page itself, as the spec requires. */
function resolve(href: string, base: string): string | undefined {
  try {
    const url = new URL(href.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function firstHeaderValue(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const first = value.split(/,\s+/)[0]?.trim();
  return first === '' ? undefined : first;
}

function hasRel(attrs: Record<string, string>, rel: string): boolean {
  return (attrs.rel ?? '').toLowerCase().split(/[\t\n\f\r ]+/).includes(rel);
}

/** The first webmention `<link>`/`<a>` href and the first pingback `<link>` href of a page. */
function scanHeadAndBody(body: string): { webmention?: string; pingback?: string } {
  const found: { webmention?: string; pingback?: string } = {};
  let inert = 0;
  const parser = new Parser({
    onopentag(name, attrs) {
      if (name === 'template' || name === 'script' || name === 'style') inert += 1;
      if (inert > 0 || attrs.href === undefined) return;
      if (found.webmention === undefined && (name === 'link' || name === 'a') && hasRel(attrs, 'webmention')) found.webmention = attrs.href;
      if (found.pingback === undefined && name === 'link' && hasRel(attrs, 'pingback')) found.pingback = attrs.href;
    },
    onclosetag(name) {
      if (name === 'template' || name === 'script' || name === 'style') inert = Math.max(0, inert - 1);
    },
  }, { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true });
  parser.write(body);
  parser.end();
  return found;
}

const RDF_BLOCK = /<rdf:RDF[\s\S]*?<\/rdf:RDF>/g;

/**
 * The `trackback:ping` of the RDF block describing one of `pages` (WordPress and Movable Type put
 * one block per post on archive pages, usually inside an HTML comment, so every block is read from
 * the raw text). A lone block without `dc:identifier` is taken as the page's own.
 */
function trackbackPing(body: string, pages: readonly string[]): string | undefined {
  const keys = new Set<string>(pages.map((p) => linkKey(p) ?? p));
  const blocks = [...body.matchAll(RDF_BLOCK)].map((m) => ({
    identifier: rdfAttribute(m[0], 'dc:identifier'),
    ping: rdfAttribute(m[0], 'trackback:ping'),
  }));
  const matching = blocks.find((b) => b.ping !== undefined && b.identifier !== undefined && keys.has(linkKey(b.identifier) ?? b.identifier));
  if (matching) return matching.ping;
  if (blocks.length === 1 && blocks[0]!.identifier === undefined) return blocks[0]!.ping;
  return undefined;
}

function rdfAttribute(block: string, name: string): string | undefined {
  const match = new RegExp(`${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(block);
  const raw = match?.[1] ?? match?.[2];
  return raw === undefined ? undefined : decodeXmlEntities(raw.trim());
}

function decodeXmlEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/gi, (all, entity: string) => {
    const e = entity.toLowerCase();
    if (e === 'amp') return '&';
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    const code = e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : all;
  });
}
