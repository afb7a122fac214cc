/**
 * Child process of tests/unit/idle-compaction.test.ts (run with --expose-gc): leaves a heap the
 * way a burst does (many objects, a third still live on every page: too many for V8's own full GCs
 * to move them), keeps the loop busy for a while, then idles, and prints what startIdleCompaction
 * did in each phase as one JSON line.
 */
import { performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { startIdleCompaction } from '../../src/lib/idle-compaction.js';

const gc = (globalThis as { gc?: () => void }).gc;
/** The old generation (what the compaction acts on; the semi-spaces are committed whole). */
const heap = () => {
  const old = getHeapSpaceStatistics().filter((space) => !space.space_name.startsWith('new_'));
  return { total_heap_size: old.reduce((n, s) => n + s.space_size, 0), used_heap_size: old.reduce((n, s) => n + s.space_used_size, 0) };
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let kept: Array<{ i: number; s: string; a: number[] }> = [];
for (let i = 0; i < 900_000; i++) kept.push({ i, s: `item ${i}`, a: [i] });
kept = kept.filter((_, i) => i % 3 === 0);
// What ordinary full GCs give back, they have given back by now.
for (let i = 0; i < 3; i++) gc?.();
const before = heap();

let released = 0;
const compaction = startIdleCompaction({ gc, windowMs: 50, minSlackBytes: 4 * 1024 * 1024, release: () => released++ });
// Busy: 30 ms slices back to back for 20 slices, so every window sees a loop at work.
for (let slice = 0; slice < 20; slice++) {
  const end = performance.now() + 30;
  while (performance.now() < end);
  await new Promise((resolve) => setImmediate(resolve));
}
const duringBusy = compaction.count;
for (let waited = 0; compaction.count === 0 && waited < 20_000; waited += 20) await sleep(20);
const after = heap();
// A few windows more: with the slack gone, no second compaction.
await sleep(300);
compaction.stop();
process.stdout.write(`${JSON.stringify({
  beforeCommitted: before.total_heap_size, beforeUsed: before.used_heap_size, afterCommitted: after.total_heap_size,
  duringBusy, count: compaction.count, released, kept: kept.length, sum: kept.reduce((n, k) => n + k.a[0]!, 0),
})}\n`);
