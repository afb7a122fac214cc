/**
 * GET /admin: a static HTML shell plus the bundled moderation script and stylesheet (built by
 * scripts/build-admin.mjs into dist/admin/). The shell holds no data: everything is fetched from
 * /api/admin with the bearer token and written into the page with textContent. The page sends its
 * own strict CSP, so even a rendering mistake could not run a comment's script.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Router, type Response } from 'express';
import { projectRoot } from '../../lib/paths.js';

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
const SHELL = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Backtalk moderation</title>
<link rel="stylesheet" href="admin/admin.css">
<script type="module" src="admin/admin.js"></script>
</head>
<body>
<noscript><p>The moderation page needs JavaScript. The admin API works without it: see the README.</p></noscript>
<div id="backtalk-admin" class="bta"></div>
</body>
</html>
`;

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

  router.get('/admin', (_req, res) => {
    secure(res);
    res.type('html').send(SHELL);
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
