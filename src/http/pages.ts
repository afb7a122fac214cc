/** Small server-rendered pages for readers without JavaScript: held notice, form errors. */
import { html, type SafeHtml } from '../lib/html.js';

export function page(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}</style>
</head><body>${body}</body></html>`.value;
}

export function heldPage(target: string): string {
  return page('Comment awaiting moderation', html`<h1>Thank you!</h1>
<p role="status">Your comment was received and is awaiting moderation. It will appear once approved.</p>
<p><a href="${target}">Back to the post</a></p>`);
}

export function errorPage(status: number, message: string, back: string | undefined): string {
  return page(`Error ${status}`, html`<h1>Your comment could not be posted</h1>
<p role="alert">${message}</p>
${back ? html`<p><a href="${back}">Back to the post</a> (use your browser's back button to keep what you wrote)</p>` : ''}`);
}
