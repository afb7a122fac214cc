import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import express, { type Express, type Request } from 'express';
import type { ClientInfo } from '../domain/comment.js';

/**
 * The client as the spam checks and rate limits see it. `req.ip` honours Express's "trust proxy",
 * which is off unless BACKTALK_TRUST_PROXY says otherwise, so X-Forwarded-For cannot be spoofed.
 */
export function clientInfo(req: Request): ClientInfo {
  return clientInfoOf(req.ip ?? req.socket.remoteAddress ?? '', req.headers);
}

/** clientInfo() from the client's address (as req.ip reads it) and the request headers. */
export function clientInfoOf(ip: string, headers: IncomingHttpHeaders): ClientInfo {
  return {
    ip,
    userAgent: headers['user-agent'] ?? '',
    // As req.get('referer') reads it: Referrer first, then Referer.
    referrer: (headers.referrer as string | undefined) || headers.referer || '',
  };
}

/**
 * req.ip for a request Express has not seen (the POST lane, comment-lane.ts): Express's own getter,
 * so "trust proxy" (BACKTALK_TRUST_PROXY) reads X-Forwarded-For exactly as on the Express path.
 */
export function expressClientAddress(app: Express): (req: IncomingMessage) => string {
  const ip = Object.getOwnPropertyDescriptor(express.request, 'ip')!.get!;
  return (req) => (ip.call({ app, headers: req.headers, socket: req.socket, connection: req.socket }) as string | undefined) ?? req.socket.remoteAddress ?? '';
}
