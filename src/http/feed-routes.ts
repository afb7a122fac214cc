/**
 * Atom feeds (RFC 4287) of approved comments and linkbacks: `GET /feed.atom?target=URL` for one
 * thread, `GET /feed.atom` for the whole site's newest items. Built with the `feed` package.
 */
import { createHash } from 'node:crypto';
import { Router } from 'express';
import type { Feed } from 'feed';
import type { Comment, SiteTarget } from '../domain/comment.js';
import { ValidationError } from '../domain/errors.js';
import { escapeHtml } from '../lib/html.js';
import { resolveTarget } from '../domain/target.js';
import { BodyCache, ifNoneMatchHits } from './middleware/caching.js';
import { EncodedBody, negotiate, sendEncoded, type CompressionHook } from './encoded-body.js';
import type { ThreadReader } from '../read/thread-reader.js';

export interface FeedRouteDeps {
  reader: ThreadReader;
  sites: readonly string[];
  publicUrl: string;
  metrics?: { compressed: CompressionHook };
}

const SITE_FEED_ITEMS = 50;
const THREAD_FEED_ITEMS = 200;
const RENDERED_CACHE_BYTES = 4 * 1024 * 1024;
const SITE_FEED_KEY = '';

export function feedRoutes(deps: FeedRouteDeps): Router {
  const router = Router();
  const host = new URL(deps.publicUrl).hostname;

  const rendered = new BodyCache(RENDERED_CACHE_BYTES);
  const onCompress = deps.metrics ? deps.metrics.compressed.bind(deps.metrics) : undefined;

  router.get('/feed.atom', async (req, res) => {
    const raw = req.query.target;
    if (raw !== undefined && typeof raw !== 'string') throw new ValidationError('invalid-url', 'one-target', 'target');
    const target = raw === undefined ? undefined : resolveTarget(raw, deps.sites);
    // A thread's feed is kept by the thread's version (it changes with everything the feed shows),
    // so an unchanged thread's feed is neither rebuilt nor compressed again. The site feed has no
    // such version: it is rebuilt, and kept (with its compressed variants) by its own ETag.
    const version = target === undefined ? undefined : (await deps.reader.versions([target])).get(target) ?? '-';
    let body = version === undefined ? undefined : rendered.get(target!, version);
    if (!body) {
      const xml = Buffer.from(await renderFeed(target));
      const etag = `"${createHash('sha256').update(xml).digest('base64url').slice(0, 27)}"`;
      body = target === undefined
        ? rendered.keep(SITE_FEED_KEY, etag, new EncodedBody(xml, etag, 'feed', onCompress))
        : rendered.keep(target, version!, new EncodedBody(xml, etag, 'feed', onCompress));
    }
    const { coding, etag } = negotiate(req, res, body.etag);
    res.set({ ETag: etag, 'Cache-Control': 'public, max-age=300', 'X-Content-Type-Options': 'nosniff' });
    if (ifNoneMatchHits(req.get('if-none-match'), etag)) {
      res.status(304).end();
      return;
    }
    await sendEncoded(res, body, coding, 'application/atom+xml; charset=utf-8');
  });

  async function renderFeed(target: SiteTarget | undefined): Promise<string> {
    const self = feedUrl(deps.publicUrl, target);
    // Loaded on the first feed asked for, not at start-up (resident memory; docs/benchmarks.md).
    const { Feed } = await import('feed');
    let items: Comment[];
    let feed: Feed;
    let postTitle: (c: Comment) => string | undefined;
    if (target === undefined) {
      const recent = await deps.reader.recent(SITE_FEED_ITEMS);
      items = recent.items;
      postTitle = (c) => recent.titles.get(c.threadId);
      feed = new Feed({
        id: self, title: `Comments on ${deps.sites.join(', ')}`, link: deps.sites[0] ?? deps.publicUrl, feedLinks: { atom: self },
        generator: 'Backtalk', updated: newest(items),
      });
    } else {
      const { thread, items: visible } = await deps.reader.readThread(target);
      items = visible.filter((c) => !c.deleted && c.status === 'approved').reverse().slice(0, THREAD_FEED_ITEMS);
      postTitle = () => thread?.title ?? undefined;
      feed = new Feed({
        id: self, title: `Comments on ${thread?.title ?? target}`, link: target, feedLinks: { atom: self }, generator: 'Backtalk',
        updated: items.length > 0 ? newest(items) : (thread?.created ?? new Date(0)),
      });
    }
    for (const c of items) feed.addItem(toEntry(c, host, postTitle(c)));
    return feed.atom1();
  }

  return router;
}

export function feedUrl(publicUrl: string, target?: string): string {
  return target === undefined ? `${publicUrl}/feed.atom` : `${publicUrl}/feed.atom?target=${encodeURIComponent(target)}`;
}

/** `postTitle`: the thread's post title when known (issue 16.5); entries name the post by URL otherwise. */
function toEntry(c: Comment, host: string, postTitle?: string) {
  const who = c.author || (c.kind === 'comment' ? 'Anonymous' : c.source ?? 'Anonymous');
  const title = c.kind === 'comment' ? `${who} on ${postTitle ?? c.target}` : `${capitalize(c.kind)}: ${c.title ?? c.source ?? who}`;
  const date = c.edited ?? c.created;
  // The title is declared type="html" by the library, so the plain text is escaped once here;
  // body_html is the sanitizer's output and goes in as it is.
  const content = c.source
    ? `${c.bodyHtml}<p><a href="${escapeHtml(c.source)}">${escapeHtml(c.source)}</a></p>`
    : c.bodyHtml;
  return {
    // RFC 4151 tag URI: stable whatever happens to the target's URL later.
    id: `tag:${host},${c.created.toISOString().slice(0, 10)}:comment-${c.id}`,
    title: escapeHtml(title),
    link: `${c.target}#comment-${c.id}`,
    date,
    published: c.created,
    content,
    author: [{ name: who, ...(c.url ? { link: c.url } : {}) }],
  };
}

function newest(items: readonly Comment[]): Date {
  let max = 0;
  for (const c of items) max = Math.max(max, (c.edited ?? c.created).getTime());
  return new Date(max);
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
