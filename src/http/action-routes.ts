/**
 * One-click moderation from the owner's mail: `GET /mail/action?token=…` shows what the link will do
 * and a button; only the `POST` from that page acts, once (the token's nonce is recorded first).
 */
import express, { Router, type Request } from 'express';
import { NotFoundError, ValidationError, msg } from '../domain/errors.js';
import type { Clock } from '../lib/clock.js';
import { html } from '../lib/html.js';
import { confirmForm, sendMailPage } from '../mail/pages.js';
import type { ActionCheck, LinkSigner, MailAction } from '../mail/signed-links.js';
import type { ModerationAction, ModerationResult } from '../moderation/moderate.js';
import type { Store } from '../store/repository.js';
import { format, type Strings } from '../i18n/index.js';
import { formatHtml } from '../render/format-html.js';
import { pickRequestLanguage } from './request-language.js';

export interface ActionRouteDeps {
  store: Store;
  clock: Clock;
  mailLinks: LinkSigner;
  moderate: (id: number, action: ModerationAction) => Promise<ModerationResult>;
  publicUrl: string;
}

/** The button (the mail's own words for the link) and the page after it, per action, in the reader's language. */
const LABELS: Record<MailAction, { button: (t: Strings) => string; done: (t: Strings) => string }> = {
  approve: { button: (t) => t.mail.approve, done: (t) => t.pages.doneApprove },
  spam: { button: (t) => t.mail.spam, done: (t) => t.pages.doneSpam },
  delete: { button: (t) => t.mail.delete, done: (t) => t.pages.doneDelete },
};

export function actionRoutes(deps: ActionRouteDeps): Router {
  const router = Router();
  const page = (req: Request, res: express.Response, status: number, title: (t: Strings) => string, body: (t: Strings) => ReturnType<typeof html>) => {
    const strings = pickRequestLanguage(req);
    sendMailPage(res, strings, status, deps.publicUrl, title(strings), body(strings));
  };
  const adminLink = (t: Strings) => html`<p><a href="${deps.publicUrl}/admin">${t.pages.adminPage}</a></p>`;
  const gone = (req: Request, res: express.Response) =>
    page(req, res, 404, (t) => t.pages.commentGoneTitle, (t) => html`<p role="alert">${t.pages.commentGoneText}</p>`);
  const tokenOf = (req: Request): string => {
    const fromBody = (req.body as Record<string, unknown> | undefined)?.token;
    const value = typeof fromBody === 'string' ? fromBody : req.query.token;
    return typeof value === 'string' ? value : '';
  };

  /** Renders the refusal for a bad or expired token; undefined when the token is good. */
  function refuse(req: Request, res: express.Response, check: ActionCheck): boolean {
    if (check.kind === 'invalid') {
      page(req, res, 400, (t) => t.pages.invalidLinkTitle, (t) => html`<p role="alert">${t.pages.actionInvalidText}</p>`);
      return true;
    }
    if (check.kind === 'expired') {
      page(req, res, 410, (t) => t.pages.linkExpiredTitle, (t) => html`<p role="alert">${t.pages.linkExpiredText}</p>
${adminLink(t)}`);
      return true;
    }
    return false;
  }

  router.get('/mail/action', async (req, res) => {
    const token = tokenOf(req);
    const check = deps.mailLinks.checkAction(token, deps.clock.now());
    if (refuse(req, res, check) || check.kind !== 'valid') return;
    const { commentId, action } = check.claim;
    const comment = await deps.store.comments.findById(commentId);
    if (!comment) return gone(req, res);
    const button = LABELS[action].button;
    page(req, res, 200, (t) => format(t.pages.question, { text: button(t) }), (t) => html`<p>${formatHtml(t.pages.actionSummary, {
      kind: t.mail.kinds[comment.kind],
      author: html`<strong><bdi>${comment.author || t.pages.noName}</bdi></strong>`,
      target: html`<a href="${comment.target}">${comment.target}</a>`,
      status: html`<em>${t.pages.statuses[comment.status]}</em>`,
    })}</p>
<blockquote>${comment.bodyRaw.slice(0, 2000)}</blockquote>
${confirmForm(`${deps.publicUrl}/mail/action?lang=${t.lang}`, { token }, button(t))}`);
  });

  router.post('/mail/action', express.urlencoded({ extended: false, limit: '4kb' }), async (req, res) => {
    const check = deps.mailLinks.checkAction(tokenOf(req), deps.clock.now());
    if (refuse(req, res, check) || check.kind !== 'valid') return;
    const { commentId, action, nonce } = check.claim;
    if (!(await deps.store.usedTokens.use(nonce, deps.clock.now()))) {
      page(req, res, 409, (t) => t.pages.linkUsedTitle, (t) => html`<p role="alert">${t.pages.linkUsedText}</p>
${adminLink(t)}`);
      return;
    }
    try {
      await deps.moderate(commentId, action);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      return gone(req, res);
    }
    page(req, res, 200, (t) => t.pages.doneTitle, (t) => html`<p role="status">${format(LABELS[action].done(t), { id: commentId })}</p>
${adminLink(t)}`);
  });

  return router;
}
