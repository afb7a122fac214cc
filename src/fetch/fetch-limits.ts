/**
 * Outbound fetch budgets. Every linkback makes us fetch a URL the sender chose, so without limits Backtalk
 * is a reflector: one cheap ping in, one page load against someone else's site out (protocols.md §3.5,
 * P27 `system.multicall` amplification). Over a per-minute budget the fetch is refused at once, never
 * queued, so a flood of pings cannot build a backlog that keeps hitting the victim later. Concurrency is
 * different: a sender that pings several posts at once (WordPress does, one ping per linked post) should
 * not be refused because its own earlier pings are still being fetched, so a fetch waits for a free slot —
 * in a short, bounded line, and never longer than the fetch's own deadline.
 */
import RateLimiterMemory from 'rate-limiter-flexible/lib/RateLimiterMemory.js';
import RateLimiterRes from 'rate-limiter-flexible/lib/RateLimiterRes.js';

export interface FetchLimitSettings {
  perHostPerMinute: number;
  globalPerMinute: number;
  perHostConcurrent: number;
  globalConcurrent: number;
  /** How many fetches may wait for a concurrency slot, per host and in all; beyond that they are refused. */
  perHostWaiting?: number;
  globalWaiting?: number;
}

export type LimitGrant = { granted: true; release: () => void } | { granted: false; reason: string };

const GLOBAL_KEY = '*';
const DEFAULT_PER_HOST_WAITING = 16;
const DEFAULT_GLOBAL_WAITING = 64;

interface Waiter {
  host: string;
  wake: () => void;
}

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
  /** Fetches waiting for a concurrency slot, oldest first. */
  private readonly waiting: Waiter[] = [];

  constructor(private readonly settings: FetchLimitSettings) {
    this.perHostRate = new RateLimiterMemory({ points: settings.perHostPerMinute, duration: 60 });
    this.globalRate = new RateLimiterMemory({ points: settings.globalPerMinute, duration: 60 });
  }

  /**
   * Takes one request's worth of every budget for `host`, or explains which one is spent. A grant must be
   * released exactly once, when the request's socket is done.
   */
  async acquire(hostname: string, signal?: AbortSignal): Promise<LimitGrant> {
    // 'blog.example.' and 'blog.example' are the same site; do not let a trailing dot double the budget.
    const host = hostname.replace(/\.+$/, '');
    const { perHostPerMinute, globalPerMinute } = this.settings;
    const slot = await this.takeSlot(host, signal);
    if (typeof slot === 'string') return { granted: false, reason: slot };
    const release = slot;

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

  /** Fetches in flight and waiting, for tests and metrics. */
  stats(): { inFlight: number; waiting: number } {
    return { inFlight: this.inFlight, waiting: this.waiting.length };
  }

  /** A concurrency slot for `host` (its release function), waiting in line if need be; or why not. */
  private async takeSlot(host: string, signal?: AbortSignal): Promise<(() => void) | string> {
    const { perHostConcurrent, globalConcurrent } = this.settings;
    for (;;) {
      // Claimed synchronously, before any await, so two callers cannot both see the same free slot.
      if (this.hasFreeSlot(host)) return this.claim(host);
      const hostWaiting = this.waiting.filter((w) => w.host === host).length;
      if (hostWaiting >= (this.settings.perHostWaiting ?? DEFAULT_PER_HOST_WAITING)) {
        return `per-host concurrency limit reached (${perHostConcurrent} fetches in flight to ${host}, ${hostWaiting} waiting)`;
      }
      if (this.waiting.length >= (this.settings.globalWaiting ?? DEFAULT_GLOBAL_WAITING)) {
        return `global concurrency limit reached (${globalConcurrent} fetches in flight, ${this.waiting.length} waiting)`;
      }
      if (signal?.aborted) return `concurrency limit reached: no free slot for ${host} before the deadline`;
      await new Promise<void>((resolve) => {
        const waiter: Waiter = { host, wake: () => { signal?.removeEventListener('abort', onAbort); resolve(); } };
        const onAbort = () => {
          const at = this.waiting.indexOf(waiter);
          if (at >= 0) this.waiting.splice(at, 1);
          resolve();
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        this.waiting.push(waiter);
      });
    }
  }

  private hasFreeSlot(host: string): boolean {
    return this.inFlight < this.settings.globalConcurrent && (this.inFlightByHost.get(host) ?? 0) < this.settings.perHostConcurrent;
  }

  private claim(host: string): () => void {
    this.inFlight += 1;
    this.inFlightByHost.set(host, (this.inFlightByHost.get(host) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= 1;
      const left = (this.inFlightByHost.get(host) ?? 1) - 1;
      if (left <= 0) this.inFlightByHost.delete(host);
      else this.inFlightByHost.set(host, left);
      this.wakeNext();
    };
  }

  /** Wakes the oldest waiter that can now run; it re-checks, so a spurious wake-up only costs a loop. */
  private wakeNext(): void {
    const at = this.waiting.findIndex((w) => this.hasFreeSlot(w.host));
    if (at < 0) return;
    const [waiter] = this.waiting.splice(at, 1);
    waiter!.wake();
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
