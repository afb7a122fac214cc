/**
 * The HTML part of owner and reply mails (multipart/alternative beside the plain text, which stays
 * the reference). Written for mail clients rather than browsers: inline styles only (clients drop
 * <style> and stylesheets), no script, no images, every link absolute (a client has no base URL to
 * resolve a relative one against), dark text on an explicitly white background so a client's dark
 * mode inverts it as a whole. Every value is escaped by `html`; the comment comes in as the stored
 * body_html sanitized again for mail by the caller (pipeline/sanitize.ts commentHtmlForMail: this
 * layer may not import the pipeline).
 */
import { html, trusted, type SafeHtml } from '../lib/html.js';
import { parseHttpUrl } from '../lib/url.js';

export interface MailAction {
  label: string;
  /** Absolute http(s) URL. */
  href: string;
}

export interface MailHtmlParts {
  lang: string;
  dir: 'ltr' | 'rtl';
  /** The opening sentence; the post's title in it is a link to the post. */
  heading: SafeHtml;
  /** Label and value lines about the comment (author, e-mail …). */
  facts?: ReadonlyArray<readonly [string, string]>;
  /** The comment, from commentHtmlForMail: sanitized, absolute links, inline styles. */
  mailBody: string;
  actions: readonly MailAction[];
  note?: string;
}

const FONT = 'font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5';
const LINK = 'color:#1a56c4;text-decoration:underline';
const BUTTON = 'display:inline-block;margin:0 8px 8px 0;padding:8px 14px;background:#1a56c4;color:#ffffff;text-decoration:none;border-radius:4px';

/** A link to the post named by its title; the address alone when the title is unknown. */
export function postLink(target: string, title: string | null | undefined): SafeHtml {
  return html`<a href="${target}" style="${LINK}">${title || target}</a>`;
}

/** A fact's value: a link when it is an http(s) address, text otherwise. */
function factValue(value: string): SafeHtml {
  const url = parseHttpUrl(value);
  return url ? html`<a href="${url.href}" style="${LINK}">${value}</a>` : html`${value}`;
}

export function renderMailHtml(p: MailHtmlParts): string {
  const facts = p.facts ?? [];
  return html`<!doctype html>
<html lang="${p.lang}" dir="${p.dir}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light"></head>
<body style="margin:0;padding:0;background:#ffffff;color:#1f2328;${FONT}">
<div style="max-width:600px;margin:0 auto;padding:16px;background:#ffffff;color:#1f2328;${FONT}">
<p style="margin:0 0 12px;font-size:16px">${p.heading}</p>
${facts.length > 0 ? html`<table role="presentation" style="border-collapse:collapse;margin:0 0 12px;font-size:14px">${facts.map(([label, value]) => html`
<tr><td style="padding:2px 12px 2px 0;color:#4a5058;vertical-align:top">${label}</td><td style="padding:2px 0;overflow-wrap:anywhere">${factValue(value)}</td></tr>`)}</table>` : ''}
<div style="margin:0 0 16px;padding:12px;border:1px solid #d0d4d9;border-radius:4px;overflow-wrap:anywhere">${trusted(p.mailBody)}</div>
<p style="margin:0 0 8px">${p.actions.map((a) => html`<a href="${a.href}" style="${BUTTON}">${a.label}</a>`)}</p>
${p.note ? html`<p style="margin:8px 0 0;font-size:13px;color:#4a5058">${p.note}</p>` : ''}
</div></body></html>`.value;
}
