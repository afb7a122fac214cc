/** Clocks the tests control (the app takes a Clock in DepsOverrides), shared by every folder. */
import type { Clock } from '../../src/lib/clock.js';

export interface MovableClock extends Clock {
  advance(ms: number): void;
}

/** Stands still at `start` until the test moves it. */
export function manualClock(start = Date.UTC(2026, 10, 25, 12, 0, 0)): MovableClock {
  let t = start;
  return {
    now: () => new Date(t),
    advance(ms: number): void {
      t += ms;
    },
  };
}

/** Real time plus whatever the test has added (for code that also waits on real timers). */
export function movableClock(): MovableClock {
  let offset = 0;
  return { now: () => new Date(Date.now() + offset), advance: (ms) => (offset += ms) };
}
