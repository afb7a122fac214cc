/**
 * The small pages behind mail links. Every value is escaped (html``), and the strict CSP allows no
 * script at all: the only active element is a form that posts back to this server.
 */
import type { Response } from 'express';
import type { Strings } from '../i18n/index.js';
import { html, type SafeHtml } from '../lib/html.js';

/** A page in the language of the mail whose link led here (its `&lang=`), with that language's direction. */
export function sendMailPage(res: Response, t: Strings, status: number, publicUrl: string, title: string, body: SafeHtml): void {
  const origin = new URL(publicUrl).origin;
  res
    .status(status)
    .set({
      'Content-Security-Policy': `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${origin}; frame-ancestors 'none'; base-uri 'none'`,
      // The token is in the URL: keep it out of Referer headers and caches.
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
      'X-Frame-Options': 'DENY',
      'X-Content-Type-Options': 'nosniff',
      'Content-Language': t.lang,
    })
    .type('html')
    .send(html`<!doctype html>
<html lang="${t.lang}" dir="${t.dir}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${title}</title>
<style>:root{color-scheme:light dark}body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;background:#fff;color:#1f2328}a{color:#1a56c4}@media (prefers-color-scheme:dark){body{background:#16181c;color:#e6e8eb}a{color:#8ab4ff}}blockquote{border-inline-start:3px solid #ccc;margin:1rem 0;padding:0 1rem;white-space:pre-wrap}button{font:inherit;padding:.5rem 1.2rem}</style>
</head><body><h1>${title}</h1>
${body}</body></html>`.value);
}

/** A confirmation form: the GET page shows it, only its POST acts (mail scanners follow GET links). */
export function confirmForm(action: string, fields: Record<string, string>, label: string): SafeHtml {
  return html`<form method="post" action="${action}">
${Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<button type="submit">${label}</button></form>`;
}
