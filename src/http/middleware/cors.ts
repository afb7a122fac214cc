import cors from 'cors';
import type { RequestHandler } from 'express';

/** CORS for the public API: only the configured site origins, so other sites cannot post through a reader's browser. */
export function siteCors(sites: readonly string[]): RequestHandler {
  const allowed = new Set(sites);
  return cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    methods: ['GET', 'POST', 'PUT', 'DELETE'],
    allowedHeaders: ['Content-Type', 'X-Edit-Token'],
    exposedHeaders: ['Location', 'Retry-After', 'ETag'],
    maxAge: 600,
  });
}
