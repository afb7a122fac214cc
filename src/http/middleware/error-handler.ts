import type { ErrorRequestHandler, Request } from 'express';
import { AppError, PayloadTooLargeError, RateLimitedError, StoreBusyError, StoreFullError, storeBusy, ValidationError } from '../../domain/errors.js';
import type { Logger } from '../../lib/logger.js';
import { isOnSites, parseHttpUrl } from '../../lib/url.js';
import { errorPage } from '../pages.js';
import { loggableUrl } from './request-log.js';

/**
 * Errors a client causes before our code runs, mapped to our codes: body-parser's carry a `type`;
 * the router's "Failed to decode param" (a path like `/api/comments/%ff`) is a URIError with status 400.
 */
export function fromBodyParser(err: { type?: string; limit?: number; status?: number }): AppError | undefined {
  if (err instanceof URIError && err.status === 400) return new ValidationError('invalid-url', 'The URL path is not valid percent-encoding.');
  switch (err.type) {
    case 'entity.too.large':
      return new PayloadTooLargeError(err.limit ?? 65536);
    case 'entity.parse.failed':
      return new ValidationError('invalid-json', 'The request body is not valid JSON.');
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new AppError('unsupported-media-type', 415, 'Unsupported request body encoding.');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
    case 'parameters.too.many':
      return new ValidationError('invalid-body', 'The request body could not be read.');
    default:
      // Any other client error body-parser raises (an http-error with a 4xx status): e.g. a
      // `Content-Encoding: gzip` body that does not inflate. Unmapped, it would have been a 500.
      if (typeof err.status === 'number' && err.status >= 400 && err.status < 500 && (err as { expose?: boolean }).expose) {
        return new AppError('invalid-body', err.status, 'The request body could not be read.');
      }
      return undefined;
  }
}

/** Contract: a JSON request, or one that accepts JSON, gets JSON; a plain HTML form post gets HTML. */
export function wantsJson(req: Request): boolean {
  return Boolean(req.is('application/json')) || (req.get('accept') ?? '').includes('application/json');
}

export function isFormPost(req: Request): boolean {
  return req.method === 'POST' && Boolean(req.is('application/x-www-form-urlencoded')) && !wantsJson(req);
}

/**
 * Where the error page's "Back to the post" link may point: the posted target only when it is on one
 * of our sites. Anything else would make this server an open redirector with our name on the page
 * ("your comment could not be posted — continue here").
 */
export function backLink(target: unknown, sites: readonly string[]): string | undefined {
  const url = parseHttpUrl(target);
  return url && isOnSites(url, sites) ? url.href : undefined;
}

/** The one place API errors are rendered: `{"error": {"code", "message", "field"?}}` with the error's status. */
export function createErrorHandler(logger: Logger, sites: readonly string[]): ErrorRequestHandler {
  // A full disk fails every write until the owner frees space: one log line, not one per request.
  let fullLogged = false;
  return (err, req, res, _next) => {
    const appError = err instanceof AppError ? err : (fromBodyParser(err as { type?: string }) ?? storeBusy(err));
    if (appError instanceof StoreFullError && !fullLogged) {
      fullLogged = true;
      logger.error({ err }, 'the disk under the database is full: writes answer 503 until space is freed');
    }
    if (!appError) {
      logger.error({ err, reqId: req.id, method: req.method, url: loggableUrl(req.originalUrl) }, 'unhandled error');
    }
    const error = appError ?? new AppError('internal-error', 500, 'Something went wrong on our side.');
    if (res.headersSent) return;
    if (error instanceof RateLimitedError || error instanceof StoreBusyError) res.set('Retry-After', String(error.retryAfterSeconds));
    res.status(error.status);
    // Only the reader's comment form gets an HTML page; machine clients (Webmention senders) get JSON.
    if (isFormPost(req) && req.path === '/comments') {
      const back = backLink(req.body?.target, sites);
      res.type('html').send(errorPage(error.status, error.message, back));
      return;
    }
    res.json({ error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) } });
  };
}
