/**
 * Page origins the public API refused because they are not one of BACKTALK_SITES: the commonest
 * reason a first embed shows nothing. Each is logged once per process with the reason, and counted
 * for the admin page.
 *
 * Kept in the settings table as one small JSON list (at most MAX_KEPT origins, the most recently
 * seen): it is a diagnostic, not data, so it needs no table and no schema step, and backup, export
 * and `backtalk migrate` carry it as they carry every setting. Counts are gathered in memory and
 * written at most every FLUSH_MS, so a busy blog on a wrong origin costs no write per page view; two
 * instances flushing at the same moment may lose a few counts, which a diagnostic can afford.
 */
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { SettingsRepository } from '../store/repository.js';

const SETTING = 'refused_origins';
const MAX_KEPT = 50;
/** Distinct origins gathered between two writes; more are dropped (an attacker can send any Origin header). */
const MAX_PENDING = 200;
const MAX_LOGGED = 1000;
const FLUSH_MS = 2000;

/**
 * Why an origin is not one of the sites, in the terms the owner needs to fix it: `no-origin` (a
 * local file or sandboxed frame sends "null"), `scheme-or-port` (http vs https, or another port, of
 * a configured host), `www` (the host with or without "www."), else `not-in-sites`.
 */
export type RefusalReason = 'no-origin' | 'scheme-or-port' | 'www' | 'not-in-sites';

export interface RefusedOrigin {
  origin: string;
  reason: RefusalReason;
  /** The configured site it resembles, for `scheme-or-port` and `www`. */
  site: string | null;
  count: number;
  first: string;
  last: string;
}

export interface RefusedOriginLog {
  /** A request came from `origin`, which is not one of the sites. Never throws, never waits. */
  note(origin: string): void;
  /** Writes the gathered counts (tests, shutdown). */
  flush(): Promise<void>;
  /** Newest first, with what is gathered but not yet written. */
  list(): Promise<RefusedOrigin[]>;
}

/** The reason `origin` is refused, and the configured site it resembles. */
export function refusalReason(origin: string, sites: readonly string[]): { reason: RefusalReason; site: string | null } {
  if (origin === 'null') return { reason: 'no-origin', site: null };
  let host: string;
  try {
    host = new URL(origin).hostname;
  } catch {
    return { reason: 'not-in-sites', site: null };
  }
  const bare = (h: string) => h.replace(/^www\./, '');
  for (const site of sites) {
    const siteHost = new URL(site).hostname;
    if (siteHost === host) return { reason: 'scheme-or-port', site };
    if (bare(siteHost) === bare(host)) return { reason: 'www', site };
  }
  return { reason: 'not-in-sites', site: null };
}

/** What a browser sends as Origin: `null`, or scheme://host[:port]; anything else is not recorded. */
const ORIGIN_SHAPE = /^(?:null|https?:\/\/[a-z0-9.\-[\]:]{1,260})$/i;

export function createRefusedOriginLog(options: {
  settings: SettingsRepository;
  sites: readonly string[];
  clock: Clock;
  logger: Logger;
}): RefusedOriginLog {
  const { settings, sites, clock, logger } = options;
  const logged = new Set<string>();
  const pending = new Map<string, { count: number; first: number; last: number }>();
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  async function read(): Promise<RefusedOrigin[]> {
    try {
      const list = JSON.parse((await settings.get(SETTING)) ?? '[]') as unknown;
      return Array.isArray(list) ? (list as RefusedOrigin[]) : [];
    } catch {
      return [];
    }
  }

  function merged(stored: RefusedOrigin[], gathered: Map<string, { count: number; first: number; last: number }>): RefusedOrigin[] {
    const byOrigin = new Map(stored.map((o) => [o.origin, { ...o }]));
    for (const [origin, seen] of gathered) {
      const old = byOrigin.get(origin);
      const { reason, site } = refusalReason(origin, sites);
      byOrigin.set(origin, {
        origin, reason, site,
        count: (old?.count ?? 0) + seen.count,
        first: old?.first ?? new Date(seen.first).toISOString(),
        last: new Date(seen.last).toISOString(),
      });
    }
    return [...byOrigin.values()].sort((a, b) => b.last.localeCompare(a.last)).slice(0, MAX_KEPT);
  }

  async function write(): Promise<void> {
    if (pending.size === 0) return;
    const gathered = new Map(pending);
    pending.clear();
    await settings.set(SETTING, JSON.stringify(merged(await read(), gathered)));
  }

  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    writing = writing.then(write).catch((err: unknown) => logger.warn({ err }, 'could not record refused origins'));
    return writing;
  }

  return {
    note(origin) {
      if (!ORIGIN_SHAPE.test(origin)) return;
      const now = clock.now().getTime();
      const seen = pending.get(origin);
      if (seen) {
        seen.count += 1;
        seen.last = now;
      } else if (pending.size < MAX_PENDING) {
        pending.set(origin, { count: 1, first: now, last: now });
      }
      if (!logged.has(origin) && logged.size < MAX_LOGGED) {
        logged.add(origin);
        const { reason, site } = refusalReason(origin, sites);
        logger.warn({ origin, reason, site, sites }, `refused requests from ${origin}: it is not one of BACKTALK_SITES (${reason})`);
      }
      if (!timer) {
        timer = setTimeout(() => void flush(), FLUSH_MS);
        timer.unref();
      }
    },
    flush,
    async list() {
      await flush();
      return read();
    },
  };
}
