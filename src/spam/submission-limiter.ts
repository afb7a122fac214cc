import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitedError } from '../domain/errors.js';

/** Admission control for new submissions (comments and linkbacks), keyed by client IP or any other key. */
export interface SubmissionLimiter {
  /** Resolves when the key may submit; throws RateLimitedError (→ 429 + Retry-After) when it may not. */
  consume(key: string): Promise<void>;
}

/** `perMinute` submissions per key in a sliding minute; 0 disables the limit. */
export function createSubmissionLimiter(perMinute: number): SubmissionLimiter {
  if (perMinute <= 0) return { consume: async () => undefined };
  const limiter = new RateLimiterMemory({ points: perMinute, duration: 60 });
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
