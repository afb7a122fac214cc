/**
 * Reply subscriptions: confirming (double opt-in) and unsubscribing. GET pages only show a button;
 * the POST acts. RFC 8058: a POST to the List-Unsubscribe URL with `List-Unsubscribe=One-Click`
 * unsubscribes at once, with no further step (the id and token are in the URL itself).
 */
import express, { Router, type Request, type Response } from 'express';
import type { PageStrings } from '../i18n/index.js';
import type { Clock } from '../lib/clock.js';
import { html } from '../lib/html.js';
import { matchesHash } from '../lib/tokens.js';
import { confirmForm, sendMailPage } from '../mail/pages.js';
import type { LinkSigner } from '../mail/signed-links.js';
import type { Store, Subscription } from '../store/repository.js';
import { formatHtml } from '../render/format-html.js';
import { pickRequestLanguage } from './request-language.js';

export interface SubscriptionRouteDeps {
  store: Store;
  clock: Clock;
  mailLinks: LinkSigner;
  publicUrl: string;
}

/** A confirmation link is good for seven days, like the moderation links. */
const CONFIRM_TTL_MS = 7 * 24 * 3600_000;

export function subscriptionRoutes(deps: SubscriptionRouteDeps): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '4kb' });
  const page = (req: Request, res: Response, status: number, title: (t: PageStrings) => string, body: (t: PageStrings) => ReturnType<typeof html>) => {
    const strings = pickRequestLanguage(req);
    sendMailPage(res, strings, status, deps.publicUrl, title(strings.pages), body(strings.pages));
  };
  const invalid = (req: Request, res: Response) =>
    page(req, res, 400, (t) => t.invalidLinkTitle, (t) => html`<p role="alert">${t.invalidLinkText}</p>`);
  /** The form posts back with the page's language, so the answer is in it too. */
  const formAction = (req: Request, path: string) => `${deps.publicUrl}${path}?lang=${pickRequestLanguage(req).lang}`;

  /** id and token from the query (mail links, one-click POSTs) or the posted form. */
  function params(req: Request): { id: number; token: string } {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const pick = (name: string): string => {
      const q = req.query[name];
      if (typeof q === 'string') return q;
      const b = body[name];
      return typeof b === 'string' ? b : '';
    };
    const id = /^\d{1,15}$/.test(pick('id')) ? Number(pick('id')) : 0;
    return { id, token: pick('token') };
  }

  async function confirmable(req: Request): Promise<{ sub: Subscription; token: string } | undefined> {
    const { id, token } = params(req);
    const sub = id ? await deps.store.subscriptions.findById(id) : undefined;
    if (!sub || !token || !matchesHash(token, sub.tokenHash)) return undefined;
    if (!sub.confirmed && deps.clock.now().getTime() - sub.created.getTime() > CONFIRM_TTL_MS) return undefined;
    return { sub, token };
  }

  /** The subscription an unsubscribe link names (if any), and whether its token is right for it. */
  async function unsubscribeRequest(req: Request): Promise<{ id: number; token: string; sub: Subscription | undefined; valid: boolean }> {
    const { id, token } = params(req);
    const sub = id ? await deps.store.subscriptions.findById(id) : undefined;
    const valid = sub !== undefined && token !== '' && deps.mailLinks.checkUnsubscribe(sub.id, sub.email, token);
    return { id, token, sub, valid };
  }

  const threadTarget = async (sub: Subscription) => (await deps.store.threads.findById(sub.threadId))?.target ?? '';

  router.get('/subscriptions/confirm', async (req, res) => {
    const found = await confirmable(req);
    if (!found) return invalid(req, res);
    const target = await threadTarget(found.sub);
    page(req, res, 200, (t) => t.confirmTitle, (t) => html`<p>${formatHtml(t.confirmQuestion, {
      email: html`<strong>${found.sub.email}</strong>`, target: html`<a href="${target}">${target}</a>` })}</p>
${confirmForm(formAction(req, '/subscriptions/confirm'), { id: String(found.sub.id), token: found.token }, t.confirmButton)}`);
  });

  router.post('/subscriptions/confirm', form, async (req, res) => {
    const found = await confirmable(req);
    if (!found) return invalid(req, res);
    await deps.store.subscriptions.confirm(found.sub.id);
    const target = await threadTarget(found.sub);
    page(req, res, 200, (t) => t.subscribedTitle, (t) => html`<p role="status">${formatHtml(t.subscribedText, { target: html`<a href="${target}">${target}</a>` })}</p>`);
  });

  router.get('/subscriptions/unsubscribe', async (req, res) => {
    const { sub, token, valid } = await unsubscribeRequest(req);
    if (!valid || !sub) {
      // Already gone (or never there): say so plainly rather than alarm anybody.
      page(req, res, 200, (t) => t.notSubscribedTitle, (t) => html`<p role="status">${t.notSubscribedText}</p>`);
      return;
    }
    page(req, res, 200, (t) => t.unsubscribeTitle, (t) => html`<p>${formatHtml(t.unsubscribeQuestion, { email: html`<strong>${sub.email}</strong>` })}</p>
${confirmForm(formAction(req, '/subscriptions/unsubscribe'), { id: String(sub.id), token }, t.unsubscribeTitle)}`);
  });

  router.post('/subscriptions/unsubscribe', form, async (req, res) => {
    const { id, sub, valid } = await unsubscribeRequest(req);
    if (valid && sub) await deps.store.subscriptions.remove(sub.id);
    // Unknown id: already unsubscribed, which is what was asked. A known id with a wrong token: refused.
    else if (id === 0 || sub) return invalid(req, res);
    page(req, res, 200, (t) => t.unsubscribedTitle, (t) => html`<p role="status">${t.unsubscribedText}</p>`);
  });

  return router;
}
