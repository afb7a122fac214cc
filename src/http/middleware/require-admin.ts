import type { RequestHandler } from 'express';
import { ForbiddenError, UnauthorizedError } from '../../domain/errors.js';
import { matchesHash } from '../../lib/tokens.js';
import { CSRF_HEADER, csrfMatches, readCookie, SESSION_COOKIE, type AdminSessions } from '../../auth/admin-sessions.js';
import type { AdminAttempts } from './admin-attempts.js';

/** Methods that change nothing: a cookie alone may authorize them (no CSRF token needed). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Two ways in. Scripts send the admin token as a bearer header, checked against its stored SHA-256
 * in constant time; requests that carry a token are the guesses: a client with too many refused ones
 * gets 429 (admin-attempts.ts); a request without any credential is simply 401.
 *
 * The moderation page signs in once and then sends the session cookie (auth/admin-sessions.ts). A
 * browser attaches cookies to requests other sites make it send, so a cookie-authenticated request
 * that changes something must also carry the session's CSRF token in a header, which another site
 * can neither read nor set on a cross-site request (no CORS is granted on /api/admin): 403 otherwise.
 * A bearer header wins over a cookie, so scripts behave exactly as before.
 */
export function requireAdmin(adminTokenHash: () => Promise<string>, attempts?: AdminAttempts, sessions?: AdminSessions): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization');
    const cookie = header === undefined && sessions ? readCookie(req.get('cookie'), SESSION_COOKIE) : undefined;
    if (cookie !== undefined) {
      const session = await sessions!.check(cookie);
      if (session) {
        if (!SAFE_METHODS.has(req.method) && !csrfMatches(req.get(CSRF_HEADER), session)) {
          throw new ForbiddenError('csrf-refused', 'csrf-refused');
        }
        res.locals.adminSession = session;
        next();
        return;
      }
    }
    const ip = req.ip ?? req.socket.remoteAddress ?? '';
    if (header !== undefined) await attempts?.assertOpen(ip);
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!match || !matchesHash(match[1]!, await adminTokenHash())) {
      if (header !== undefined) await attempts?.refused(ip, req.baseUrl + req.path);
      res.set('WWW-Authenticate', 'Bearer realm="backtalk"');
      throw new UnauthorizedError();
    }
    next();
  };
}
