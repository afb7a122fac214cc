/** createApp(deps): the Express app — middleware order, routers, 404 and the error handler. No I/O at import. */
import type { RequestListener } from 'node:http';
import express, { type Express } from 'express';
import { NotFoundError } from './domain/errors.js';
import { identiconSvg } from './lib/avatar.js';
import { adminApi } from './http/admin/admin-api.js';
import { adminPageRoutes } from './http/admin/page-routes.js';
import { commentRoutes } from './http/comment-routes.js';
import { createPublicReads, type PublicReads } from './http/public-reads.js';
import { trackbackRoutes } from './http/trackback-routes.js';
import { discoveryRoutes } from './http/discovery-routes.js';
import { xmlrpcRoutes } from './http/xmlrpc-routes.js';
import { webmentionRoutes } from './http/webmention-routes.js';
import { siteCors, siteCorsHeaders } from './http/middleware/cors.js';
import { createErrorHandler, createErrorRenderer } from './http/middleware/error-handler.js';
import { commentLane } from './http/comment-lane.js';
import { createCommentPost } from './http/comment-post.js';
import { expressClientAddress } from './http/client-info.js';
import { createWriteAdmission, DEFAULT_WRITES_PER_TURN, type WriteAdmission } from './http/write-admission.js';
import { requireAdmin } from './http/middleware/require-admin.js';
import { actionRoutes } from './http/action-routes.js';
import { subscriptionRoutes } from './http/subscription-routes.js';
import { feedRoutes } from './http/feed-routes.js';
import { threadRoutes } from './http/thread-routes.js';
import { heldRoutes } from './http/held-routes.js';
import { voteRoutes } from './http/vote-routes.js';
import { previewRoutes } from './http/preview-routes.js';
import { widgetRoutes } from './http/widget-routes.js';
import { demoRoutes } from './http/demo-routes.js';
import { originRoutes } from './http/origin-routes.js';
import { withGravatar } from './render/gravatar.js';
import { projectRoot } from './lib/paths.js';
import { join } from 'node:path';
import { requestId, requestLog, requestMetrics } from './http/middleware/request-log.js';
import { metricsHandler } from './http/metrics-routes.js';
import type { AppDeps } from './wiring.js';

export function createApp(deps: AppDeps): Express {
  return buildApp(deps).app;
}

/** Internal switches of createRequestListener, for tests and benches. */
export interface ListenerOptions {
  /** false: POST /comments goes through Express too (tests/http/post-lane.test.ts compares the two). */
  postLane?: boolean;
  /** Comment pipelines started per event-loop turn (src/http/write-admission.ts). */
  writesPerTurn?: number;
  /** The same while readers are being answered (default: the lesser of that and two). */
  writesPerTurnWithReaders?: number;
}

/**
 * What node:http serves (server.ts, tests/helpers/test-server.ts): POST /comments (src/http/comment-lane.ts)
 * and unchanged threads (a 304, or a rendered body in the cache: src/http/public-reads.ts) are
 * answered before Express builds its request and response; every other request goes to the Express app.
 */
export function createRequestListener(deps: AppDeps, options: ListenerOptions = {}): RequestListener {
  const { app, publicReads, postLane, admission } = buildApp(deps, options);
  const reads = publicReads.listener(app);
  const listener = options.postLane === false ? reads : postLane(reads);
  // Readers first (write-admission.ts): a GET or HEAD narrows the writers' share of the turn.
  return (req, res) => {
    if (req.method === 'GET' || req.method === 'HEAD') admission.noteRead();
    listener(req, res);
  };
}

