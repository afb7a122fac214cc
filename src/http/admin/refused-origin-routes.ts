import { Router } from 'express';
import type { RefusedOriginLog } from '../../sites/refused-origins.js';

/**
 * `GET /api/admin/origins` (behind requireAdmin): the sites served and the page origins refused for
 * not being one of them, most recently seen first, with counts and the reason (sites/refused-origins.ts).
 */
export function refusedOriginRoutes(deps: { sites: readonly string[]; refusedOrigins: RefusedOriginLog }): Router {
  const router = Router();
  router.get('/origins', async (_req, res) => {
    res.json({ sites: deps.sites, refused: await deps.refusedOrigins.list() });
  });
  return router;
}
