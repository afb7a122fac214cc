/**
 * What one client, or all of them together, may hold open on the HTTP server, and for how long
 * (issue 14, point 7). Slow-header (Slowloris) and idle connections cost a file descriptor and some
 * memory each and no work at all for the sender, so they are bounded by count and by time:
 *
 * - per client address (IPv4 address, IPv6 /64: lib/ip.ts): connections over the cap are closed as
 *   soon as they are accepted; addresses of trusted proxies (BACKTALK_TRUST_PROXY) are exempt, since
 *   every reader arrives through them and the proxy does its own per-client limiting;
 * - in total: node's own `maxConnections` drops connections over it before any work is done;
 * - in time: headers must arrive within `headerTimeoutMs`, a whole request within
 *   `requestTimeoutMs` (408 either way), an idle keep-alive connection is closed after
 *   `keepAliveTimeoutMs`, and a socket with no traffic at all (a client that stopped reading its
 *   answer) after `requestTimeoutMs`.
 */
import type { Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import { clientLimitKey } from '../lib/ip.js';

export interface ConnectionLimits {
  headerTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
  maxConnectionsPerClient: number;
}

/** The options for node's createServer. Node checks the header and request deadlines every `connectionsCheckingInterval` (30 s by default, far longer than the deadlines themselves). */
export function serverTimeouts(limits: ConnectionLimits): ServerOptions {
  return {
    headersTimeout: limits.headerTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.min(1000, limits.headerTimeoutMs),
  };
}

export interface GuardEvents {
  /** A connection was closed on arrival: its client already holds `perClient` of them. */
  refused?: (address: string) => void;
  /** Node dropped a connection because `maxConnections` are open. */
  dropped?: (address: string) => void;
}

/**
 * Applies the caps and the idle-socket timeout to `server`. `exempt(address)` is true for the
 * addresses of trusted proxies.
 */
export function guardConnections(server: Server, limits: ConnectionLimits, exempt: (address: string) => boolean, events: GuardEvents = {}): void {
  server.maxConnections = limits.maxConnections;
  server.timeout = limits.requestTimeoutMs;
  server.on('drop', (data?: { remoteAddress?: string }) => events.dropped?.(data?.remoteAddress ?? ''));
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    if (exempt(address)) return;
    const key = clientLimitKey(address);
    const count = open.get(key) ?? 0;
    if (count >= limits.maxConnectionsPerClient) {
      socket.destroy();
      events.refused?.(address);
      return;
    }
    open.set(key, count + 1);
    socket.once('close', () => {
      const left = (open.get(key) ?? 1) - 1;
      if (left <= 0) open.delete(key);
      else open.set(key, left);
    });
  });
}
