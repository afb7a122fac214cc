/**
 * The public reads every page view of a blog makes: GET /api/comments and GET /api/counts, with
 * their validators (see middleware/caching.ts) and the rendered-body cache; plus a fast lane that
 * answers the commonest of them — a thread whose ETag the reader (or the CDN) already has, or whose
 * rendered body is cached — at the node:http layer, before Express builds its request and response,
 * with the same headers, the same request id, log line and metrics as the full path
 * (tests/http/caching.test.ts compares them). On this 2-core machine Express's own dispatch and the
 * per-request middlewares cost more than the whole 304 (docs/benchmarks.md).
 */
import type { IncomingMessage, RequestListener } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Request, Response } from 'express';
import type { Comment, SiteTarget } from '../domain/comment.js';
import { ValidationError, msg } from '../domain/errors.js';
import { resolveTarget } from '../domain/target.js';
import { encodeCursor, parsePageQuery, type ThreadQuery } from '../domain/thread-page.js';
import { toCommentJson } from '../protocols/comment-form.js';
import type { Logger } from '../lib/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ThreadReader } from '../read/thread-reader.js';
import { logRequestLine, requestIdFrom } from './middleware/request-log.js';
import { BodyCache, etagOf, ifNoneMatchHits, notModified, PUBLIC_CACHE_CONTROL } from './middleware/caching.js';
import { negotiateCoding } from './content-coding.js';
import { codedEtag, EncodedBody, negotiate, sendEncoded } from './encoded-body.js';

const MAX_COUNT_TARGETS = 100;
const RENDERED_CACHE_BYTES = 16 * 1024 * 1024;
const TARGET_MEMO_ENTRIES = 10_000;
/** Bump when the JSON shape of GET /api/comments changes, so no cache keeps the old shape. */
const COMMENTS_FORMAT = 'comments-3';
const JSON_TYPE = 'application/json; charset=utf-8';

export interface PublicReadsDeps {
  reader: ThreadReader;
  sites: readonly string[];
  publicUrl: string;
  avatarUrl: (c: Comment) => string;
  /**
   * For the fast lane's log line and metrics (listener), the Express routes log and count themselves;
   * and the count of compressed bodies (Metrics.compressed).
   */
  logger?: Logger;
  metrics?: Metrics;
  /** Told of each Origin the fast lane grants nothing (the refused-origin note of middleware/cors.ts). */
  refusedOrigin?: (origin: string) => void;
}

export interface PublicReads {
  /** The ETag of GET /api/comments for a normalized target (also usable by other views of a thread). */
  threadEtag(target: SiteTarget): Promise<{ etag: string; version: string | undefined }>;
  comments(req: Request, res: Response): Promise<void>;
  counts(req: Request, res: Response): Promise<void>;
  /**
   * The request listener for node:http: unchanged threads (a 304, or a body in the rendered-body
   * cache) are answered before Express builds its request and response; everything else goes to `app`.
   */
  listener(app: RequestListener): RequestListener;
}