function buildApp(deps: AppDeps, options: ListenerOptions = {}): { app: Express; publicReads: PublicReads; postLane: (next: RequestListener) => RequestListener; admission: WriteAdmission } {
  const { config } = deps;
  if (config.gravatar) deps = { ...deps, avatarUrl: withGravatar(deps.avatarUrl) };
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('query parser', 'simple');
  const perRequest = [requestId(), requestLog(deps.logger), requestMetrics(deps.metrics)];
  // The server's own pages (the no-JavaScript /thread form) are not a refused site, whatever BACKTALK_SITES says.
  const ownOrigin = new URL(config.publicUrl).origin;
  const refused = (origin: string) => origin !== ownOrigin && deps.refusedOrigins.note(origin);
  const publicReads = createPublicReads({ ...deps, sites: config.sites, publicUrl: config.publicUrl, refusedOrigin: refused });
  app.use(...perRequest);

  app.get('/healthz', async (_req, res) => {
    const ok = await deps.store.ping().catch(() => false);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable' });
  });

  app.use(['/comments', '/api/comments', '/api/counts', '/api/preview', '/thread'], siteCors(config.sites, refused));
  app.use(originRoutes({ sites: config.sites, publicUrl: config.publicUrl }));
  // One admission for both doors of POST /comments: the lane and the Express route.
  const admission = createWriteAdmission(options.writesPerTurn ?? DEFAULT_WRITES_PER_TURN, options.writesPerTurnWithReaders);
  const commentDeps = { ...deps, sites: config.sites, publicUrl: config.publicUrl, publicReads, mailOn: config.smtpUrl !== undefined, admission };
  app.use(commentRoutes(commentDeps));
  app.use(voteRoutes({ voting: deps.voting, publicUrl: config.publicUrl }));
  app.use(trackbackRoutes({ ...deps, sites: config.sites }));
  app.use(xmlrpcRoutes({ ...deps, sites: config.sites }));
  app.use(webmentionRoutes({ ...deps, publicUrl: config.publicUrl }));
  app.use(discoveryRoutes({ ...deps, sites: config.sites, publicUrl: config.publicUrl }));
  app.use(threadRoutes({ ...deps, sites: config.sites, publicUrl: config.publicUrl, gravatar: config.gravatar }));
  app.use(heldRoutes({ ...deps, sites: config.sites, publicUrl: config.publicUrl }));
  app.use(previewRoutes({ previewLimiter: deps.previewLimiter, workerTimeoutMs: config.workerTimeoutMs }));
  app.use(widgetRoutes({ dir: join(projectRoot(), 'dist', 'widget') }));
  app.use(demoRoutes({ ...deps, sites: config.sites, publicUrl: config.publicUrl }));
  // One token check for the whole admin API.
  app.use('/api/admin', adminApi({ ...deps, sites: config.sites, publicUrl: config.publicUrl }));
  app.use(adminPageRoutes());
  app.use(actionRoutes({ ...deps, publicUrl: config.publicUrl }));
  app.use(subscriptionRoutes({ ...deps, publicUrl: config.publicUrl }));
  app.use(feedRoutes({ ...deps, sites: config.sites, publicUrl: config.publicUrl }));

  app.get('/metrics', requireAdmin(deps.adminTokenHash, deps.adminAttempts), metricsHandler(deps.metrics));

  app.get('/avatar/:file', (req, res) => {
    const match = /^([0-9a-f]{20})\.svg$/.exec(String(req.params.file ?? ''));
    if (!match) throw new NotFoundError();
    res.set('Cache-Control', 'public, max-age=31536000, immutable').type('image/svg+xml').send(identiconSvg(match[1]!));
  });

  app.use(() => {
    throw new NotFoundError();
  });
  const renderError = createErrorRenderer(deps.logger, config.sites);
  app.use(createErrorHandler(renderError));
  const postLane = commentLane({
    post: createCommentPost(commentDeps),
    renderError,
    corsHeaders: siteCorsHeaders(config.sites, refused),
    clientAddress: expressClientAddress(app),
    etag: app.get('etag fn') as ((body: Buffer) => string) | undefined,
    logger: deps.logger,
    metrics: deps.metrics,
  });
  return { app, publicReads, postLane, admission };
}
