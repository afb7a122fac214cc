/**
 * `POST /thread/held?target=URL&lang=xx` with `{"own": [{"id": 12, "token": "…"}]}`: the reader's own
 * comments in this thread that are still held for moderation, proven by their edit tokens, each as
 * the rendered list item the widget merges into the shared thread (issue 17.4). The shared thread
 * (GET /thread, /api/comments) and its cache never contain them; this answer is private and never stored.
 */
import express, { Router } from 'express';
import type { Comment } from '../domain/comment.js';
import { ValidationError } from '../domain/errors.js';
import { resolveTarget } from '../domain/target.js';
import type { ThreadReader } from '../read/thread-reader.js';
import { negotiateLocale } from '../render/locale.js';
import { renderHeldItem } from '../render/thread-fragment.js';
import { MAX_CLAIMS, parseClaims } from './own-comments-cookie.js';

export interface HeldRouteDeps {
  reader: ThreadReader;
  sites: readonly string[];
  publicUrl: string;
  avatarUrl: (c: Comment) => string;
  clock: { now(): Date };
  config: { editWindowMinutes: number };
}

export function heldRoutes(deps: HeldRouteDeps): Router {
  const router = Router();

  router.post('/thread/held', express.json({ limit: '16kb' }), async (req, res) => {
    const target = resolveTarget(req.query.target, deps.sites);
    const strings = negotiateLocale(req.query.lang, req.get('accept-language'));
    const own = (req.body as { own?: unknown } | undefined)?.own;
    if (!Array.isArray(own) || own.length > MAX_CLAIMS) throw new ValidationError('invalid-body', 'own-list-invalid', 'own');
    const held = await deps.reader.heldFor(target, parseClaims(own));
    // A held comment has no reply link whether or not the thread is closed, so the thread is not read.
    const view = {
      target, comments: [], strings, publicUrl: deps.publicUrl, avatarUrl: deps.avatarUrl, now: deps.clock.now(),
      commentsClosed: false, editMinutes: deps.config.editWindowMinutes,
    };
    res.set('Cache-Control', 'private, no-store').json({
      items: held.map((c) => ({ id: c.id, parent: c.parent, html: renderHeldItem(c, view).value })),
    });
  });

  return router;
}
