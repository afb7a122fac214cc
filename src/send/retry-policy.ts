/**
 * When a transient failure is tried again: exponential back-off from `baseDelayMs` (×4 per attempt,
 * capped), or later if the receiver asked so with Retry-After (RFC 9110 §10.2.3), up to a day.
 */
export interface RetryTuning {
  /** Delay after the first failed attempt. */
  baseDelayMs: number;
  /** Delay before a send that only waited for one of our own rate or concurrency budgets. */
  laterDelayMs: number;
}

export const DEFAULT_RETRY_TUNING: RetryTuning = Object.freeze({ baseDelayMs: 60_000, laterDelayMs: 20_000 });

const MAX_BACKOFF_MS = 12 * 3600_000;
const MAX_RETRY_AFTER_MS = 24 * 3600_000;

/** The time of the next attempt after `attempts` failed ones. */
export function nextAttempt(now: Date, attempts: number, tuning: RetryTuning, retryAfterMs?: number): Date {
  const backoff = Math.min(tuning.baseDelayMs * 4 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);
  const delay = retryAfterMs === undefined ? backoff : Math.min(Math.max(retryAfterMs, 0), MAX_RETRY_AFTER_MS);
  return new Date(now.getTime() + delay);
}
