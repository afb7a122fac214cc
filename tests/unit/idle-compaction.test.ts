/**
 * Idle compaction (src/lib/idle-compaction.ts): after a burst, once the loop is idle, one
 * compacting GC gives V8's sparse pages back; while the loop is busy it never runs; without `gc`
 * (node without --expose-gc) it does nothing. Real V8 heaps, in a child process started with
 * --expose-gc as `npm start` does.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { startIdleCompaction } from '../../src/lib/idle-compaction.js';

const CHILD = fileURLToPath(new URL('../helpers/idle-compaction-child.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const MiB = 1024 * 1024;

test('once idle after a burst, one compacting GC hands the sparse pages back; none while busy; live objects kept', { timeout: 60_000 }, async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', TSX, CHILD]);
  const result = JSON.parse(stdout) as { beforeCommitted: number; beforeUsed: number; afterCommitted: number; duringBusy: number; count: number; released: number; kept: number; sum: number };
  // The premise: ordinary full GCs freed the objects but kept their pages (a third of each is live,
  // below what V8 evacuates on its own).
  assert.ok(result.beforeCommitted - result.beforeUsed > 6 * MiB,
    `after a plain gc() V8 still held ${(result.beforeCommitted / MiB).toFixed(1)} MiB for ${(result.beforeUsed / MiB).toFixed(1)} MiB live`);
  assert.equal(result.duringBusy, 0, 'no compaction while the loop was busy');
  assert.equal(result.count, 1, 'one compaction once idle, none after (the slack was gone)');
  assert.equal(result.released, 1, 'the other caches (the store\'s) were released with it');
  const slackBefore = result.beforeCommitted - result.beforeUsed;
  assert.ok(result.afterCommitted - result.beforeUsed < slackBefore / 2,
    `committed heap ${(result.beforeCommitted / MiB).toFixed(1)} → ${(result.afterCommitted / MiB).toFixed(1)} MiB for ${(result.beforeUsed / MiB).toFixed(1)} MiB live: less than half the slack given back`);
  assert.equal(result.kept, 300_000);
  assert.equal(result.sum, 3 * (299_999 * 300_000) / 2, 'the live objects survived the move intact');
});

test('without gc (node started without --expose-gc) nothing is compacted', async () => {
  const compaction = startIdleCompaction({ gc: undefined, windowMs: 5, minSlackBytes: 0 });
  await new Promise((resolve) => setTimeout(resolve, 50));
  compaction.stop();
  assert.equal(compaction.count, 0);
});
