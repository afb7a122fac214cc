/**
 * Loaded into a bench's Backtalk with `node --import …/server-probe.js` (see sides.ts), never by
 * `npm start`: the server exposes neither its event-loop delay nor its memory breakdown, and the
 * bench must not change what it measures to get them.
 *
 * On SIGUSR2 it appends one JSON line to BENCH_PROBE_FILE: process.memoryUsage(), V8's heap spaces,
 * the main thread's garbage-collection pauses since the previous line (count and milliseconds, minor
 * and major), and — when BENCH_LOOP_DELAY=1 — the event-loop delay histogram since the previous line,
 * from perf_hooks.monitorEventLoopDelay at 1 ms resolution. The signal is handled on the
 * event loop like any callback, so a line is written after the turn that was running ends.
 */
import { appendFileSync } from 'node:fs';
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';

const file = process.env.BENCH_PROBE_FILE;
if (file) {
  const loop = process.env.BENCH_LOOP_DELAY === '1' ? monitorEventLoopDelay({ resolution: 1 }) : undefined;
  loop?.enable();
  const ms = (ns: number) => Number((ns / 1e6).toFixed(3));
  const gc = { minor: 0, minorMs: 0, major: 0, majorMs: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = ((entry as { detail?: unknown }).detail as { kind?: number } | undefined)?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
        gc.minor++;
        gc.minorMs += entry.duration;
      } else {
        gc.major++;
        gc.majorMs += entry.duration;
      }
    }
  }).observe({ entryTypes: ['gc'] });
  process.on('SIGUSR2', () => {
    const line: Record<string, unknown> = {
      memory: process.memoryUsage(),
      // What V8 itself holds in malloc (compiler zones, its tables), beside its heap pages.
      v8Malloced: getHeapStatistics().malloced_memory,
      gc: { ...gc, minorMs: Number(gc.minorMs.toFixed(1)), majorMs: Number(gc.majorMs.toFixed(1)) },
      heapSpaces: Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, { size: s.space_size, used: s.space_used_size }])),
    };
    if (loop) {
      line.loopDelayMs = { count: loop.count, p50: ms(loop.percentile(50)), p90: ms(loop.percentile(90)), p99: ms(loop.percentile(99)), max: ms(loop.max) };
      loop.reset();
    }
    appendFileSync(file, `${JSON.stringify(line)}\n`);
    Object.assign(gc, { minor: 0, minorMs: 0, major: 0, majorMs: 0 });
  });
}
