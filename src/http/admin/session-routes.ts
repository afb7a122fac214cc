/**
 * The moderation page's sign-in (mounted behind requireAdmin under /api/admin):
 *
 * - `POST /session` with the bearer token: sets the session cookie (HttpOnly, SameSite=Strict,
 *   Secure over HTTPS, Max-Age BACKTALK_ADMIN_SESSION) and answers `{csrf, expires}`;
 * - `GET /session`: the current session's `{csrf, expires}` (how a new tab picks up the sign-in);
 * - `DELETE /session`: signs this browser out;
 * - `POST /session/revoke-all`: signs every browser out (the sessions' generation changes).
 */
import { Router, type Request, type Response } from 'express';
import { SESSION_COOKIE, type AdminSession, type AdminSessions } from '../../auth/admin-sessions.js';

export function sessionRoutes(deps: { sessions: AdminSessions; publicUrl: string }): Router {
  const router = Router();
  const { sessions } = deps;
  const httpsPublic = deps.publicUrl.startsWith('https:');

  // req.secure follows X-Forwarded-Proto only from a trusted proxy (BACKTALK_TRUST_PROXY); a public
  // URL on https means the browser talks HTTPS to whatever is in front of us, so Secure is right too.
  const cookieOptions = (req: Request) => ({ httpOnly: true, sameSite: 'strict' as const, secure: req.secure || httpsPublic, path: '/' });
  const sessionJson = (s: AdminSession) => ({ signed_in: true, csrf: s.csrf, expires: s.expires.toISOString() });
  const clear = (req: Request, res: Response) => res.clearCookie(SESSION_COOKIE, cookieOptions(req));

  router.post('/session', async (req, res) => {
    const session = await sessions.issue();
    res.cookie(SESSION_COOKIE, session.value, { ...cookieOptions(req), maxAge: sessions.maxAgeSeconds * 1000 });
    res.set('Cache-Control', 'no-store').status(201).json(sessionJson(session));
  });

  router.get('/session', (_req, res) => {
    const session = res.locals.adminSession as AdminSession | undefined;
    // Signed in with the bearer token: no cookie session to report.
    res.set('Cache-Control', 'no-store').json(session ? sessionJson(session) : { signed_in: false, csrf: null, expires: null });
  });

  router.delete('/session', (req, res) => {
    clear(req, res);
    res.status(204).end();
  });

  router.post('/session/revoke-all', async (req, res) => {
    await sessions.revokeAll();
    clear(req, res);
    res.status(204).end();
  });

  return router;
}
