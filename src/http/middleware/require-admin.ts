import type { RequestHandler } from 'express';
import { UnauthorizedError } from '../../domain/errors.js';
import { matchesHash } from '../../lib/tokens.js';
import type { AdminAttempts } from './admin-attempts.js';

/**
 * Bearer-token check against the stored SHA-256 of the admin token, compared in constant time.
 * Requests that carry a token are the guesses: a client with too many refused ones gets 429
 * (admin-attempts.ts); a request without any Authorization header is simply 401.
 */
export function requireAdmin(adminTokenHash: () => Promise<string>, attempts?: AdminAttempts): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization');
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
