import cors from 'cors';
import type { RequestHandler } from 'express';

const EXPOSED_HEADERS = ['Location', 'Retry-After', 'ETag'];

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
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  });
}

/**
 * What siteCors() adds to the answer of a request that is not a preflight, for a door that answers
 * without Express (the POST /comments lane, comment-lane.ts): the same headers for an allowed
 * origin, none (and `refused` told) for any other.
 */
export function siteCorsHeaders(sites: readonly string[], refused?: (origin: string) => void): (origin: string | undefined) => string[] {
  const allowed = new Set(sites);
  const exposed = EXPOSED_HEADERS.join(',');
  return (origin) => {
    if (origin === undefined) return [];
    if (allowed.has(origin)) return ['Access-Control-Allow-Origin', origin, 'Vary', 'Origin', 'Access-Control-Expose-Headers', exposed];
    refused?.(origin);
    return [];
  };
}
