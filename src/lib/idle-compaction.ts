/**
 * Gives the memory of a burst back once the server is idle again.
 *
 * V8 grows its old generation under load and keeps the pages afterwards: a full GC frees the
 * objects but not pages that still hold a few live ones, and V8's own memory reducer only compacts
 * some seconds into an idle spell (measured here: ~100 MiB resident still 10 s after a load that
 * left 25 MiB live). This does what the reducer would do, sooner: when the event loop has been idle
 * for a whole window and V8 holds many more bytes than are live, it runs one full GC that compacts
 * the heap (live objects moved off sparse pages, the empty pages unmapped) — the out-of-band GC that
 * Ruby's application servers run between requests, run between bursts.
 *
 * It needs `gc`, which node exposes with `--expose-gc` (`npm start` passes it); without it, this
 * does nothing and V8's reducer remains the only one giving memory back.
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

export interface IdleCompactionOptions {
  /** node's `gc` (present with --expose-gc); undefined: nothing is ever compacted. */
  gc: (() => void) | undefined;
  /** How often the loop is looked at. */
  windowMs?: number;
  /**
   * Windows in a row without work before a compaction: the pause (~80 ms for a 30 MiB heap here)
   * should not meet the first requests of the next burst, which a lull of one window may be.
   */
  idleWindows?: number;
  /** The share of a window the loop may be busy and still count as idle. */
  idleUtilization?: number;
  /** Old-generation bytes committed beyond what is live before a compaction is worth its pause. */
  minSlackBytes?: number;
  /** Run just before each compaction: other caches to give back while idle (SQLite's page cache). */
  release?: () => void;
  /** Told after each compaction: bytes committed before and after, and how long it paused the loop. */
  onCompaction?: (info: { beforeBytes: number; afterBytes: number; pauseMs: number }) => void;
}

export interface IdleCompaction {
  /** Compactions run so far. */
  readonly count: number;
  stop(): void;
}

const DEFAULTS = { windowMs: 500, idleWindows: 2, idleUtilization: 0.02, minSlackBytes: 2 * 1024 * 1024 };

/**
 * The old generation's committed bytes, and those beyond its live ones. The young generation is
 * left out: its semi-spaces are committed whole and empty after every scavenge, which no
 * compaction changes.
 */
function slack(): { committed: number; slack: number } {
  let committed = 0;
  let used = 0;
  for (const space of getHeapSpaceStatistics()) {
    if (space.space_name.startsWith('new_')) continue;
    committed += space.space_size;
    used += space.space_used_size;
  }
  return { committed, slack: committed - used };
}

export function startIdleCompaction(options: IdleCompactionOptions): IdleCompaction {
  const { gc } = options;
  const windowMs = options.windowMs ?? DEFAULTS.windowMs;
  const idleUtilization = options.idleUtilization ?? DEFAULTS.idleUtilization;
  const minSlackBytes = options.minSlackBytes ?? DEFAULTS.minSlackBytes;
  const idleWindows = options.idleWindows ?? DEFAULTS.idleWindows;
  let count = 0;
  let idleInARow = 0;
  if (gc === undefined) return { get count() { return count; }, stop() {} };

  let last: EventLoopUtilization = performance.eventLoopUtilization();
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    idleInARow = busy > idleUtilization ? 0 : idleInARow + 1;
    if (idleInARow < idleWindows) return;
    const before = slack();
    if (before.slack < minSlackBytes) return;
    const started = performance.now();
    options.release?.();
    // A full GC alone compacts only pages V8 judges fragmented enough; this flag makes the one GC
    // below evacuate every page it can, so the sparse pages a burst left behind are emptied and
    // unmapped. It is switched off again at once: during load, full GCs keep their cheaper heuristics.
    setFlagsFromString('--compact-on-every-full-gc');
    try {
      gc();
    } finally {
      setFlagsFromString('--no-compact-on-every-full-gc');
    }
    count++;
    idleInARow = 0;
    // The loop was paused by the GC: that time is not the next window's work.
    last = performance.eventLoopUtilization();
    options.onCompaction?.({ beforeBytes: before.committed, afterBytes: slack().committed, pauseMs: performance.now() - started });
  }, windowMs);
  // Never what keeps a process alive.
  timer.unref();
  return { get count() { return count; }, stop: () => clearInterval(timer) };
}
