import type { ErrorRequestHandler, Request } from 'express';
import { AppError, StoreFullError } from '../../domain/errors.js';
import type { Logger } from '../../lib/logger.js';
import { isOnSites, parseHttpUrl } from '../../lib/url.js';
import { classifyError, retryAfterSeconds } from '../classify-error.js';
import { errorPage } from '../pages.js';
import { pickRequestLanguage } from '../request-language.js';
import { loggableUrl } from './request-log.js';

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

/**
 * The one place API errors are rendered: `{"error": {"code", "message", "field"?}}` with the error's
 * status, the message in the request's language (the code never changes).
 */
export function createErrorHandler(logger: Logger, sites: readonly string[]): ErrorRequestHandler {
  // A full disk fails every write until the owner frees space: one log line, not one per request.
  let fullLogged = false;
  return (err, req, res, _next) => {
    const appError = classifyError(err);
    if (appError instanceof StoreFullError && !fullLogged) {
      fullLogged = true;
      logger.error({ err }, 'the disk under the database is full: writes answer 503 until space is freed');
    }
    if (!appError) {
      logger.error({ err, reqId: req.id, method: req.method, url: loggableUrl(req.originalUrl) }, 'unhandled error');
    }
    const error = appError ?? new AppError('internal-error', 500, 'internal-error');
    if (res.headersSent) return;
    const retryAfter = retryAfterSeconds(error);
    if (retryAfter !== undefined) res.set('Retry-After', String(retryAfter));
    res.status(error.status);
    const strings = pickRequestLanguage(req);
    res.vary('Accept-Language').set('Content-Language', strings.lang);
    const message = error.messageIn(strings);
    // Only the reader's comment form gets an HTML page; machine clients (Webmention senders) get JSON.
    if (isFormPost(req) && (req.path === '/comments' || /^\/api\/comments\/\d+\/vote$/.test(req.path))) {
      const back = backLink(req.body?.target, sites);
      res.type('html').send(errorPage(strings, error.status, message, back));
      return;
    }
    res.json({ error: { code: error.code, message, ...(error.field ? { field: error.field } : {}) } });
  };
}
