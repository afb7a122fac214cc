/** The complete no-JavaScript thread page around the fragment: works with scripts off, sends no script. */
import { html, type SafeHtml } from '../lib/html.js';
import type { Strings } from '../i18n/index.js';

export function renderThreadPage(opts: { target: string; publicUrl: string; strings: Strings; fragment: SafeHtml }): string {
  const { strings: t } = opts;
  return html`<!doctype html>
<html lang="${t.lang}" dir="${t.dir}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${t.threadTitle} — ${opts.target}</title>
<link rel="stylesheet" href="${opts.publicUrl}/widget/backtalk.css">
</head><body class="bt-page"><main class="bt-page-main">
<p class="bt-back"><a href="${opts.target}">← ${t.backToPost}</a></p>
${opts.fragment}
</main></body></html>`.value;
}
