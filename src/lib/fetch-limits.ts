/**
 * Outbound fetch budgets. Every linkback makes us fetch a URL the sender chose, so without limits Backtalk
 * is a reflector: one cheap ping in, one page load against someone else's site out (protocols.md §3.5,
 * P27 `system.multicall` amplification). Over a limit the fetch is refused at once, never queued, so a
 * flood of pings cannot build a backlog that keeps hitting the victim later.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

export interface FetchLimitSettings {
  perHostPerMinute: number;
  globalPerMinute: number;
  perHostConcurrent: number;
  globalConcurrent: number;
}

export type LimitGrant = { granted: true; release: () => void } | { granted: false; reason: string };

const GLOBAL_KEY = '*';

/**
 * Counts in-flight fetches and per-minute fetches, per host name and in total. Host names are compared
 * as the WHATWG URL parser leaves them (lower-cased, IDNs in punycode). Keys are names, not addresses:
 * many unrelated blogs share one address (GitHub Pages, CDNs), and the global budget bounds what a
 * sender can do with many names pointing at one victim.
 */
export class FetchLimits {
  private readonly perHostRate: RateLimiterMemory;
  private readonly globalRate: RateLimiterMemory;
  private readonly inFlightByHost = new Map<string, number>();
  private inFlight = 0;

  constructor(private readonly settings: FetchLimitSettings) {
    this.perHostRate = new RateLimiterMemory({ points: settings.perHostPerMinute, duration: 60 });
    this.globalRate = new RateLimiterMemory({ points: settings.globalPerMinute, duration: 60 });
  }

  /**
   * Takes one request's worth of every budget for `host`, or explains which one is spent. A grant must be
   * released exactly once, when the request's socket is done.
   */
  async acquire(hostname: string): Promise<LimitGrant> {
    // 'blog.example.' and 'blog.example' are the same site; do not let a trailing dot double the budget.
    const host = hostname.replace(/\.+$/, '');
    const { perHostConcurrent, globalConcurrent, perHostPerMinute, globalPerMinute } = this.settings;
    // Concurrency is claimed synchronously, before any await, so two callers cannot both see a free slot.
    if (this.inFlight >= globalConcurrent) {
      return { granted: false, reason: `global concurrency limit reached (${globalConcurrent} fetches in flight)` };
    }
    const hostInFlight = this.inFlightByHost.get(host) ?? 0;
    if (hostInFlight >= perHostConcurrent) {
      return { granted: false, reason: `per-host concurrency limit reached (${perHostConcurrent} fetches in flight to ${host})` };
    }
    this.inFlight += 1;
    this.inFlightByHost.set(host, hostInFlight + 1);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.inFlight -= 1;
      const left = (this.inFlightByHost.get(host) ?? 1) - 1;
      if (left <= 0) this.inFlightByHost.delete(host);
      else this.inFlightByHost.set(host, left);
    };

    const hostRate = await spend(this.perHostRate, host);
    if (hostRate !== 'ok') {
      release();
      return { granted: false, reason: `per-host rate limit reached (${perHostPerMinute} fetches per minute to ${host})${hostRate}` };
    }
    const globalRate = await spend(this.globalRate, GLOBAL_KEY);
    if (globalRate !== 'ok') {
      release();
      return { granted: false, reason: `global rate limit reached (${globalPerMinute} fetches per minute)${globalRate}` };
    }
    return { granted: true, release };
  }
}

/** 'ok', or a suffix saying when the window reopens. */
async function spend(limiter: RateLimiterMemory, key: string): Promise<string> {
  try {
    await limiter.consume(key);
    return 'ok';
  } catch (err) {
    if (err instanceof RateLimiterRes) return `; retry in ${Math.ceil(err.msBeforeNext / 1000)} s`;
    return `; limiter error: ${err instanceof Error ? err.message : String(err)}`;
  }
}
