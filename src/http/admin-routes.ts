/** Admin API (bearer token): list by status, moderate. */
import express, { Router } from 'express';
import { COMMENT_STATUSES, type Comment, type CommentStatus } from '../domain/comment.js';
import { ValidationError } from '../domain/errors.js';
import { toAdminCommentJson } from '../protocols/comment-form.js';
import { MODERATION_ACTIONS, type ModerationAction, type ModerationResult } from '../moderation/moderate.js';
import type { Store } from '../store/repository.js';
import { idParam } from './comment-routes.js';
import { resolveTarget } from '../pipeline/normalize.js';

export interface AdminRouteDeps {
  store: Store;
  sites: readonly string[];
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

  // Every linkback attempt and its outcome, newest first: why a ping was refused is never a mystery.
  router.get('/linkbacks', async (req, res) => {
    const limit = Math.min(Math.max(Number(req.query.limit) || 100, 1), 500);
    const before = Number(req.query.before) || undefined;
    const entries = await deps.store.linkbackLog.list({ limit, before });
    res.json({
      attempts: entries.map((e) => ({
        id: e.id, type: e.kind, source: e.source, target: e.target, outcome: e.outcome, reason: e.reason,
        ip: e.ip, comment_id: e.commentId, created: e.created.toISOString(),
      })),
    });
  });

  // Close or reopen one thread to comments and/or linkbacks; takes effect for existing posts at once.
  router.post('/threads', express.json({ limit: '16kb' }), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const target = resolveTarget(body.target, deps.sites);
    const flag = (name: string): boolean | undefined => {
      const v = body[name];
      if (v === undefined) return undefined;
      if (typeof v !== 'boolean') throw new ValidationError('invalid-body', `${name} must be true or false.`, name);
      return v;
    };
    const thread = await deps.store.threads.ensure(target, new Date());
    await deps.store.threads.setClosed(thread.id, { comments: flag('comments_closed'), linkbacks: flag('linkbacks_closed') });
    const updated = (await deps.store.threads.findById(thread.id))!;
    res.json({ id: updated.id, target: updated.target, comments_closed: updated.commentsClosed, linkbacks_closed: updated.linkbacksClosed });
  });

  return router;
}
