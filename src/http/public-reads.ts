/**
 * The public reads every page view of a blog makes: GET /api/comments and GET /api/counts, with
 * their validators (see middleware/caching.ts) and the rendered-body cache; plus a fast lane that
 * answers the commonest of them — a thread whose ETag the reader (or the CDN) already has, or whose
 * rendered body is cached — ahead of the router, CORS and route layers, with the same headers, the
 * same request id, log line and metrics as the full path (tests/http/caching.test.ts compares them).
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Comment } from '../domain/comment.js';
import { ValidationError } from '../domain/errors.js';
import { resolveTarget } from '../pipeline/normalize.js';
import { toCommentJson } from '../protocols/comment-form.js';
import type { Store } from '../store/repository.js';
import { BodyCache, etagOf, ifNoneMatchHits, notModified, PUBLIC_CACHE_CONTROL, sendJsonBody } from './middleware/caching.js';

const MAX_COUNT_TARGETS = 100;
const RENDERED_CACHE_BYTES = 16 * 1024 * 1024;
const TARGET_MEMO_ENTRIES = 10_000;
/** Bump when the JSON shape of GET /api/comments changes, so no cache keeps the old shape. */
const COMMENTS_FORMAT = 'comments-1';

export interface PublicReadsDeps {
  store: Store;
  sites: readonly string[];
  publicUrl: string;
  avatarUrl: (c: Comment) => string;
}

export interface PublicReads {
  /** The ETag of GET /api/comments for a normalized target (also usable by other views of a thread). */
  threadEtag(target: string): Promise<{ etag: string; version: string | undefined }>;
  comments(req: Request, res: Response): Promise<void>;
  counts(req: Request, res: Response): Promise<void>;
  /**
   * Express middleware for the very front of the app. `before` are the middlewares every request
   * passes (request id, log, metrics); they run here too when the fast lane answers.
   */
  fastLane(before: RequestHandler[]): RequestHandler;
}

export function createPublicReads(deps: PublicReadsDeps): PublicReads {
  const rendered = new BodyCache(RENDERED_CACHE_BYTES);
  // Only used to check that the ETag's representation part changes with the public URL.
  const representation = etagOf(COMMENTS_FORMAT, deps.publicUrl).slice(3, 11);
  const allowedOrigins = new Set(deps.sites);

  /** resolveTarget, remembered: the same few post URLs are asked for all day. Throws like it. */
  const targets = new Map<string, string>();
  function normalized(raw: string): string {
    let target = targets.get(raw);
    if (target === undefined) {
      target = resolveTarget(raw, deps.sites);
      if (targets.size >= TARGET_MEMO_ENTRIES) targets.delete(targets.keys().next().value!);
      targets.set(raw, target);
    }
    return target;
  }

  async function threadEtag(target: string): Promise<{ etag: string; version: string | undefined }> {
    const version = (await deps.store.comments.threadVersions([target])).get(target);
    // The version tag is short and opaque already; the URL scopes it (a cache keys by URL).
    return { etag: `W/"${representation}.${version ?? '-'}"`, version };
  }

  async function render(target: string, etag: string, version: string | undefined): Promise<Buffer> {
    const cached = rendered.get(target, etag);
    if (cached) return cached;
    const thread = version === undefined ? undefined : await deps.store.threads.findByTarget(target);
    const comments = thread ? await deps.store.comments.listVisible(thread.id) : [];
    const body = Buffer.from(JSON.stringify({
      target,
      total: comments.filter((c) => !c.deleted).length,
      comments: comments.map((c) => toCommentJson(c, deps.avatarUrl(c))),
    }));
    rendered.set(target, etag, body);
    return body;
  }

  async function comments(req: Request, res: Response): Promise<void> {
    const raw = req.query.target;
    const target = normalized(typeof raw === 'string' ? raw : '');
    // The validator first (one indexed read); the comments are read only when the reader's copy is old.
    const { etag, version } = await threadEtag(target);
    if (notModified(req, res, etag)) return;
    sendJsonBody(res, await render(target, etag, version));
  }

  async function counts(req: Request, res: Response): Promise<void> {
    const raw = req.query.target;
    const asked = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((t): t is string => typeof t === 'string');
    if (asked.length === 0) throw new ValidationError('missing-field', 'Give at least one target.', 'target');
    if (asked.length > MAX_COUNT_TARGETS) throw new ValidationError('invalid-body', `At most ${MAX_COUNT_TARGETS} targets at once.`, 'target');
    const byAsked = new Map<string, string>();
    for (const t of asked) {
      try {
        byAsked.set(t, normalized(t));
      } catch {
        // An unknown or foreign target simply has no comments here (contract: 0 for unknown).
      }
    }
    const unique = [...new Set(byAsked.values())];
    const versions = await deps.store.comments.threadVersions(unique);
    const etag = etagOf('counts', ...asked.map((t) => `${t}\t${versions.get(byAsked.get(t) ?? '') ?? '-'}`));
    if (notModified(req, res, etag)) return;
    const found = await deps.store.comments.countVisible(unique);
    const body: Record<string, number> = Object.create(null);
    for (const t of asked) body[t] = found.get(byAsked.get(t) ?? '') ?? 0;
    res.json(body);
  }

  /** The target of `GET /api/comments?target=…` when that is all the URL says, else undefined. */
  function fastTarget(req: Request): string | undefined {
    if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
    const url = req.url;
    if (!url.startsWith('/api/comments?')) return undefined;
    const params = new URLSearchParams(url.slice('/api/comments?'.length));
    const all = params.getAll('target');
    if (all.length !== 1) return undefined;
    try {
      return normalized(all[0]!);
    } catch {
      return undefined; // the full path answers with the error
    }
  }

  /** What the CORS middleware (middleware/cors.ts) sets on a simple GET. */
  function corsHeaders(req: Request, res: Response): void {
    const origin = req.headers.origin;
    if (origin !== undefined && allowedOrigins.has(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Expose-Headers', 'Location,Retry-After,ETag');
    } else {
      res.setHeader('Vary', 'Origin');
    }
  }

  function fastLane(before: RequestHandler[]): RequestHandler {
    const runBefore = (req: Request, res: Response): void => {
      const noop: NextFunction = () => undefined;
      for (const mw of before) void mw(req, res, noop);
    };
    return (req, res, next) => {
      const target = fastTarget(req);
      if (target === undefined) return next();
      threadEtag(target).then(
        ({ etag }) => {
          const conditional = ifNoneMatchHits(req.headers['if-none-match'], etag);
          const body = conditional ? undefined : rendered.get(target, etag);
          if (!conditional && !body) return next();
          runBefore(req, res);
          // The metrics label of the route the full path would have matched.
          req.route = { path: '/api/comments' } as Request['route'];
          corsHeaders(req, res);
          res.setHeader('Cache-Control', PUBLIC_CACHE_CONTROL);
          res.setHeader('ETag', etag);
          if (conditional) {
            res.statusCode = 304;
            res.end();
          } else {
            sendJsonBody(res, body!);
          }
        },
        () => next(), // let the full path meet (and report) the same error
      );
    };
  }

  return { threadEtag, comments, counts, fastLane };
}
