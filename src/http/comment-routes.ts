/** Readers' API: post, list, count, edit and delete comments. Routes translate; the pipeline decides. */
import express, { Router, type Request } from 'express';
import { AppError, NotFoundError, ValidationError } from '../domain/errors.js';
import type { Comment } from '../domain/comment.js';
import { parseCommentEdit, toCommentJson } from '../protocols/comment-form.js';
import { resolveTarget } from '../domain/target.js';
import type { ThreadReader } from '../read/thread-reader.js';
import { clientInfo } from './client-info.js';
import { isFormPost } from './middleware/error-handler.js';
import { readOwnClaims } from './own-comments-cookie.js';
import { COMMENT_BODY_LIMIT, createCommentPost, redirectBody, type CommentPostDeps } from './comment-post.js';
import { heldPage } from './pages.js';
import { pickRequestLanguage, requestLanguage } from './request-language.js';
import { createPublicReads, type PublicReads } from './public-reads.js';

export interface CommentRouteDeps extends CommentPostDeps {
  reader: ThreadReader;
  sites: readonly string[];
  /** Shared with the app's fast lane (app.ts), so both use one rendered-body cache. */
  publicReads?: PublicReads;
}

export function commentRoutes(deps: CommentRouteDeps): Router {
  const router = Router();
  const json = (c: Comment) => toCommentJson(c, deps.avatarUrl(c));
  const reads = deps.publicReads ?? createPublicReads(deps);
  const bodies = [express.json({ limit: COMMENT_BODY_LIMIT }), express.urlencoded({ limit: COMMENT_BODY_LIMIT, extended: false })];
  const post = createCommentPost(deps);

  router.post('/comments', ...bodies, async (req, res) => {
    // Neither parser took the body (another type, or none): the parsers already looked at the type.
    if (req.body === undefined) {
      throw new AppError('unsupported-media-type', 415, 'comment-media-type');
    }
    const answer = await post({
      body: req.body, client: clientInfo(req), lang: requestLanguage(req), formPost: isFormPost(req), cookie: req.get('cookie'),
    });
    res.status(answer.status).set('Location', answer.location);
    if (answer.status === 201) {
      res.type('json').send(answer.json);
      return;
    }
    if (answer.setCookie !== undefined) res.append('Set-Cookie', answer.setCookie);
    const body = redirectBody(answer.location);
    res.set({ 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)) }).end(body);
  });

  router.get('/comments/held', (req, res) => {
    const target = typeof req.query.target === 'string' ? resolveTarget(req.query.target, deps.sites) : deps.publicUrl;
    const strings = pickRequestLanguage(req);
    // The comments page shows the held comment to its author: the newest claim of the cookie set with
    // the redirect here is the comment just posted.
    const posted = readOwnClaims(req)[0]?.id;
    const ownLink = posted !== undefined && typeof req.query.target === 'string'
      ? `${deps.publicUrl}/thread?target=${encodeURIComponent(target)}&lang=${strings.lang}&posted=${posted}#comment-${posted}`
      : undefined;
    res.type('html').send(heldPage(strings, target, { ownLink, confirmationSent: req.query.subscribed === '1' }));
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

  router.put('/api/comments/:id', express.json({ limit: COMMENT_BODY_LIMIT }), async (req, res) => {
    const result = await deps.pipeline.receive({
      kind: 'comment-edit', id: idParam(req), editToken: req.get('x-edit-token') ?? '', ...parseCommentEdit(req.body), client: clientInfo(req),
    });
    if (result.kind !== 'updated') throw new AppError('internal-error', 500, 'internal-error');
    const edited = result.comment;
    res.json(Object.assign(json(edited), { status: edited.status === 'approved' ? 'approved' : 'pending' }));
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
