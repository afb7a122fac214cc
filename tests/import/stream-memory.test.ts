/**
 * Streaming: importing a WXR eight times larger must not need more memory to speak of. Each import
 * runs in its own process (bench/import-rss.ts) with a small V8 heap, so the GC keeps the heap
 * tight and the peak resident set shows what the import really holds. Reading the file whole would
 * add at least its size (28 MB more here) to the peak; streaming adds a few MB of noise.
 * The 200 MB figure comes from `node --import tsx bench/import-rss.ts 200` (see README).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measure } from '../../bench/import-rss.js';

test('peak RSS stays flat when the WXR grows from 4 MB to 32 MB', { timeout: 240_000 }, async () => {
  const heap = ['--max-old-space-size=32'];
  const [small, large] = await Promise.all([measure(4, heap), measure(32, heap)]);
  assert.ok(large.comments > 7 * small.comments, 'the larger file really has more to import');
  // JavaScript's own memory (heap + Buffers) is the sharp test: holding the file would add its 28 MB.
  const jsGrowth = large.peakJsMb - small.peakJsMb;
  assert.ok(jsGrowth < 14, `JS memory grew by ${jsGrowth} MB (${small.peakJsMb} → ${large.peakJsMb}) for 28 MB more input`);
  // RSS also counts SQLite's cache and allocator slack, which vary with load on a shared machine: a looser bound.
  const growth = large.peakRssMb - small.peakRssMb;
  assert.ok(growth < 40, `peak RSS grew by ${growth} MB (${small.peakRssMb} → ${large.peakRssMb}) for 28 MB more input`);
});
