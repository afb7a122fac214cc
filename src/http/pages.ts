/** Small server-rendered pages for readers without JavaScript: held notice, form errors. */
import type { Strings } from '../i18n/index.js';
import { html, type SafeHtml } from '../lib/html.js';
import { format } from '../i18n/index.js';

/** A page in the reader's language, with the language's writing direction on <html>. */
export function page(t: Strings, title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="${t.lang}" dir="${t.dir}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>:root{color-scheme:light dark}body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;background:#fff;color:#1f2328}a{color:#1a56c4}@media (prefers-color-scheme:dark){body{background:#16181c;color:#e6e8eb}a{color:#8ab4ff}}</style>
</head><body>${body}</body></html>`.value;
}

/**
 * After a no-JavaScript post that was held: `ownLink` leads to the comments page, which shows the
 * comment to its author (issue 17.4); `confirmationSent` says a reply-subscription mail went out.
 */
export function heldPage(t: Strings, target: string, extra: { ownLink?: string; confirmationSent?: boolean } = {}): string {
  return page(t, t.pages.heldTitle, html`<h1>${t.pages.heldHeading}</h1>
<p role="status">${t.pages.heldText}</p>
${extra.confirmationSent ? html`<p>${t.confirmationSent}</p>` : ''}
${extra.ownLink ? html`<p><a href="${extra.ownLink}">${t.pages.heldSeeOwn}</a></p>` : ''}
<p><a href="${target}">${t.backToPost}</a></p>`);
}

export function errorPage(t: Strings, status: number, message: string, back: string | undefined): string {
  return page(t, format(t.pages.errorTitle, { status }), html`<h1>${t.pages.errorHeading}</h1>
<p role="alert">${message}</p>
${back ? html`<p><a href="${back}">${t.backToPost}</a> ${t.pages.errorBackHint}</p>` : ''}`);
}
