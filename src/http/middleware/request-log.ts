/**
 * Request ids, one structured log line per request (pino-http), and the request metrics.
 *
 * The id is the caller's X-Request-Id when it looks like an id (a proxy in front usually sets one, so
 * its log and ours can be joined), else a new UUID; either way it is echoed in the response header.
 * The logged URL keeps the path and the `target` value; other query values are dropped, since some
 * URLs carry tokens (confirmation and unsubscribe links) that do not belong in a log.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Request, RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../../lib/logger.js';
import type { Metrics } from '../../metrics/metrics.js';

const SANE_ID = /^[A-Za-z0-9][A-Za-z0-9._:@/+=-]{0,127}$/;
const KEPT_QUERY_VALUES = new Set(['target']);

/** The caller's X-Request-Id when it looks like an id, else a new UUID (also used by the fast lane, public-reads.ts). */
export function requestIdFrom(incoming: string | undefined): string {
  return incoming !== undefined && SANE_ID.test(incoming) ? incoming : randomUUID();
}

export function requestId(): RequestHandler {
  return (req, res, next) => {
    const id = requestIdFrom(req.get('x-request-id'));
    req.id = id;
    res.setHeader('X-Request-Id', id);
    next();
  };
}

/** Path plus query with only the values of KEPT_QUERY_VALUES kept. */
export function loggableUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  const kept = [...params].map(([k, v]) => (KEPT_QUERY_VALUES.has(k) ? `${k}=${encodeURIComponent(v)}` : encodeURIComponent(k)));
  return `${url.slice(0, q)}?${kept.join('&')}`;
}

/** One info line per request (5xx at error level), or nothing when the logger is quieter than info. */
export function requestLog(logger: Logger): RequestHandler {
  if (!logger.isLevelEnabled('info')) return (_req, _res, next) => next();
  return pinoHttp({
    logger,
    genReqId: (req) => req.id ?? randomUUID(),
    quietReqLogger: true,
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    // originalUrl: a router mounted on a prefix (/api/admin) rewrites req.url while it runs.
    customSuccessMessage: (req, res) => `${req.method} ${loggableUrl(originalUrl(req))} ${res.statusCode}`,
    customErrorMessage: (req, res) => `${req.method} ${loggableUrl(originalUrl(req))} ${res.statusCode}`,
    serializers: {
      req: (req: { method: string; url: string; raw?: IncomingMessage }) => ({
        method: req.method,
        url: loggableUrl((req.raw as Request | undefined)?.originalUrl ?? req.url),
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  }) as RequestHandler;
}

function originalUrl(req: IncomingMessage): string {
  return (req as Partial<Request>).originalUrl ?? req.url ?? '';
}

/**
 * Counts each finished request by the pattern of the route that handled it (never the raw URL, so
 * labels stay bounded). The pattern is taken when the router assigns `req.route`, because only then
 * is `req.baseUrl` the route's own mount point (error handlers mounted elsewhere change it later).
 */
export function requestMetrics(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    let route: unknown;
    let label = 'unmatched';
    Object.defineProperty(req, 'route', {
      configurable: true,
      enumerable: true,
      get: () => route,
      set: (value: { path?: unknown } | undefined) => {
        route = value;
        if (typeof value?.path === 'string') label = `${req.baseUrl}${value.path}`;
      },
    });
    res.once('finish', () => {
      metrics.observeRequest(req.method, label, res.statusCode, Number(process.hrtime.bigint() - start) / 1e9);
    });
    next();
  };
}
