/** Readers' API: post, list, count, edit and delete comments. Routes translate; the pipeline decides. */
import express, { Router, type Request } from 'express';
import { AppError, NotFoundError, ValidationError } from '../domain/errors.js';
import type { Comment } from '../domain/comment.js';
import { parseCommentEdit, parseCommentForm, toCommentJson } from '../protocols/comment-form.js';
import { resolveTarget } from '../domain/target.js';
import type { Pipeline } from '../pipeline/receive.js';
import type { ThreadReader } from '../read/thread-reader.js';
import { clientInfo } from './client-info.js';
import { isFormPost } from './middleware/error-handler.js';
import { heldPage } from './pages.js';
import { pickRequestLanguage, requestLanguage } from './request-language.js';
import { createPublicReads, type PublicReads } from './public-reads.js';

export interface CommentRouteDeps {
  pipeline: Pipeline;
  reader: ThreadReader;
  sites: readonly string[];
  publicUrl: string;
  avatarUrl: (c: Comment) => string;
  /** Shared with the app's fast lane (app.ts), so both use one rendered-body cache. */
  publicReads?: PublicReads;
}

const BODY_LIMIT = '64kb';

export function commentRoutes(deps: CommentRouteDeps): Router {
  const router = Router();
  const json = (c: Comment) => toCommentJson(c, deps.avatarUrl(c));
  const reads = deps.publicReads ?? createPublicReads(deps);
  const bodies = [express.json({ limit: BODY_LIMIT }), express.urlencoded({ limit: BODY_LIMIT, extended: false })];

  router.post('/comments', ...bodies, async (req, res) => {
    // Neither parser took the body (another type, or none): the parsers already looked at the type.
    if (req.body === undefined) {
      throw new AppError('unsupported-media-type', 415, 'comment-media-type');
    }
    // The comment keeps the language it was written in: its mails are sent in it.
    const lang = requestLanguage(req);
    const submission = await deps.pipeline.admit({ ...parseCommentForm(req.body, clientInfo(req)), lang });
    const result = await deps.pipeline.receive(submission);
    if (result.kind !== 'stored') throw new AppError('internal-error', 500, 'internal-error');
    const { comment, editToken } = result;
    if (isFormPost(req)) {
      const location = comment.status === 'approved'
        ? `${comment.target}#comment-${comment.id}`
        : `${deps.publicUrl}/comments/held?target=${encodeURIComponent(comment.target)}${lang ? `&lang=${lang}` : ''}`;
      res.redirect(303, location);
      return;
    }
    // Spam is answered like a held comment, so a spammer learns nothing from the response.
    const status = comment.status === 'approved' ? 'approved' : 'pending';
    res.status(201).location(`${deps.publicUrl}/api/comments/${comment.id}`).json({ ...json(comment), status, edit_token: editToken });
  });

  router.get('/comments/held', (req, res) => {
    const target = typeof req.query.target === 'string' ? resolveTarget(req.query.target, deps.sites) : deps.publicUrl;
    res.type('html').send(heldPage(pickRequestLanguage(req), target));
  });

  router.get('/api/comments', reads.comments);
  router.get('/api/counts', reads.counts);

  // Contract v1.1 "Single comments": what the Location of a 201 names. Held, spam and trashed
  // comments answer exactly like ids that never existed, so their existence does not leak.
  router.get('/api/comments/:id', async (req, res) => {
    const raw = String(req.params.id ?? '');
    const comment = /^\d{1,15}$/.test(raw) ? await deps.reader.shownItem(Number(raw)) : undefined;
    if (!comment) throw new NotFoundError('no-such-comment');
    res.set('Cache-Control', 'no-cache').json(json(comment));
  });

  router.put('/api/comments/:id', express.json({ limit: BODY_LIMIT }), async (req, res) => {
    const result = await deps.pipeline.receive({
      kind: 'comment-edit', id: idParam(req), editToken: req.get('x-edit-token') ?? '', ...parseCommentEdit(req.body), client: clientInfo(req),
    });
    if (result.kind !== 'updated') throw new AppError('internal-error', 500, 'internal-error');
    const edited = result.comment;
    res.json({ ...json(edited), status: edited.status === 'approved' ? 'approved' : 'pending' });
  });

  router.delete('/api/comments/:id', async (req, res) => {
    const id = idParam(req);
    await deps.pipeline.receive({ kind: 'comment-removal', id, editToken: req.get('x-edit-token') ?? '', client: clientInfo(req) });
    res.json({ id, deleted: true });
  });

  return router;
}

export function idParam(req: Request): number {
  const raw = String(req.params.id ?? '');
  const id = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id) || id <= 0) throw new ValidationError('invalid-body', 'comment-id-invalid', 'id');
  return id;
}
