/**
 * Imported posts must land on one of BACKTALK_SITES: a thread anywhere else is stored but never shown
 * (every read checks the target against the sites), so an import that would create such threads is
 * refused, naming the origins it found and how to map them (issue 16 point 7). `--map-origin
 * FROM=TO` moves a whole origin, e.g. a blog that changed its domain, onto a configured site.
 */
import { originOf } from '../lib/url.js';
import { ImportError } from './record.js';

export interface SitePlacement {
  /** The target on a configured site (mapped if its origin is mapped), or undefined when it is on none. */
  place(target: string): string | undefined;
  /** Refuses the import when any target was on none of the sites; call once the whole file was read. */
  check(file: string): void;
}

/**
 * @param sites BACKTALK_SITES origins.
 * @param originMap origin → origin (normalized by the caller); targets under a key move to its value.
 */
export function placeOnSites(sites: readonly string[], originMap: ReadonlyMap<string, string> = new Map()): SitePlacement {
  const foreign = new Map<string, Set<string>>();
  return {
    place(target) {
      const origin = originOf(target);
      if (origin === undefined) return target;
      const mapped = originMap.get(origin);
      const placed = mapped === undefined ? target : mapped + target.slice(origin.length);
      if (sites.includes(mapped ?? origin)) return placed;
      foreign.set(origin, (foreign.get(origin) ?? new Set()).add(target));
      return undefined;
    },
    check(file) {
      if (foreign.size === 0) return;
      const found = [...foreign].sort((a, b) => b[1].size - a[1].size)
        .map(([origin, posts]) => `${origin} (${posts.size} ${posts.size === 1 ? 'post' : 'posts'})`);
      const [first] = [...foreign.keys()];
      throw new ImportError(file,
        `nothing imported: posts on ${found.join(', ')} are not on any of BACKTALK_SITES (${sites.join(', ')}), so their comments would never be shown; ` +
        `add ${foreign.size === 1 ? 'that origin' : 'those origins'} to BACKTALK_SITES, or map each onto a site with --map-origin ${first}=${sites[0] ?? 'https://your.blog'}`);
    },
  };
}