export function createPublicReads(deps: PublicReadsDeps): PublicReads {
  const rendered = new BodyCache(RENDERED_CACHE_BYTES);
  // Only used to check that the ETag's representation part changes with the public URL.
  const representation = etagOf(COMMENTS_FORMAT, deps.publicUrl).slice(3, 11);
  const allowedOrigins = new Set(deps.sites);

  /** resolveTarget, remembered: the same few post URLs are asked for all day. Throws like it. */
  const targets = new Map<string, SiteTarget>();
  function normalized(raw: string): SiteTarget {
    let target = targets.get(raw);
    if (target === undefined) {
      target = resolveTarget(raw, deps.sites);
      if (targets.size >= TARGET_MEMO_ENTRIES) targets.delete(targets.keys().next().value!);
      targets.set(raw, target);
    }
    return target;
  }

  async function threadEtag(target: SiteTarget): Promise<{ etag: string; version: string | undefined }> {
    const version = (await deps.reader.versions([target])).get(target);
    // The version tag is short and opaque already; the URL scopes it (a cache keys by URL).
    return { etag: `W/"${representation}.${version ?? '-'}"`, version };
  }

  const onCompress = deps.metrics ? deps.metrics.compressed.bind(deps.metrics) : undefined;

  /**
   * Readers who ask for the same version while its body is being built share that build (and then
   * its compressed variants). Without it, every reader arriving before the first body is kept reads
   * and renders the thread again; and a body too large for the cache (BodyCache keeps none over a
   * quarter of it: a thread of ~10,000 comments) was rebuilt by every concurrent reader at once —
   * 16 readers of a 16,000-comment thread held 16 copies (300 MiB resident, 0.4 answers a second).
   */
  const building = new Map<string, Promise<EncodedBody>>();
  function buildOnce(key: string, etag: string, build: () => Promise<EncodedBody>): Promise<EncodedBody> {
    const id = `${key}\n${etag}`;
    let pending = building.get(id);
    if (!pending) {
      pending = build().finally(() => building.delete(id));
      building.set(id, pending);
    }
    return pending;
  }

  /** The JSON of GET /api/comments, whole thread or page: one shape (contract v1 + v1.1). */
  function commentsBody(target: SiteTarget, thread: { title?: string | null } | undefined, total: number, items: readonly Comment[], next: { next?: string | null } = {}): Buffer {
    return Buffer.from(JSON.stringify({
      target,
      // Contract v1.1: the post's title when known, else null (a title change changes the version tag).
      title: thread?.title ?? null,
      total,
      comments: items.map((c) => toCommentJson(c, deps.avatarUrl(c))),
      ...next,
    }));
  }

  /** The body of GET /api/comments for this version of the thread, with its compressed variants, from the cache when there. */
  async function render(target: SiteTarget, etag: string, version: string | undefined): Promise<EncodedBody> {
    const cached = rendered.get(target, etag);
    if (cached) return cached;
    return buildOnce(target, etag, async () => {
      // No version: nothing readers may see, whatever was stored meanwhile. Not read, so an approval
      // landing between the two reads cannot be cached under the no-thread tag, which recurs.
      const view = version === undefined ? { thread: undefined, items: [] } : await deps.reader.readThread(target);
      const body = commentsBody(target, view.thread, view.items.filter((c) => !c.deleted).length, view.items);
      return rendered.keep(target, etag, new EncodedBody(body, etag, 'comments', onCompress));
    });
  }

  async function comments(req: Request, res: Response): Promise<void> {
    const raw = req.query.target;
    const target = normalized(typeof raw === 'string' ? raw : '');
    const query = parsePageQuery(req.query);
    // The validator first (one indexed read); the comments are read only when the reader's copy is old.
    const whole = await threadEtag(target);
    if (query.limit === undefined && query.sort === 'oldest') {
      const { coding, etag: tag } = negotiate(req, res, whole.etag);
      if (notModified(req, res, tag)) return;
      await sendEncoded(res, await render(target, whole.etag, whole.version), coding, JSON_TYPE);
      return;
    }
    // A page, or another order: its own representation, so its own validator and cache entry,
    // both keyed by everything that picks the page (the thread version covers every vote too).
    const pageKey = `${query.sort}\t${query.limit ?? ''}\t${query.after ? encodeCursor(query.after) : ''}`;
    const etag = etagOf(whole.etag, pageKey);
    const { coding, etag: tag } = negotiate(req, res, etag);
    if (notModified(req, res, tag)) return;
    await sendEncoded(res, await renderPage(target, whole.version, query, `${target}\n${pageKey}`, etag), coding, JSON_TYPE);
  }

  async function renderPage(target: SiteTarget, version: string | undefined, query: ThreadQuery, cacheKey: string, etag: string): Promise<EncodedBody> {
    const cached = rendered.get(cacheKey, etag);
    if (cached) return cached;
    return buildOnce(cacheKey, etag, async () => {
      // As in render(): without a version there is nothing readers may see.
      const view = version === undefined
        ? { thread: undefined, items: [], total: 0, next: null }
        : await deps.reader.readPage(target, query);
      // Contract v1.1: `next` comes with `limit`; the whole thread in an order has no next page.
      const next = query.limit !== undefined ? { next: view.next ? encodeCursor(view.next) : null } : {};
      const body = commentsBody(target, view.thread, view.total, view.items, next);
      return rendered.keep(cacheKey, etag, new EncodedBody(body, etag, 'comments', onCompress));
    });
  }

  async function counts(req: Request, res: Response): Promise<void> {
    const raw = req.query.target;
    const asked = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((t): t is string => typeof t === 'string');
    if (asked.length === 0) throw new ValidationError('missing-field', 'target-missing', 'target');
    if (asked.length > MAX_COUNT_TARGETS) throw new ValidationError('invalid-body', msg('too-many-targets', { max: MAX_COUNT_TARGETS }), 'target');
    const byAsked = new Map<string, SiteTarget>();
    for (const t of asked) {
      try {
        byAsked.set(t, normalized(t));
      } catch {
        // An unknown or foreign target simply has no comments here (contract: 0 for unknown).
      }
    }
    const unique = [...new Set(byAsked.values())];
    const versions = await deps.reader.versions(unique);
    const etag = etagOf('counts', ...asked.map((t) => `${t}\t${versions.get(byAsked.get(t) ?? '') ?? '-'}`));
    const { coding, etag: tag } = negotiate(req, res, etag);
    if (notModified(req, res, tag)) return;
    // Kept by its ETag, which names the targets asked and their versions: a blog's index page asks
    // the same list on every view, so its body is built and compressed once per change.
    let body = rendered.get(etag, etag);
    if (!body) {
      const found = await deps.reader.counts(unique);
      const json: Record<string, number> = Object.create(null);
      for (const t of asked) json[t] = found.get(byAsked.get(t) ?? '') ?? 0;
      body = rendered.keep(etag, etag, new EncodedBody(Buffer.from(JSON.stringify(json)), etag, 'counts', onCompress));
    }
    await sendEncoded(res, body, coding, JSON_TYPE);
  }

  /** The target of `GET /api/comments?target=…` when that is all the URL says, else undefined. */
  function fastTarget(req: IncomingMessage): SiteTarget | undefined {
    if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
    const url = req.url ?? '';
    if (!url.startsWith('/api/comments?')) return undefined;
    const params = new URLSearchParams(url.slice('/api/comments?'.length));
    const all = params.getAll('target');
    if (all.length !== 1 || params.size !== 1) return undefined;
    try {
      return normalized(all[0]!);
    } catch {
      return undefined; // the full path answers with the error
    }
  }

  const logRequests = deps.logger?.isLevelEnabled('info') ?? false;

  /**
   * The node:http listener: the fast lane, else `app`. The fast answer carries what the Express path's
   * per-request middlewares and CORS would have set (X-Request-Id, Vary and the CORS headers of
   * middleware/cors.ts for a simple GET, Vary: Accept-Encoding, Cache-Control, the ETag and body of the
   * negotiated coding), its log line (middleware/request-log.ts) and its metrics (counter and latency
   * under route "/api/comments"), measured to the end of the response call instead of a 'finish' listener.
   */
  function listener(app: RequestListener): RequestListener {
    return (req, res) => {
      const target = fastTarget(req);
      if (target === undefined) return app(req, res);
      const start = performance.now();
      let handedOver = false;
      const fullPath = (): void => {
        handedOver = true;
        app(req, res);
      };
      threadEtag(target).then(
        ({ etag }) => {
          const coding = negotiateCoding(req.headers['accept-encoding']);
          const tag = codedEtag(etag, coding);
          const conditional = ifNoneMatchHits(req.headers['if-none-match'], tag);
          // Only a variant already made: compressing one is the full path's job (once per version).
          const body = conditional ? undefined : rendered.get(target, etag)?.ready(coding);
          if (!conditional && !body) return fullPath();
          const incomingId = req.headers['x-request-id'];
          const id = requestIdFrom(typeof incomingId === 'string' ? incomingId : undefined);
          const origin = req.headers.origin;
          const status = conditional ? 304 : 200;
          // One writeHead with a flat list: cheaper than a setHeader per header (no header map is built).
          const headers: Array<string | number> = ['X-Request-Id', id];
          if (origin !== undefined && allowedOrigins.has(origin)) {
            headers.push('Access-Control-Allow-Origin', origin, 'Vary', 'Origin, Accept-Encoding', 'Access-Control-Expose-Headers', 'Location,Retry-After,ETag');
          } else {
            // As siteCors on the Express path: a page outside BACKTALK_SITES is noted for the owner.
            if (origin !== undefined) deps.refusedOrigin?.(origin);
            headers.push('Vary', 'Origin, Accept-Encoding');
          }
          headers.push('Cache-Control', PUBLIC_CACHE_CONTROL, 'ETag', tag);
          if (body) {
            headers.push('Content-Type', JSON_TYPE);
            if (coding !== 'identity') headers.push('Content-Encoding', coding);
            headers.push('Content-Length', body.length);
          }
          res.writeHead(status, headers);
          res.end(body);
          const seconds = (performance.now() - start) / 1000;
          deps.metrics?.observeRequest(req.method!, '/api/comments', status, seconds);
          if (logRequests) logRequestLine(deps.logger!, 'info', id, req.method!, req.url!, status, Math.round(seconds * 1000));
        },
        fullPath, // let the full path meet (and report) the same error
      ).catch((err: unknown) => {
        // A failure after the answer was decided (metrics, log): never an unhandled rejection.
        if (handedOver) return;
        if (!res.headersSent) fullPath();
        else deps.logger?.error({ err }, 'fast lane failed after answering');
      });
    };
  }

  return { threadEtag, comments, counts, listener };
}
