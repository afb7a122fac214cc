/**
 * Microformats2 facts about a Webmention source: who wrote it and what kind of response it is.
 * WM-SPEC §3.2.4: updates "MUST update from the properties of the source's primary object (h-entry)".
 */
import { mf2 } from '../lib/lazy-mf2.js';
import type { MentionType } from '../domain/comment.js';
import { linkKey, parseHttpUrl } from '../lib/url.js';
import { collapseWhitespace, clipPhrase } from './link-context.js';

type Item = ReturnType<typeof mf2>['items'][number];
type Property = Item['properties'][string][number];

export interface EntryFacts {
  title?: string;
  excerpt?: string;
  authorName?: string;
  authorUrl?: string;
  authorPhoto?: string;
  mentionType: MentionType;
}

export const MAX_TITLE = 200;
const MAX_ENTRY_TEXT = 300;
const MAX_AUTHOR_NAME = 200;
/**
 * Markup handed to microformats-parser, after skipping scripts and styles. It costs roughly 0.6 ms
 * per KiB (parse5 plus the mf2 walk), several times htmlparser2's scan, so a page larger than this
 * has only its first part read for h-entry facts; the link check itself always covers the whole page.
 */
const MAX_MICROFORMATS_INPUT = 256 * 1024;

/** Response properties in priority order; each counts only when it names the target. */
const RESPONSE_PROPERTIES: Array<[string, MentionType]> = [
  ['in-reply-to', 'reply'],
  ['like-of', 'like'],
  ['repost-of', 'repost'],
];

/**
 * Reads the primary h-entry of an HTML page: the one whose `url` is the page URL, else the first
 * top-level h-entry. A feed page whose entries are none of them the page itself gives undefined:
 * the first entry's author is not necessarily the one who mentioned us.
 *
 * `skip` ranges (from the htmlparser2 scan) are removed before parsing. They include every `<base>`
 * tag, and `baseUrl` (already resolved) is passed instead: microformats-parser 2.0.6 uses a
 * `<base href>` value as a base URL without resolving it first, so `<base href="/blog/">` makes it
 * throw "Invalid URL".
 */
export function readPrimaryEntry(
  html: string,
  skip: ReadonlyArray<readonly [number, number]>,
  baseUrl: string,
  pageUrl: string,
  targetKey: string,
): EntryFacts | undefined {
  // Cheap guard: without the class name there is nothing to find, and parse5 costs more than htmlparser2.
  if (!html.includes('h-entry')) return undefined;
  let items: Item[];
  try {
    items = mf2(withoutRanges(html, skip).slice(0, MAX_MICROFORMATS_INPUT), { baseUrl }).items;
  } catch {
    return undefined;
  }
  const pageKey = linkKey(pageUrl);
  const entries: Array<{ entry: Item; feed?: Item }> = [];
  for (const item of items) {
    if (isType(item, 'h-entry')) entries.push({ entry: item });
    if (isType(item, 'h-feed')) for (const child of item.children ?? []) if (isType(child, 'h-entry')) entries.push({ entry: child, feed: item });
  }
  const explicitNames = /\bp-name\b/.test(html);
  const chosen =
    entries.find(({ entry }) => pageKey !== undefined && values(entry, 'url').some((v) => keyOf(urlOf(v)) === pageKey)) ??
    entries.find(({ feed }) => feed === undefined);
  return chosen && entryFacts(chosen.entry, chosen.feed, targetKey, explicitNames);
}

function entryFacts(entry: Item, feed: Item | undefined, targetKey: string, explicitNames: boolean): EntryFacts {
  const mentionType =
    RESPONSE_PROPERTIES.find(([name]) => values(entry, name).some((v) => keyOf(urlOf(v)) === targetKey))?.[1] ?? 'mention';
  const author = values(entry, 'author')[0] ?? (feed && values(feed, 'author')[0]);
  const summary = textOf(values(entry, 'summary')[0]);
  const content = textOf(values(entry, 'content')[0]);
  const name = textOf(values(entry, 'name')[0]);
  return {
    mentionType,
    ...authorFacts(author),
    title: name !== undefined && explicitNames && !isImpliedFrom(name, content ?? summary) ? clipPhrase(name, MAX_TITLE) : undefined,
    excerpt: clipPhrase(summary ?? content ?? '', MAX_ENTRY_TEXT),
  };
}

/**
 * A note has no real name, and mf2's implied name is then the entry's whole text, which is not a
 * title. microformats-parser does not say which names are implied, so two signs are used: a page
 * without any `p-name` class has only implied names, and a name that is the content again (or a
 * prefix of it) is one (the usual rendering of a note).
 */
function isImpliedFrom(name: string, body: string | undefined): boolean {
  if (body === undefined) return false;
  const a = collapseWhitespace(name).trim();
  const b = collapseWhitespace(body).trim();
  if (b === '') return false;
  return b.startsWith(a) || a.startsWith(b);
}

function authorFacts(author: Property | undefined): Pick<EntryFacts, 'authorName' | 'authorUrl' | 'authorPhoto'> {
  if (author === undefined) return {};
  if (typeof author === 'string') {
    const url = httpUrl(author);
    return url ? { authorUrl: url } : { authorName: clipPhrase(author, MAX_AUTHOR_NAME) };
  }
  if (!('properties' in author)) return { authorName: clipPhrase(author.value ?? '', MAX_AUTHOR_NAME) };
  const nameText = textOf(values(author, 'name')[0]) ?? (typeof author.value === 'string' ? author.value : undefined);
  return {
    authorName: nameText === undefined ? undefined : clipPhrase(nameText, MAX_AUTHOR_NAME),
    authorUrl: httpUrl(urlOf(values(author, 'url')[0])),
    authorPhoto: httpUrl(urlOf(values(author, 'photo')[0])),
  };
}

function isType(item: Item, type: string): boolean {
  return item.type?.includes(type) ?? false;
}

function values(item: Item, name: string): Property[] {
  return Object.hasOwn(item.properties, name) ? (item.properties[name] ?? []) : [];
}

/** Plain text of a property: a string, an e-* `{html, value}`, an image's URL, or an embedded item's name. */
function textOf(value: Property | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if ('properties' in value) return typeof value.value === 'string' ? value.value : textOf(values(value, 'name')[0]);
  return value.value;
}

/** The URL a property points at: a u-* string, an image `{value, alt}`, or an embedded h-cite's `url`. */
function urlOf(value: Property | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if ('properties' in value) return urlOf(values(value, 'url')[0]) ?? (typeof value.value === 'string' ? value.value : undefined);
  if ('html' in value) return undefined;
  return value.value;
}

function keyOf(url: string | undefined): string | undefined {
  return url === undefined ? undefined : linkKey(url);
}

/** Only absolute http(s) URLs are kept: a `javascript:` author URL must never reach a page. */
function httpUrl(url: string | undefined): string | undefined {
  return parseHttpUrl(url)?.href;
}

function withoutRanges(text: string, ranges: ReadonlyArray<readonly [number, number]>): string {
  if (ranges.length === 0) return text;
  let out = '';
  let from = 0;
  for (const [start, end] of ranges) {
    out += text.slice(from, start);
    from = end;
  }
  return out + text.slice(from);
}
