/**
 * Failed admin-token attempts, counted per client (IPv4 address, IPv6 /64: lib/ip.ts). After `limit`
 * refused tokens within `windowSeconds`, the client gets 429 with Retry-After on every admin request
 * that carries a token, the right one included, until the window ends: answering the right token with
 * 200 while wrong ones get 429 would let the guessing go on. The numbers follow fail2ban's defaults
 * (maxretry 5, findtime and bantime 10 minutes): an owner who mistypes is back in minutes, a guesser
 * gets 5 tries per 10 minutes per address, which against a 128-bit token is no chance at all.
 */
import RateLimiterRes from 'rate-limiter-flexible/lib/RateLimiterRes.js';
import { RateLimitedError, msg } from '../../domain/errors.js';
import { createClientFaultLog } from '../../lib/client-fault-log.js';
import { clientLimitKey } from '../../lib/ip.js';
import type { Logger } from '../../lib/logger.js';
import type { Metrics } from '../../metrics/metrics.js';
import { createRateCounter, type LimiterBackend } from '../../spam/submission-limiter.js';

export interface AdminAttempts {
  /** Throws RateLimitedError while the client is locked out. */
  assertOpen(ip: string): Promise<void>;
  /** Records one refused token: counted against the client, logged at warn, counted in /metrics. */
  refused(ip: string, path: string): Promise<void>;
}

export interface AdminAttemptSettings {
  /** Refused tokens allowed per client per window; 0 turns the lock-out off (they are still logged and counted). */
  limit: number;
  windowSeconds: number;
  backend: LimiterBackend;
  logger: Logger;
  metrics: Metrics;
}

export function createAdminAttempts(settings: AdminAttemptSettings): AdminAttempts {
  const { limit, windowSeconds, logger, metrics } = settings;
  const counter = limit > 0 ? createRateCounter(limit, windowSeconds, settings.backend) : undefined;
  // Many addresses (an IPv6 /48 holds 65,536 /64s) could each spend their five: the log has its own budget.
  const warn = createClientFaultLog(logger, 30);
  return {
    async assertOpen(ip) {
      if (!counter) return;
      const seen = await counter.get(clientLimitKey(ip));
      if (seen && seen.consumedPoints >= limit) {
        metrics.adminAuthFailure('locked');
        logger.debug({ ip }, 'admin token attempt while locked out');
        const wait = Math.max(1, Math.ceil(seen.msBeforeNext / 1000));
        throw new RateLimitedError(wait, msg('admin-rate-limited', { seconds: wait }));
      }
    },
    async refused(ip, path) {
      metrics.adminAuthFailure('refused');
      warn({ ip, path }, 'admin token refused');
      if (!counter) return;
      await counter.consume(clientLimitKey(ip)).catch((err: unknown) => {
        if (!(err instanceof RateLimiterRes)) throw err;
      });
    },
  };
}
