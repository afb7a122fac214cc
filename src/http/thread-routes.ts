/**
 * `GET /thread?target=URL`: the thread and its form as a complete page that needs no JavaScript;
 * `&fragment=1`: the fragment alone (what the widget inserts, and what static-site builds include).
 * `&lang=ru` or Accept-Language picks the language; `&parent=ID` starts the form as a reply;
 * `&title=…` names the post, and the form sends it along (issue 16.5).
 */
import { Router, type Request } from 'express';
import type { Comment } from '../domain/comment.js';
import { resolveTarget } from '../domain/target.js';
import { encodeCursor, parsePageQuery } from '../domain/thread-page.js';
import { plainPostTitle } from '../pipeline/normalize.js';
import { BodyCache, etagOf, notModified } from './middleware/caching.js';
import { EncodedBody, negotiate, sendEncoded, type CompressionHook } from './encoded-body.js';
import { GRAVATAR_ORIGIN, pageCsp } from '../render/csp.js';
import { negotiateLocale } from '../render/locale.js';
import { renderThreadFragment } from '../render/thread-fragment.js';
import { renderThreadPage } from '../render/thread-page.js';
import type { ThreadReader } from '../read/thread-reader.js';

export interface ThreadRouteDeps {
  reader: ThreadReader;
  sites: readonly string[];
  publicUrl: string;
  avatarUrl: (c: Comment) => string;
  clock: { now(): Date };
  gravatar: boolean;
  config: { editWindowMinutes: number; votesEnabled: boolean };
  metrics?: { compressed: CompressionHook };
}

/** Rendered pages and fragments with their compressed variants (encoded-body.ts), by what they show. */
const RENDERED_CACHE_BYTES = 8 * 1024 * 1024;
const HTML_TYPE = 'text/html; charset=utf-8';
/** Top-level comments on one page of /thread (and of the widget, which shows the same fragment). */
export const THREAD_PAGE_SIZE = 50;

export function threadRoutes(deps: ThreadRouteDeps): Router {
  const router = Router();
  const csp = pageCsp({
    publicOrigin: new URL(deps.publicUrl).origin,
    sites: deps.sites,
    images: deps.gravatar ? [GRAVATAR_ORIGIN] : [],
  }, { scripts: false });
  const rendered = new BodyCache(RENDERED_CACHE_BYTES);
  const onCompress = deps.metrics ? deps.metrics.compressed.bind(deps.metrics) : undefined;

  router.get('/thread', async (req, res) => {
    const target = resolveTarget(req.query.target, deps.sites);
    const strings = negotiateLocale(req.query.lang, req.get('accept-language'));
    const replyTo = positiveInt(req, 'parent');
    const fragmentOnly = req.query.fragment === '1';
    const postTitle = typeof req.query.title === 'string' ? plainPostTitle(req.query.title) ?? undefined : undefined;
    // Contract v1.1: a thread opens at its first page; `limit` may ask for another page size.
    const query = parsePageQuery(req.query, THREAD_PAGE_SIZE);
    const pageKey = `${query.sort}\t${query.limit}\t${query.after ? encodeCursor(query.after) : ''}`;
    // The validator: everything the HTML depends on. The thread version changes with every public
    // change to the thread or its comments (see middleware/caching.ts); the minute, because the HTML says
    // "5 minutes ago": a revalidation after a minute gets fresh relative times (a weak ETag: within
    // the minute, "10 seconds ago" and "40 seconds ago" count as the same representation).
    const version = (await deps.reader.versions([target])).get(target) ?? '-';
    const minute = Math.floor(deps.clock.now().getTime() / 60_000);
    const etag = etagOf('thread-1', target, version, String(minute), strings.lang, String(replyTo ?? ''), fragmentOnly ? 'fragment' : 'page',
      deps.publicUrl, deps.gravatar ? 'gravatar' : '', String(deps.config.editWindowMinutes), postTitle ?? '',
      pageKey, deps.config.votesEnabled ? 'votes' : '');
    // The language depends on the header, the encoding too; a 304 carries the same Vary.
    res.vary('Accept-Language');
    const { coding, etag: tag } = negotiate(req, res, etag);
    if (notModified(req, res, tag)) return;
    if (!fragmentOnly) {
      res.set('Content-Security-Policy', csp).set('X-Content-Type-Options', 'nosniff').set('Referrer-Policy', 'strict-origin-when-cross-origin');
    }
    // Kept per view (everything in the ETag but the version and the minute), valid for one ETag:
    // each version of a thread, each minute, is rendered and compressed once per view.
    const key = [target, strings.lang, String(replyTo ?? ''), fragmentOnly ? 'fragment' : 'page', postTitle ?? '', pageKey].join('\n');
    let body = rendered.get(key, etag);
    if (!body) {
      const { thread, items, total, commentCount, next } = await deps.reader.readPage(target, query);
      const fragment = renderThreadFragment({
        target, comments: items, strings,
        commentsClosed: thread?.commentsClosed ?? false,
        publicUrl: deps.publicUrl,
        avatarUrl: deps.avatarUrl,
        now: deps.clock.now(),
        replyTo,
        editMinutes: deps.config.editWindowMinutes,
        postTitle,
        page: { sort: query.sort, total, commentCount, next: next ? encodeCursor(next) : null, current: query.after ? encodeCursor(query.after) : null },
        votes: deps.config.votesEnabled,
      });
      const html = fragmentOnly ? fragment.value : renderThreadPage({ target, publicUrl: deps.publicUrl, strings, fragment });
      body = rendered.keep(key, etag, new EncodedBody(Buffer.from(html), etag, 'thread', onCompress));
    }
    await sendEncoded(res, body, coding, HTML_TYPE);
  });
  return router;
}

function positiveInt(req: Request, name: string): number | undefined {
  const raw = req.query[name];
  return typeof raw === 'string' && /^\d{1,15}$/.test(raw) && Number(raw) > 0 ? Number(raw) : undefined;
}
