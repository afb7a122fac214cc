import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitedError } from '../domain/errors.js';

/** Admission control for new submissions (comments and linkbacks), keyed by client IP or any other key. */
export interface SubmissionLimiter {
  /** Resolves when the key may submit; throws RateLimitedError (→ 429 + Retry-After) when it may not. */
  consume(key: string): Promise<void>;
}

/** `points` submissions per key per `durationSeconds` (default a minute); 0 points disables the limit. */
export function createSubmissionLimiter(points: number, durationSeconds = 60): SubmissionLimiter {
  if (points <= 0) return { consume: async () => undefined };
  const limiter = new RateLimiterMemory({ points, duration: durationSeconds });
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
