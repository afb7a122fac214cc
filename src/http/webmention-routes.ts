/**
 * `POST /webmention` (W3C Webmention): synchronous request checks, `201 Created` with a `Location`
 * status URL (§3.2.1), verification in the background; `GET /webmention/status/:token` tells the
 * truth at every step.
 */
import express, { Router } from 'express';
import type { WebmentionJob } from '../domain/comment.js';
import { AppError, NotFoundError } from '../domain/errors.js';
import type { WebmentionService } from '../jobs/webmention-service.js';
import { parseWebmention, type WebmentionStatusJson } from '../protocols/webmention.js';
import type { Store } from '../store/repository.js';
import { clientInfo } from './client-info.js';

export interface WebmentionRouteDeps {
  webmentions: WebmentionService;
  store: Store;
  publicUrl: string;
}

export function webmentionRoutes(deps: WebmentionRouteDeps): Router {
  const router = Router();
  const statusUrl = (job: WebmentionJob) => `${deps.publicUrl}/webmention/status/${job.token}`;

  // Only the body carries source and target; a query string on the endpoint (a CSRF token, §4.4)
  // is the sender's to keep and is ignored here.
  router.post('/webmention', express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    if (!req.is('application/x-www-form-urlencoded')) {
      throw new AppError('unsupported-media-type', 400, 'webmention-form-required');
    }
    const job = await deps.webmentions.submit(parseWebmention(req.body ?? {}, clientInfo(req)));
    res.status(201).location(statusUrl(job)).json(Object.assign(toStatusJson(job), { location: statusUrl(job) }));
  });

  router.get('/webmention/status/:token', async (req, res) => {
    const token = String(req.params.token);
    const job = /^[A-Za-z0-9_-]{10,64}$/.test(token) ? await deps.store.webmentions.findByToken(token) : undefined;
    if (!job) throw new NotFoundError('no-such-webmention');
    res.set('Cache-Control', 'no-store').json(toStatusJson(job));
  });

  return router;
}

function toStatusJson(job: WebmentionJob): WebmentionStatusJson {
  return {
    status: job.status,
    reason: job.reason,
    source: job.source,
    target: job.target,
    created: job.created.toISOString(),
    updated: job.updated.toISOString(),
  };
}
