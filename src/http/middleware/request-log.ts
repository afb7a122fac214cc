/**
 * Request ids, one structured log line per request, and the request metrics.
 *
 * The id is the caller's X-Request-Id when it looks like an id (a proxy in front usually sets one, so
 * its log and ours can be joined), else a new UUID; either way it is echoed in the response header.
 * The logged URL keeps the path and the `target` value; other query values are dropped, since some
 * URLs carry tokens (confirmation and unsubscribe links) that do not belong in a log.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { RequestHandler } from 'express';
import type { Logger } from '../../lib/logger.js';
import type { Metrics } from '../../metrics/metrics.js';

declare module 'node:http' {
  interface IncomingMessage {
    /** The request id (requestId()), echoed as X-Request-Id and logged with every line about the request. */
    id?: string;
  }
}

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

const loggable = new Map<string, string>();
const LOGGABLE_MEMO_ENTRIES = 1000;

/** Path plus query with only the values of KEPT_QUERY_VALUES kept. */
export function loggableUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  // The same few URLs (a post's thread, a page's counts) are read all day: parse each query once.
  let out = loggable.get(url);
  if (out === undefined) {
    const params = new URLSearchParams(url.slice(q + 1));
    const kept = [...params].map(([k, v]) => (KEPT_QUERY_VALUES.has(k) ? `${k}=${encodeURIComponent(v)}` : encodeURIComponent(k)));
    out = `${url.slice(0, q)}?${kept.join('&')}`;
    if (loggable.size >= LOGGABLE_MEMO_ENTRIES) loggable.delete(loggable.keys().next().value!);
    loggable.set(url, out);
  }
  return out;
}

/**
 * The request's log line (the fields pino-http wrote, which the fast lane of public-reads.ts writes
 * too): `{reqId, req: {method, url}, res: {statusCode}, responseTime}` and "METHOD URL STATUS".
 */
export function logRequestLine(logger: Logger, level: 'info' | 'error', id: string, method: string, url: string, status: number, ms: number): void {
  const logged = loggableUrl(url);
  logger[level]({ reqId: id, req: { method, url: logged }, res: { statusCode: status }, responseTime: ms }, `${method} ${logged} ${status}`);
}

/**
 * One info line per request (5xx, and a response cut off before its end, at error level), or
 * nothing when the logger is quieter than info. Written directly when the response closes: pino-http
 * built a child logger and serializer wrappers for every request, which on the hot paths cost more
 * than the line itself (issue 15.3).
 */
export function requestLog(logger: Logger): RequestHandler {
  if (!logger.isLevelEnabled('info')) return (_req, _res, next) => next();
  return (req, res, next) => {
    const start = performance.now();
    res.once('close', () => {
      const ms = Math.round(performance.now() - start);
      const aborted = !res.writableFinished;
      const level = aborted || res.statusCode >= 500 ? 'error' : 'info';
      // originalUrl: a router mounted on a prefix (/api/admin) rewrites req.url while it runs.
      logRequestLine(logger, level, req.id ?? '', req.method, req.originalUrl ?? req.url, res.statusCode, ms);
    });
    next();
  };
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
