/**
 * The widget's files, built by scripts/build-widget.mjs into dist/widget: `GET /embed.js` (the
 * loader, the one URL site owners paste) and `GET /widget/*` (the interactive chunk and the CSS it
 * loads). Served gzipped when the browser accepts it; readable cross-origin, since the loader
 * `import()`s the chunk from the blog's page, which makes it a CORS request.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { Router, type Response } from 'express';
import { AppError, NotFoundError } from '../domain/errors.js';

const FILES: Readonly<Record<string, string>> = {
  'embed.js': 'text/javascript; charset=utf-8',
  'interactive.js': 'text/javascript; charset=utf-8',
  'backtalk.css': 'text/css; charset=utf-8',
};

interface Cached { mtimeMs: number; body: Buffer; gzip: Buffer; etag: string }

export function widgetRoutes(opts: { dir: string }): Router {
  const router = Router();
  const cache = new Map<string, Cached>();

  const load = (name: string): Cached => {
    const path = join(opts.dir, name);
    let mtimeMs: number;
    try {
      mtimeMs = statSync(path).mtimeMs;
    } catch {
      throw new AppError('internal-error', 503, 'widget-not-built');
    }
    const hit = cache.get(name);
    if (hit && hit.mtimeMs === mtimeMs) return hit;
    const body = readFileSync(path);
    const entry = { mtimeMs, body, gzip: gzipSync(body, { level: 9 }), etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` };
    cache.set(name, entry);
    return entry;
  };

  const send = (res: Response, name: string, acceptEncoding: string, ifNoneMatch: string | undefined, maxAge: number) => {
    const type = FILES[name];
    if (!type) throw new NotFoundError();
    const file = load(name);
    res.set({
      'Content-Type': type,
      'Cache-Control': `public, max-age=${maxAge}`,
      'Access-Control-Allow-Origin': '*',
      'Cross-Origin-Resource-Policy': 'cross-origin',
      'X-Content-Type-Options': 'nosniff',
      ETag: file.etag,
      Vary: 'Accept-Encoding',
    });
    if (ifNoneMatch === file.etag) {
      res.status(304).end();
      return;
    }
    if (/\bgzip\b/.test(acceptEncoding)) res.set('Content-Encoding', 'gzip').send(file.gzip);
    else res.send(file.body);
  };

  // The loader's URL never changes, so it is cached briefly; ETags make the revalidation cheap.
  router.get('/embed.js', (req, res) => send(res, 'embed.js', req.get('accept-encoding') ?? '', req.get('if-none-match'), 300));
  router.get('/widget/:file', (req, res) => {
    const name = String(req.params.file);
    if (name === 'embed.js' || !Object.hasOwn(FILES, name)) throw new NotFoundError();
    send(res, name, req.get('accept-encoding') ?? '', req.get('if-none-match'), 3600);
  });
  return router;
}
