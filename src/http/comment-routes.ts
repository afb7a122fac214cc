/** Readers' API: post, list, count, edit and delete comments. Routes translate; the pipeline decides. */
import express, { Router, type Request } from 'express';
import { AppError, ValidationError } from '../domain/errors.js';
import type { Comment } from '../domain/comment.js';
import { parseCommentEdit, parseCommentForm, toCommentJson } from '../protocols/comment-form.js';
import { resolveTarget } from '../pipeline/normalize.js';
import type { Pipeline } from '../pipeline/receive.js';
import type { OwnComments } from '../pipeline/edit.js';
import type { Store } from '../store/repository.js';
import { clientInfo } from './client-info.js';
import { BodyCache, etagOf, notModified, sendJsonBody } from './middleware/caching.js';
import { isFormPost } from './middleware/error-handler.js';
import { heldPage } from './pages.js';

export interface CommentRouteDeps {
  pipeline: Pipeline;
  ownComments: OwnComments;
  store: Store;
  sites: readonly string[];
  publicUrl: string;
  avatarUrl: (c: Comment) => string;
}

const BODY_LIMIT = '64kb';
const MAX_COUNT_TARGETS = 100;
const RENDERED_CACHE_BYTES = 16 * 1024 * 1024;

export function commentRoutes(deps: CommentRouteDeps): Router {
  const router = Router();
  const json = (c: Comment) => toCommentJson(c, deps.avatarUrl(c));
  // Rendered GET /api/comments bodies, used only while the thread's ETag is unchanged.
  const renderedThreads = new BodyCache(RENDERED_CACHE_BYTES);
  const bodies = [express.json({ limit: BODY_LIMIT }), express.urlencoded({ limit: BODY_LIMIT, extended: false })];

  router.post('/comments', ...bodies, async (req, res) => {
    if (!req.is(['application/json', 'application/x-www-form-urlencoded'])) {
      throw new AppError('unsupported-media-type', 415, 'Send the comment as a form or as JSON.');
    }
    const result = await deps.pipeline.receive(parseCommentForm(req.body, clientInfo(req)));
    if (result.kind !== 'stored') throw new AppError('internal-error', 500, 'Unexpected pipeline result for a comment.');
    const { comment, editToken } = result;
    if (isFormPost(req)) {
      const location = comment.status === 'approved'
        ? `${comment.target}#comment-${comment.id}`
        : `${deps.publicUrl}/comments/held?target=${encodeURIComponent(comment.target)}`;
      res.redirect(303, location);
      return;
    }
    // Spam is answered like a held comment, so a spammer learns nothing from the response.
    const status = comment.status === 'approved' ? 'approved' : 'pending';
    res.status(201).location(`${deps.publicUrl}/api/comments/${comment.id}`).json({ ...json(comment), status, edit_token: editToken });
  });

  router.get('/comments/held', (req, res) => {
    const target = typeof req.query.target === 'string' ? resolveTarget(req.query.target, deps.sites) : deps.publicUrl;
    res.type('html').send(heldPage(target));
  });

  router.get('/api/comments', async (req, res) => {
    const target = resolveTarget(singleQuery(req, 'target'), deps.sites);
    // The validator first (one indexed read); the comments are read only when the reader's copy is old.
    const version = (await deps.store.comments.threadVersions([target])).get(target);
    const etag = etagOf('comments', deps.publicUrl, target, version ?? '-');
    if (notModified(req, res, etag)) return;
    let body = renderedThreads.get(target, etag);
    if (!body) {
      const thread = version === undefined ? undefined : await deps.store.threads.findByTarget(target);
      const comments = thread ? await deps.store.comments.listVisible(thread.id) : [];
      body = Buffer.from(JSON.stringify({ target, total: comments.filter((c) => !c.deleted).length, comments: comments.map(json) }));
      renderedThreads.set(target, etag, body);
    }
    sendJsonBody(res, body);
  });

  router.get('/api/counts', async (req, res) => {
    const raw = req.query.target;
    const asked = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((t): t is string => typeof t === 'string');
    if (asked.length === 0) throw new ValidationError('missing-field', 'Give at least one target.', 'target');
    if (asked.length > MAX_COUNT_TARGETS) throw new ValidationError('invalid-body', `At most ${MAX_COUNT_TARGETS} targets at once.`, 'target');
    const normalized = new Map<string, string>();
    for (const t of asked) {
      try {
        normalized.set(t, resolveTarget(t, deps.sites));
      } catch {
        // An unknown or foreign target simply has no comments here (contract: 0 for unknown).
      }
    }
    const versions = await deps.store.comments.threadVersions([...normalized.values()]);
    const etag = etagOf('counts', ...asked.map((t) => `${t}\t${versions.get(normalized.get(t) ?? '') ?? '-'}`));
    if (notModified(req, res, etag)) return;
    const counts = await deps.store.comments.countVisible([...normalized.values()]);
    const body: Record<string, number> = Object.create(null);
    for (const t of asked) body[t] = counts.get(normalized.get(t) ?? '') ?? 0;
    res.json(body);
  });

  router.put('/api/comments/:id', express.json({ limit: BODY_LIMIT }), async (req, res) => {
    const edited = await deps.ownComments.edit(idParam(req), req.get('x-edit-token') ?? '', parseCommentEdit(req.body));
    res.json({ ...json(edited), status: edited.status === 'approved' ? 'approved' : 'pending' });
  });

  router.delete('/api/comments/:id', async (req, res) => {
    const id = idParam(req);
    await deps.ownComments.remove(id, req.get('x-edit-token') ?? '');
    res.json({ id, deleted: true });
  });

  return router;
}

export function idParam(req: Request): number {
  const raw = String(req.params.id ?? '');
  const id = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id) || id <= 0) throw new ValidationError('invalid-body', 'Not a comment id.', 'id');
  return id;
}

function singleQuery(req: Request, name: string): string {
  const value = req.query[name];
  return typeof value === 'string' ? value : '';
}
