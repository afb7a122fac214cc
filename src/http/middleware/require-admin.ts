import type { RequestHandler } from 'express';
import { UnauthorizedError } from '../../domain/errors.js';
import { matchesHash } from '../../lib/tokens.js';

/** Bearer-token check against the stored SHA-256 of the admin token, compared in constant time. */
export function requireAdmin(adminTokenHash: () => Promise<string>): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match || !matchesHash(match[1]!, await adminTokenHash())) {
      res.set('WWW-Authenticate', 'Bearer realm="backtalk"');
      throw new UnauthorizedError();
    }
    next();
  };
}
