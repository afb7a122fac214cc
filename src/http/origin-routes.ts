/**
 * `GET /api/origin`: what the widget asks when it cannot load a thread, so a page on an origin that is
 * not one of BACKTALK_SITES explains itself instead of staying blank. Readable from any origin (that
 * is its point; it holds nothing but the caller's own Origin header, which the browser sets) and
 * never cached. Answers `{origin, allowed, setting, message}`: `message` is the neutral line for
 * readers, in the language asked for; the widget writes the details for the owner to the console.
 */
import { Router } from 'express';
import { refusalReason } from '../sites/refused-origins.js';
import { pickRequestLanguage } from './request-language.js';

export function originRoutes(deps: { sites: readonly string[]; publicUrl: string }): Router {
  const router = Router();
  const allowed = new Set([...deps.sites, new URL(deps.publicUrl).origin]);
  router.get('/api/origin', (req, res) => {
    const origin = req.get('origin') ?? null;
    const ok = origin === null ? null : allowed.has(origin);
    const why = origin !== null && !ok ? refusalReason(origin, deps.sites) : undefined;
    res.set({ 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'no-store' }).vary('Origin');
    res.json({
      origin, allowed: ok, setting: 'BACKTALK_SITES',
      ...(why ? { reason: why.reason, similar_site: why.site } : {}),
      message: pickRequestLanguage(req).embedRefused,
    });
  });
  return router;
}
