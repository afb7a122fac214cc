/**
 * POST /comments answered at the node:http layer, before Express builds its request and response:
 * on this 2-core machine Express's dispatch, its body parsers, the cors package and res.redirect()
 * cost a quarter of a comment's CPU (docs/benchmarks.md, "The POST lane"). Everything else is the
 * Express route's: the body is read as its parsers read it (comment-body.ts), the comment goes
 * through the same handling (comment-post.ts), errors are rendered by the same renderer
 * (middleware/error-handler.ts), and the answer carries what the app's middlewares would have set
 * (X-Request-Id, the CORS headers and refused-origin note of middleware/cors.ts, the ETag Express
 * gives a sent body), with its log line and metrics under route "/comments".
 *
 * Only the common requests are taken: POST to exactly `/comments`, a form (UTF-8 or ISO-8859-1) or
 * JSON (UTF-8) body with a Content-Length within the limit and no Content-Encoding. Anything else
 * (a preflight, a query string, chunked or compressed bodies, other types, an oversized body) goes
 * to Express with its body unread. Once the lane has started reading a body it answers itself.
 * tests/http/post-lane.test.ts sends the same requests both ways and compares the answers.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../lib/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { fromBodyParser } from './classify-error.js';
import { clientInfoOf } from './client-info.js';
import { laneBodyType, parseLaneBody, type LaneBodyType } from './comment-body.js';
import { COMMENT_BODY_LIMIT, redirectBody, type CommentPostAnswer, type CommentPostRequest } from './comment-post.js';
import type { ErrorRenderer } from './middleware/error-handler.js';
import { logRequestLine, requestIdFrom } from './middleware/request-log.js';
import { languageOf } from './request-language.js';

const DIGITS = /^\d{1,9}$/;
const JSON_TYPE = 'application/json; charset=utf-8';
const HTML_TYPE = 'text/html; charset=utf-8';
const TEXT_TYPE = 'text/plain; charset=utf-8';

export interface CommentLaneDeps {
  post: (req: CommentPostRequest) => Promise<CommentPostAnswer>;
  renderError: ErrorRenderer;
  /** siteCorsHeaders(): the CORS headers for the request's Origin (and the refused-origin note). */
  corsHeaders: (origin: string | undefined) => string[];
  /** The client's address as Express's req.ip gives it (trust proxy). */
  clientAddress: (req: IncomingMessage) => string;
  /** Express's ETag of a body it sends (res.send), undefined when the app sends none. */
  etag: ((body: Buffer) => string) | undefined;
  logger: Logger;
  metrics: Metrics;
}

export function commentLane(deps: CommentLaneDeps): (next: RequestListener) => RequestListener {
  const logRequests = deps.logger.isLevelEnabled('info');

  /** The body type when the lane takes the request, else undefined. */
  function taken(req: IncomingMessage): LaneBodyType | undefined {
    if (req.method !== 'POST' || req.url !== '/comments') return undefined;
    const { headers } = req;
    const length = headers['content-length'];
    if (length === undefined || !DIGITS.test(length) || Number(length) > COMMENT_BODY_LIMIT) return undefined;
    if (headers['transfer-encoding'] !== undefined) return undefined;
    const coding = headers['content-encoding'];
    if (coding !== undefined && coding.toLowerCase() !== 'identity') return undefined;
    return laneBodyType(headers['content-type']);
  }

  function answer(req: IncomingMessage, res: ServerResponse, type: LaneBodyType): void {
    const start = performance.now();
    const { headers } = req;
    const incomingId = headers['x-request-id'];
    const id = requestIdFrom(typeof incomingId === 'string' ? incomingId : undefined);
    // As the Express path: CORS (and the refused-origin note) before the body is read.
    const cors = deps.corsHeaders(headers.origin);
    const acceptLanguage = headers['accept-language'];
    // isFormPost(): a form whose sender does not ask for JSON.
    const formPost = type !== 'json' && !(headers.accept ?? '').includes('application/json');
    let body: unknown;

    const finish = (status: number, list: Array<string | number>, content: Buffer): void => {
      const aborted = res.destroyed;
      res.writeHead(status, list);
      res.end(content);
      const seconds = (performance.now() - start) / 1000;
      deps.metrics.observeRequest('POST', '/comments', status, seconds);
      if (logRequests) logRequestLine(deps.logger, aborted || status >= 500 ? 'error' : 'info', id, 'POST', '/comments', status, Math.round(seconds * 1000));
    };

    const fail = (err: unknown): void => {
      if (res.headersSent) {
        deps.logger.error({ err, reqId: id }, 'POST /comments lane failed after answering');
        return;
      }
      const target = body !== null && typeof body === 'object' ? (body as { target?: unknown }).target : undefined;
      const error = deps.renderError(err, { id, method: 'POST', url: '/comments', page: formPost, target, lang: languageOf(undefined, body, acceptLanguage) });
      const list: Array<string | number> = ['X-Request-Id', id];
      let vary = error.vary as string;
      for (let i = 0; i < cors.length; i += 2) {
        if (cors[i] === 'Vary') vary = `${cors[i + 1]}, ${vary}`;
        else list.push(cors[i]!, cors[i + 1]!);
      }
      for (const [name, value] of error.headers) list.push(name, value);
      list.push('Vary', vary);
      send(error.status, list, error.type === 'html' ? HTML_TYPE : JSON_TYPE, Buffer.from(error.body), true);
    };

    const send = (status: number, list: Array<string | number>, contentType: string, content: Buffer, withEtag: boolean): void => {
      list.push('Content-Type', contentType, 'Content-Length', content.length);
      if (withEtag && deps.etag) list.push('ETag', deps.etag(content));
      finish(status, list, content);
    };

    const write = (done: CommentPostAnswer): void => {
      const list: Array<string | number> = ['X-Request-Id', id, ...cors];
      if (done.status === 201) {
        list.push('Location', done.location);
        send(201, list, JSON_TYPE, Buffer.from(done.json), true);
        return;
      }
      if (done.setCookie !== undefined) list.push('Set-Cookie', done.setCookie);
      list.push('Location', done.location);
      send(303, list, TEXT_TYPE, Buffer.from(redirectBody(done.location)), false);
    };

    const chunks: Buffer[] = [];
    let ended = false;
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => {
      ended = true;
      try {
        body = parseLaneBody(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), type);
      } catch (err) {
        fail(err);
        return;
      }
      const post: CommentPostRequest = {
        body, client: clientInfoOf(deps.clientAddress(req), headers), lang: languageOf(undefined, body, acceptLanguage), formPost, cookie: headers.cookie,
      };
      deps.post(post).then(write).catch(fail);
    });
    // The client went away before the whole body came: body-parser's "request aborted".
    req.once('close', () => {
      if (!ended) fail(fromBodyParser({ type: 'request.aborted' }));
    });
  }

  return (next) => (req, res) => {
    const type = taken(req);
    if (type === undefined) next(req, res);
    else answer(req, res, type);
  };
}
