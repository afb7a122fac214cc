import cors from 'cors';
import type { RequestHandler } from 'express';

/**
 * CORS for the public API: only the configured site origins, so other sites cannot post through a
 * reader's browser. `refused` hears of every request whose Origin is not one of them (the widget on
 * a page of an unlisted origin: sites/refused-origins.ts tells the owner).
 */
export function siteCors(sites: readonly string[], refused?: (origin: string) => void): RequestHandler {
  const allowed = new Set(sites);
  return cors({
    origin: (origin, callback) => {
      const ok = origin !== undefined && allowed.has(origin);
      if (!ok && origin !== undefined) refused?.(origin);
      callback(null, ok);
    },
    methods: ['GET', 'POST', 'PUT', 'DELETE'],
    allowedHeaders: ['Content-Type', 'X-Edit-Token'],
    exposedHeaders: ['Location', 'Retry-After', 'ETag'],
    maxAge: 600,
  });
}
