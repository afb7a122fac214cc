/** `POST /api/preview` `{"body": "…"}` → `{"body_html": "…"}`: the pipeline's own Markdown and sanitizer, nothing stored. */
import express, { Router } from 'express';
import { ValidationError, msg } from '../domain/errors.js';
import { LIMITS } from '../pipeline/normalize.js';
import { renderCommentBody } from '../pipeline/sanitize.js';

export function previewRoutes(): Router {
  const router = Router();
  router.post('/api/preview', express.json({ limit: '64kb' }), (req, res) => {
    const body: unknown = (req.body as Record<string, unknown> | undefined)?.body;
    if (typeof body !== 'string') throw new ValidationError('missing-field', 'preview-body-required', 'body');
    if ([...body].length > LIMITS.body) {
      throw new ValidationError('field-too-long', msg('comment-too-long', { max: LIMITS.body }), 'body');
    }
    res.set('Cache-Control', 'no-store').json({ body_html: renderCommentBody(body) });
  });
  return router;
}
