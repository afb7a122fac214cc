import type pg from 'pg';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import RateLimiterMemory from 'rate-limiter-flexible/lib/RateLimiterMemory.js';
import RateLimiterPostgres from 'rate-limiter-flexible/lib/RateLimiterPostgres.js';
import RateLimiterRes from 'rate-limiter-flexible/lib/RateLimiterRes.js';
import { RateLimitedError } from '../domain/errors.js';

/** Admission control for new submissions (comments and linkbacks), keyed by client IP or any other key. */
export interface SubmissionLimiter {
  /** Resolves when the key may submit; throws RateLimitedError (→ 429 + Retry-After) when it may not. */
  consume(key: string): Promise<void>;
}

/**
 * Where the counters live: in this process (one instance, SQLite), or in PostgreSQL's rate_limits
 * table so that every instance behind a load balancer counts against the same limit.
 */
export type LimiterBackend = { kind: 'memory' } | { kind: 'postgres'; pool: pg.Pool; keyPrefix: string };

/** The counters behind a limit of `points` per key per `durationSeconds`, in memory or in PostgreSQL. */
export function createRateCounter(points: number, durationSeconds: number, backend: LimiterBackend): RateLimiterAbstract {
  return backend.kind === 'postgres'
    ? new RateLimiterPostgres({
      storeClient: backend.pool, storeType: 'pool', tableName: 'rate_limits', tableCreated: true, // schema.postgres.sql makes it
      keyPrefix: backend.keyPrefix, points, duration: durationSeconds,
      // While the database does not answer, each instance goes on limiting on its own.
      insuranceLimiter: new RateLimiterMemory({ points, duration: durationSeconds }),
    })
    : new RateLimiterMemory({ points, duration: durationSeconds });
}

/** `points` submissions per key per `durationSeconds` (default a minute); 0 points disables the limit. */
export function createSubmissionLimiter(points: number, durationSeconds = 60, backend: LimiterBackend = { kind: 'memory' }): SubmissionLimiter {
  if (points <= 0) return { consume: async () => undefined };
  const limiter = createRateCounter(points, durationSeconds, backend);
  return {
    async consume(key: string): Promise<void> {
      try {
        await limiter.consume(key);
      } catch (err) {
        if (err instanceof RateLimiterRes) throw new RateLimitedError(Math.max(1, Math.ceil(err.msBeforeNext / 1000)));
        throw err;
      }
    },
  };
}
