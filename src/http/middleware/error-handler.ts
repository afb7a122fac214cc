import type { ErrorRequestHandler, Request } from 'express';
import { AppError, StoreFullError } from '../../domain/errors.js';
import type { Logger } from '../../lib/logger.js';
import { isOnSites, parseHttpUrl } from '../../lib/url.js';
import { classifyError, retryAfterSeconds } from '../classify-error.js';
import { errorPage } from '../pages.js';
import { requestLanguage } from '../request-language.js';
import { pickLocale } from '../../i18n/index.js';
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

/** What the renderer needs to know of the request whose handling failed, however it was served. */
export interface FailedRequest {
  /** For the one log line of an unexpected error. */
  id: string | undefined;
  method: string;
  url: string;
  /** A reader's plain form post to a route that answers with pages (POST /comments, a vote): the error is a page. */
  page: boolean;
  /** The posted `target`, for the page's way back to the post. */
  target: unknown;
  /** requestLanguage() of the request. */
  lang: string | undefined;
}

/** An error as the client gets it; `vary` is added to any Vary the response already has. */
export interface ErrorAnswer {
  status: number;
  headers: Array<[name: string, value: string]>;
  vary: 'Accept-Language';
  type: 'html' | 'json';
  body: string;
}

export type ErrorRenderer = (err: unknown, req: FailedRequest) => ErrorAnswer;

/**
 * The one place API errors are rendered: `{"error": {"code", "message", "field"?}}` with the error's
 * status, the message in the request's language (the code never changes); an HTML page for a
 * reader's form post. The Express error handler below and the POST /comments lane
 * (src/http/comment-lane.ts) both answer with what this returns.
 */
export function createErrorRenderer(logger: Logger, sites: readonly string[]): ErrorRenderer {
  // A full disk fails every write until the owner frees space: one log line, not one per request.
  let fullLogged = false;
  return (err, req) => {
    const appError = classifyError(err);
    if (appError instanceof StoreFullError && !fullLogged) {
      fullLogged = true;
      logger.error({ err }, 'the disk under the database is full: writes answer 503 until space is freed');
    }
    if (!appError) {
      logger.error({ err, reqId: req.id, method: req.method, url: loggableUrl(req.url) }, 'unhandled error');
    }
    const error = appError ?? new AppError('internal-error', 500, 'internal-error');
    const headers: Array<[string, string]> = [];
    const retryAfter = retryAfterSeconds(error);
    if (retryAfter !== undefined) headers.push(['Retry-After', String(retryAfter)]);
    const strings = pickLocale(req.lang);
    headers.push(['Content-Language', strings.lang]);
    const message = error.messageIn(strings);
    // Only the reader's comment form gets an HTML page; machine clients (Webmention senders) get JSON.
    if (req.page) {
      return { status: error.status, headers, vary: 'Accept-Language', type: 'html', body: errorPage(strings, error.status, message, backLink(req.target, sites)) };
    }
    const body = JSON.stringify({ error: { code: error.code, message, ...(error.field ? { field: error.field } : {}) } });
    return { status: error.status, headers, vary: 'Accept-Language', type: 'json', body };
  };
}

/** The Express error handler: the renderer's answer, through Express's response (ETag, HEAD). */
export function createErrorHandler(render: ErrorRenderer): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const answer = render(err, {
      id: req.id,
      method: req.method,
      url: req.originalUrl,
      page: isFormPost(req) && (req.path === '/comments' || /^\/api\/comments\/\d+\/vote$/.test(req.path)),
      target: (req.body as { target?: unknown } | undefined)?.target,
      lang: requestLanguage(req),
    });
    if (res.headersSent) return;
    for (const [name, value] of answer.headers) res.set(name, value);
    res.status(answer.status).vary(answer.vary);
    if (answer.type === 'html') res.type('html').send(answer.body);
    else res.type('json').send(answer.body);
  };
}
