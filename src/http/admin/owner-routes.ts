/**
 * The owner's voice in the admin API (contract v1.1, issue 17.3): `POST /comments` publishes a
 * comment as the site (owner: true), `PUT /comments/:id` edits any comment's text as a moderator.
 * Both go through the pipeline's receive() like every other door; pin and unpin are moderation
 * actions (comment-routes.ts). Mounted behind the admin-token check (admin-api.ts).
 */
import express, { Router } from 'express';
import { AppError } from '../../domain/errors.js';
import type { Comment } from '../../domain/comment.js';
import type { Pipeline } from '../../pipeline/receive.js';
import { parseCommentEdit, parseOwnerComment, toAdminCommentJson } from '../../protocols/comment-form.js';
import { clientInfo } from '../client-info.js';
import { idParam } from '../comment-routes.js';

export interface OwnerRouteDeps {
  pipeline: Pipeline;
  avatarUrl: (c: Comment) => string;
  publicUrl: string;
}

export function ownerRoutes(deps: OwnerRouteDeps): Router {
  const router = Router();
  const json = (c: Comment) => Object.assign(toAdminCommentJson(c, deps.avatarUrl(c)), { body_raw: c.bodyRaw });
  const body = express.json({ limit: '64kb' });

  router.post('/comments', body, async (req, res) => {
    const submission = await deps.pipeline.admit(parseOwnerComment(req.body, clientInfo(req)));
    const result = await deps.pipeline.receive(submission);
    if (result.kind !== 'stored') throw new AppError('internal-error', 500, 'internal-error');
    res.status(201).location(`${deps.publicUrl}/api/comments/${result.comment.id}`).json(json(result.comment));
  });

  router.put('/comments/:id', body, async (req, res) => {
    const result = await deps.pipeline.receive({ kind: 'moderator-edit', id: idParam(req), body: parseCommentEdit(req.body).body, client: clientInfo(req) });
    if (result.kind !== 'updated') throw new AppError('internal-error', 500, 'internal-error');
    res.json(json(result.comment));
  });

  return router;
}
