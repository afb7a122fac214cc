/** Admin API (bearer token): list by status, moderate. */
import express, { Router } from 'express';
import { COMMENT_STATUSES, type Comment, type CommentStatus } from '../domain/comment.js';
import { ValidationError } from '../domain/errors.js';
import { toAdminCommentJson } from '../protocols/comment-form.js';
import { MODERATION_ACTIONS, type ModerationAction, type ModerationResult } from '../moderation/moderate.js';
import type { Store } from '../store/repository.js';
import { idParam } from './comment-routes.js';

export interface AdminRouteDeps {
  store: Store;
  moderate: (id: number, action: ModerationAction) => Promise<ModerationResult>;
  avatarUrl: (c: Comment) => string;
}

export function adminRoutes(deps: AdminRouteDeps): Router {
  const router = Router();
  const json = (c: Comment) => toAdminCommentJson(c, deps.avatarUrl(c));

  router.get('/comments', async (req, res) => {
    const status = (req.query.status ?? 'pending') as string;
    if (!(COMMENT_STATUSES as readonly string[]).includes(status)) {
      throw new ValidationError('invalid-body', `status must be one of ${COMMENT_STATUSES.join(', ')}.`, 'status');
    }
    const limit = Math.min(Math.max(Number(req.query.limit) || 100, 1), 500);
    const before = Number(req.query.before) || undefined;
    const comments = await deps.store.comments.listByStatus(status as CommentStatus, { limit, before });
    res.json({ comments: comments.map(json) });
  });

  router.post('/comments/:id', express.json({ limit: '16kb' }), async (req, res) => {
    const id = idParam(req);
    const action = (req.body as { action?: unknown } | undefined)?.action;
    if (typeof action !== 'string' || !(MODERATION_ACTIONS as readonly string[]).includes(action)) {
      throw new ValidationError('invalid-body', `action must be one of ${MODERATION_ACTIONS.join(', ')}.`, 'action');
    }
    const result = await deps.moderate(id, action as ModerationAction);
    if (result.kind === 'deleted') res.json({ id, deleted: true, placeholder: result.placeholder });
    else res.json(json(result.comment));
  });

  return router;
}
