/**
 * GET /admin: an HTML shell in the reader's language plus the bundled moderation script and stylesheet (built by
 * scripts/build-admin.mjs into dist/admin/). The shell holds no data: everything is fetched from
 * /api/admin with the session cookie (signed in with the admin token: session-routes.ts) and written
 * into the page with textContent. The page sends its
 * own strict CSP, so even a rendering mistake could not run a comment's script.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Router, type Response } from 'express';
import type { Strings } from '../../i18n/index.js';
import { html } from '../../lib/html.js';
import { projectRoot } from '../../lib/paths.js';
import { pickRequestLanguage } from '../request-language.js';

export const ADMIN_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

// Relative asset URLs, so the page also works behind a reverse proxy that mounts Backtalk under a path.
// The page's texts travel in data-strings (escaped like every attribute), in the reader's language.
function shell(t: Strings): string {
  const strings = JSON.stringify({ ...t.admin, kinds: t.mail.kinds });
  return html`<!doctype html>
<html lang="${t.lang}" dir="${t.dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${t.admin.title}</title>
<link rel="stylesheet" href="admin/admin.css">
<script type="module" src="admin/admin.js"></script>
</head>
<body>
<noscript><p>${t.admin.noscript}</p></noscript>
<div id="backtalk-admin" class="bta" data-strings="${strings}"></div>
</body>
</html>
`.value;
}

const ASSETS: Record<string, string> = { 'admin.js': 'text/javascript', 'admin.css': 'text/css' };

function secure(res: Response): void {
  res.set({
    'Content-Security-Policy': ADMIN_CSP,
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    // Links in comments go to strangers' sites; they must not learn the admin page's address.
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  });
}

export function adminPageRoutes(assetDir = join(projectRoot(), 'dist', 'admin')): Router {
  const router = Router({ strict: true });

  router.get('/admin', (req, res) => {
    secure(res);
    const strings = pickRequestLanguage(req);
    res.vary('Accept-Language').set('Content-Language', strings.lang).type('html').send(shell(strings));
  });
  // "/admin/" would resolve the relative asset URLs one level too deep.
  router.get('/admin/', (_req, res) => res.redirect(301, '../admin'));

  router.get('/admin/:asset', async (req, res) => {
    const asset = String(req.params.asset);
    const type = ASSETS[asset];
    if (!type) {
      secure(res);
      res.status(404).type('text/plain').send('Not found.');
      return;
    }
    let body: Buffer;
    try {
      body = await readFile(join(assetDir, asset));
    } catch {
      secure(res);
      res.status(503).type('text/plain').send('The moderation page is not built: run `npm run build`.');
      return;
    }
    secure(res);
    res.set('Cache-Control', 'no-cache').type(type).send(body);
  });

  return router;
}
