import type { Request } from 'express';
import type { ClientInfo } from '../domain/comment.js';

/**
 * The client as the spam checks and rate limits see it. `req.ip` honours Express's "trust proxy",
 * which is off unless BACKTALK_TRUST_PROXY says otherwise, so X-Forwarded-For cannot be spoofed.
 */
export function clientInfo(req: Request): ClientInfo {
  return {
    ip: req.ip ?? req.socket.remoteAddress ?? '',
    userAgent: req.get('user-agent') ?? '',
    referrer: req.get('referer') ?? '',
  };
}
