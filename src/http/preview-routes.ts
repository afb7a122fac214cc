/**
 * `POST /api/preview` `{"body": "…"}` → `{"body_html": "…"}`: the pipeline's own Markdown and
 * sanitizer, nothing stored. Anyone may call it, as fast as they like, with the worst Markdown they
 * can find, so it is the cheapest place to stall a server from: the render runs on the preview lane
 * of the worker pool (never on the request thread), under a time limit, behind its own per-client
 * rate limit (429 with Retry-After, like every other limit).
 */
import express, { Router } from 'express';
import { RateLimitedError, ValidationError } from '../domain/errors.js';
import { clientLimitKey } from '../lib/ip.js';
import { LIMITS } from '../pipeline/normalize.js';
import type { SubmissionLimiter } from '../spam/submission-limiter.js';
import { renderPreviewOffThread } from '../workers/offload.js';
import { clientInfo } from './client-info.js';

export interface PreviewRouteDeps {
  /** Per client (IPv4 address, IPv6 /64; BACKTALK_PREVIEW_RATE_LIMIT a minute); separate from the submission limit. */
  previewLimiter: SubmissionLimiter;
  /** BACKTALK_WORKER_TIMEOUT_MS. */
  workerTimeoutMs: number;
}

/** How long an over-limit preview waits for its 429. */
const REFUSAL_DELAY_MS = 1000;

export function previewRoutes(deps: PreviewRouteDeps): Router {
  const router = Router();
  const limit: express.RequestHandler = async (req, _res, next) => {
    // Counted before the body is even read: a refused client costs no parsing.
    try {
      await deps.previewLimiter.consume(clientLimitKey(clientInfo(req).ip));
    } catch (err) {
      // A client over the limit waits a moment for its 429, as nginx's limit_req holds excess requests
      // back: a client that sends the next request as soon as it has the answer (32 connections in a
      // loop, in the bench) then gets one answer per connection a second, not hundreds, and the
      // refusals stop costing the request thread more than the renders they prevent.
      if (err instanceof RateLimitedError) await new Promise((resolve) => setTimeout(resolve, REFUSAL_DELAY_MS));
      throw err;
    }
    next();
  };
  router.post('/api/preview', limit, express.json({ limit: '64kb' }), async (req, res) => {
    const body: unknown = (req.body as Record<string, unknown> | undefined)?.body;
    if (typeof body !== 'string') throw new ValidationError('missing-field', 'Send {"body": "…"} as JSON.', 'body');
    if ([...body].length > LIMITS.body) {
      throw new ValidationError('field-too-long', `A comment may be at most ${LIMITS.body} characters long.`, 'body');
    }
    const html = await renderPreviewOffThread(body, { timeoutMs: deps.workerTimeoutMs });
    res.set('Cache-Control', 'no-store').json({ body_html: html });
  });
  return router;
}
