/**
 * Sending linkbacks, in the admin API (contract v1.1 "Sending linkbacks"; mounted under /api/admin
 * behind the bearer token): queue a post, its status document, the admin page's "Sent" view, and
 * sending one link again.
 */
import express, { Router } from 'express';
import { NotFoundError } from '../../domain/errors.js';
import type { SendLink, SendPost } from '../../domain/send.js';
import type { SendService } from '../../send/send-service.js';
import type { SendRepository } from '../../store/repository.js';
import { idParam } from '../comment-routes.js';

export interface SendRouteDeps {
  sends: SendService;
  store: { sends: SendRepository };
  config: { sendEnabled: boolean; feeds: readonly string[] };
}

export function sendRoutes(deps: SendRouteDeps): Router {
  const router = Router();
  const body = express.json({ limit: '16kb' });

  router.post('/send', body, async (req, res) => {
    const post = await deps.sends.request((req.body as { source?: unknown } | undefined)?.source);
    res.status(202).json({ source: post.source, status_url: deps.sends.statusUrl(post) });
  });

  router.get('/send/:id', async (req, res) => {
    const status = await deps.sends.status(idParam(req));
    if (!status) throw new NotFoundError('No such send.');
    res.set('Cache-Control', 'no-store').json(status);
  });

  // The admin page's "Sent" view: every post, newest first, with each link's outcome.
  router.get('/sends', async (req, res) => {
    const limit = Math.min(Math.max(Number(req.query.limit) || 50, 1), 200);
    const before = Number(req.query.before) || undefined;
    const posts = await deps.store.sends.listPosts({ limit, before });
    const withLinks = await Promise.all(posts.map(async (p) => postJson(p, await deps.store.sends.listLinks(p.id), deps.sends.statusUrl(p))));
    res.set('Cache-Control', 'no-store').json({ enabled: deps.config.sendEnabled, feeds: deps.config.feeds, posts: withLinks });
  });

  router.post('/send/links/:id', async (req, res) => {
    const link = await deps.sends.resendLink(idParam(req));
    res.status(202).json(linkJson(link));
  });

  return router;
}

function postJson(post: SendPost, links: SendLink[], statusUrl: string) {
  return {
    id: post.id,
    source: post.source,
    title: post.title,
    status: post.status,
    gone: post.gone,
    error: post.lastError,
    updated: post.updated.toISOString(),
    status_url: statusUrl,
    links: links.map(linkJson),
  };
}

function linkJson(link: SendLink) {
  return {
    id: link.id,
    target: link.target,
    protocol: link.protocol,
    state: link.state,
    response: link.response,
    in_post: link.inPost,
    attempts: link.attempts,
    updated: link.updated.toISOString(),
    sent: link.sentAt?.toISOString() ?? null,
  };
}
