#!/usr/bin/env node
// Runs the tests on node's built-in test runner (TypeScript through tsx).
//
//   npm test                 every tests/**/*.test.ts, one process per file (what CI runs)
//   npm run test:fast        the quick loop: unit, protocol and in-process HTTP tests (FAST below),
//                            all in one process so tsx and the app's modules load once
//   node scripts/run-tests.mjs FILE…   just those files, one process per file
//
// Node 20's --test does not expand globs itself, so the files are listed here.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The quick loop: folders of tests that run in this process against in-process servers on
 * loopback, minus the files that start other processes, wait out real timeouts or need a browser,
 * PostgreSQL, Python or curl. Everything else (browser, crash, fuzz, multi, process, cli, store,
 * import, notify's process test…) runs only in `npm test`.
 */
const FAST_FOLDERS = ['unit', 'protocols', 'linkback', 'workers', 'fetch', 'http', 'trackback', 'pingback', 'webmention', 'widget', 'feeds', 'spam'];
const NOT_FAST = new Set([
  'tests/http/store-busy.test.ts', // a second process holds the database lock
  'tests/http/metrics.test.ts', // starts the server as a process for the metrics port
  'tests/pingback/python-client.test.ts', // Python's xmlrpc.client as the sender
  'tests/pingback/faults-source.test.ts', // waits out fetch timeouts against silent sources
  'tests/trackback/trackback-http.test.ts', // curl as the sender
  'tests/webmention/crash.test.ts', // kills a server process
  'tests/widget/size.test.ts', // builds and gzips the bundles
]);

function findTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return findTests(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

export function fastTests() {
  return FAST_FOLDERS.flatMap((folder) => findTests(join('tests', folder))).filter((f) => !NOT_FAST.has(f)).sort();
}

const args = process.argv.slice(2);
const fast = args[0] === '--fast';
if (fast) args.shift();

/**
 * The fast files in SHARDS processes at once, each importing its share (load-tests.mjs) so tsx and
 * the app load once per process, not once per file. The tests mostly wait on sockets and timers, so
 * four processes finish in about a quarter of the time even on two cores. Each shard's report is
 * printed whole when it ends; the exit code is non-zero when any shard failed.
 */
const SHARDS = 4;

async function runFast(extraArgs) {
  // Greedy by file size, largest first: about as many tests in each shard.
  const shards = Array.from({ length: SHARDS }, () => ({ files: [], weight: 0 }));
  const bySize = fastTests().map((f) => ({ f, size: statSync(f).size })).sort((a, b) => b.size - a.size);
  for (const { f, size } of bySize) {
    const lightest = shards.reduce((a, b) => (b.weight < a.weight ? b : a));
    lightest.files.push(f);
    lightest.weight += size;
  }
  const runs = shards.filter((s) => s.files.length > 0).map((shard, i) => new Promise((done) => {
    // A file, not `-e`: worker threads inherit the process's flags, and `--input-type` would stop them.
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/load-tests.mjs', ...shard.files.sort(), ...extraArgs], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => {
      process.stdout.write(`\n# ---- shard ${i + 1} of ${SHARDS}: ${shard.files.join(' ')}\n${out}`);
      done(code ?? 1);
    });
  }));
  const codes = await Promise.all(runs);
  const failed = codes.filter((c) => c !== 0).length;
  process.stdout.write(`\n# test:fast: ${codes.length - failed} of ${codes.length} shards passed\n`);
  return { status: failed === 0 ? 0 : 1 };
}

let result;
if (fast) {
  result = await runFast(args);
} else {
  // The browser tests and the size test need the widget bundles; build them when missing or stale.
  const { ensureWidgetBuilt } = await import('./build-widget.mjs');
  await ensureWidgetBuilt();
  const files = args.length > 0 ? args : findTests('tests').sort();
  result = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...files], { stdio: 'inherit' });
}
process.exit(result.status ?? 1);
