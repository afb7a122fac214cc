/**
 * TrackBack 1.2 door: `POST /trackback?target=URL` and `POST /trackback/:threadId`. Answers are
 * always TrackBack XML (`<error>0</error>` or `<error>1</error><message>…</message>`), HTTP 200
 * except 429 for rate limits, so every client can parse them.
 */
import express, { Router, type ErrorRequestHandler, type Request } from 'express';
import { AppError, NotFoundError, RateLimitedError, ValidationError, msg } from '../domain/errors.js';
import type { Strings } from '../i18n/index.js';
import type { Logger } from '../lib/logger.js';
import type { Pipeline } from '../pipeline/receive.js';
import { resolveTarget } from '../domain/target.js';
import { decodeFormBody } from '../protocols/form-body.js';
import { formatTrackbackResponse, formatTrackbackRss, parseTrackbackPing } from '../protocols/trackback.js';
import type { ThreadReader } from '../read/thread-reader.js';
import type { Store } from '../store/repository.js';
import { clientInfo } from './client-info.js';
import { classifyError, fromBodyParser, retryAfterSeconds } from './classify-error.js';
import { pickRequestLanguage } from './request-language.js';

export interface TrackbackRouteDeps {
  pipeline: Pipeline;
  store: Store;
  reader: ThreadReader;
  sites: readonly string[];
  logger: Logger;
  clock: { now(): Date };
}


export function trackbackRoutes(deps: TrackbackRouteDeps): Router {
  const router = Router();
  // Our own body reading: Express's form parser refuses legacy charsets (415) and leaves
  // undecodable %XX in place (protocols/form-body.ts).
  const rawBody = express.raw({ type: () => true, limit: '64kb' });

  const ping = async (req: Request, res: express.Response) => {
    const target = await resolvePingTarget(req);
    const form = decodeFormBody(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), req.get('content-type'));
    const submission = await deps.pipeline.admit(parseTrackbackPing(form, target, clientInfo(req)));
    const result = await deps.pipeline.receive(submission);
    sendXml(res, 200, formatTrackbackResponse(result.kind === 'duplicate' ? pickRequestLanguage(req).errors['trackback-duplicate'] : undefined));
  };

  const list = async (req: Request, res: express.Response) => {
    if (req.query.__mode !== 'rss') {
      sendXml(res, 200, formatTrackbackResponse(pickRequestLanguage(req).errors['trackback-post-only']));
      return;
    }
    const { target, thread, items } = await deps.reader.readThread(resolveTarget(await resolvePingTarget(req), deps.sites));
    // By id, a thread readers cannot see (only held comments, say) answers like an id that does not
    // exist: its listing would name its post, and so tell that someone wrote there (issue 14.12).
    if (!thread && req.params.threadId !== undefined) throw new NotFoundError(msg('trackback-id-invalid', { id: String(req.params.threadId).slice(0, 40) }));
    const pings = items.filter((c) => c.kind === 'trackback');
    sendXml(res, 200, formatTrackbackRss(
      { target, title: thread?.title ?? null },
      pings.map((p) => ({ title: p.title, source: p.source, excerpt: p.bodyRaw })),
    ));
  };

  /** The target as the request names it (the door resolves it). The thread id form is what /discovery hands out. */
  async function resolvePingTarget(req: Request): Promise<string> {
    const id = req.params.threadId;
    if (id !== undefined) {
      const thread = /^\d{1,15}$/.test(String(id)) ? await deps.store.threads.findById(Number(id)) : undefined;
      if (!thread) throw new NotFoundError(msg('trackback-id-invalid', { id: String(id).slice(0, 40) }));
      return thread.target;
    }
    const target = req.query.target;
    if (typeof target !== 'string' || target === '') throw new ValidationError('missing-field', 'trackback-target-required', 'target');
    return target;
  }

  router.post('/trackback', rawBody, ping);
  router.post('/trackback/:threadId', rawBody, ping);
  router.get('/trackback', list);
  router.get('/trackback/:threadId', list);
  router.use('/trackback', trackbackErrors(deps.logger));
  return router;
}

/** TrackBack's own error format for everything that goes wrong under /trackback, in the request's language. */
function trackbackErrors(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const strings = pickRequestLanguage(req);
    const error = classifyError(err);
    if (!error) {
      logger.error({ err, url: req.originalUrl }, 'trackback failed');
      sendXml(res, 500, formatTrackbackResponse(strings.errors['ping-failed']));
      return;
    }
    const retryAfter = retryAfterSeconds(error);
    if (retryAfter !== undefined) res.set('Retry-After', String(retryAfter));
    // A rate limit is 429 and a busy server 503, so clients back off; every other refusal is a 200
    // with <error>1</error>, which is all the TrackBack spec defines.
    const status = error instanceof RateLimitedError ? 429 : retryAfter !== undefined ? 503 : 200;
    sendXml(res, status, formatTrackbackResponse(trackbackMessage(error, err, strings)));
  };
}

/** The message of a refusal, in TrackBack's words where the generic one would say "request". */
function trackbackMessage(error: AppError, original: unknown, strings: Strings): string {
  const t = strings.errors;
  if (error instanceof RateLimitedError) return t['trackback-too-fast'];
  if (error.code === 'payload-too-large') return t['ping-too-large'];
  // Raised by the router or the body reader, before our code: the sender's mistake.
  if (original instanceof URIError) return t['trackback-path-invalid'];
  if (!(original instanceof AppError) && fromBodyParser(original as { type?: string })) return t['ping-unreadable'];
  return error.messageIn(strings);
}

function sendXml(res: express.Response, status: number, body: string): void {
  res.status(status).type('text/xml; charset=utf-8').send(body);
}
