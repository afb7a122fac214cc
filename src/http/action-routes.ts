/**
 * One-click moderation from the owner's mail: `GET /mail/action?token=…` shows what the link will do
 * and a button; only the `POST` from that page acts, once (the token's nonce is recorded first).
 */
import express, { Router, type Request } from 'express';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import type { Clock } from '../lib/clock.js';
import { html } from '../lib/html.js';
import { confirmForm, sendMailPage } from '../mail/pages.js';
import type { ActionCheck, LinkSigner, MailAction } from '../mail/signed-links.js';
import type { ModerationAction, ModerationResult } from '../moderation/moderate.js';
import type { Store } from '../store/repository.js';

export interface ActionRouteDeps {
  store: Store;
  clock: Clock;
  mailLinks: LinkSigner;
  moderate: (id: number, action: ModerationAction) => Promise<ModerationResult>;
  publicUrl: string;
}

const LABELS: Record<MailAction, { button: string; done: string }> = {
  approve: { button: 'Approve', done: 'approved' },
  spam: { button: 'Mark as spam', done: 'marked as spam' },
  delete: { button: 'Delete', done: 'deleted' },
};

export function actionRoutes(deps: ActionRouteDeps): Router {
  const router = Router();
  const page = (res: express.Response, status: number, title: string, body: ReturnType<typeof html>) =>
    sendMailPage(res, status, deps.publicUrl, title, body);
  const tokenOf = (req: Request): string => {
    const fromBody = (req.body as Record<string, unknown> | undefined)?.token;
    const value = typeof fromBody === 'string' ? fromBody : req.query.token;
    return typeof value === 'string' ? value : '';
  };

  /** Renders the refusal for a bad or expired token; undefined when the token is good. */
  function refuse(res: express.Response, check: ActionCheck): boolean {
    if (check.kind === 'invalid') {
      page(res, 400, 'Invalid link', html`<p role="alert">This link is not valid. Use the newest mail, or the admin page.</p>`);
      return true;
    }
    if (check.kind === 'expired') {
      page(res, 410, 'Link expired', html`<p role="alert">This link has expired. Moderate the comment from the admin page instead.</p>
<p><a href="${deps.publicUrl}/admin">Admin page</a></p>`);
      return true;
    }
    return false;
  }

  router.get('/mail/action', async (req, res) => {
    const token = tokenOf(req);
    const check = deps.mailLinks.checkAction(token, deps.clock.now());
    if (refuse(res, check) || check.kind !== 'valid') return;
    const { commentId, action } = check.claim;
    const comment = await deps.store.comments.findById(commentId);
    if (!comment) {
      page(res, 404, 'Comment not found', html`<p role="alert">This comment no longer exists.</p>`);
      return;
    }
    page(res, 200, `${LABELS[action].button}?`, html`<p>${comment.kind} by <strong><bdi>${comment.author || '(no name)'}</bdi></strong>
on <a href="${comment.target}">${comment.target}</a>, now <em>${comment.status}</em>:</p>
<blockquote>${comment.bodyRaw.slice(0, 2000)}</blockquote>
${confirmForm(`${deps.publicUrl}/mail/action`, { token }, LABELS[action].button)}`);
  });

  router.post('/mail/action', express.urlencoded({ extended: false, limit: '4kb' }), async (req, res) => {
    const check = deps.mailLinks.checkAction(tokenOf(req), deps.clock.now());
    if (refuse(res, check) || check.kind !== 'valid') return;
    const { commentId, action, nonce } = check.claim;
    if (!(await deps.store.usedTokens.use(nonce, deps.clock.now()))) {
      page(res, 409, 'Link already used', html`<p role="alert">This link has already been used; each works once.</p>
<p><a href="${deps.publicUrl}/admin">Admin page</a></p>`);
      return;
    }
    try {
      await deps.moderate(commentId, action);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      page(res, 404, 'Comment not found', html`<p role="alert">This comment no longer exists.</p>`);
      return;
    }
    page(res, 200, 'Done', html`<p role="status">Comment ${commentId} ${LABELS[action].done}.</p>
<p><a href="${deps.publicUrl}/admin">Admin page</a></p>`);
  });

  return router;
}
