/**
 * `node --import tsx bench/slow-flood.ts [--attempts N] [--probes N]`
 *
 * Issue 14, point 7: how a flood of slow-header connections from one address changes the latency of
 * `GET /healthz` for a reader on another address. Starts Backtalk (src/main.ts, its defaults: 32
 * connections per client, 20 s header timeout), measures /healthz from 127.0.0.1 alone, then again
 * while 127.0.0.2 keeps opening slow-header connections (Slowloris: the start of a request, never
 * the end of its headers), up to 200 at a time until the probes are done or `--attempts` were made.
 * Then the same on a server without the per-client cap (BACKTALK_MAX_CONNECTIONS_PER_CLIENT=1000000),
 * to show what the cap buys. Loopback only, bounded in count. The figures are the flooded latencies
 * against the quiet one, measured in the same run; it prints a table and writes
 * bench/results/slow-flood.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { killAllChildren } from './children.js';
import { startSide } from './sides.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { attempts: { type: 'string' }, probes: { type: 'string' } } });
const ATTEMPTS = Math.min(200_000, Math.max(1, Number(values.attempts ?? 100_000)));
const PROBES = Math.min(5_000, Math.max(10, Number(values.probes ?? 300)));
const IN_FLIGHT = 200;

/** One GET /healthz on a new connection from 127.0.0.1; milliseconds, or NaN when it failed. */
function probe(port: number): Promise<number> {
  const start = performance.now();
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/healthz', localAddress: '127.0.0.1', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200 ? performance.now() - start : NaN));
    });
    req.on('error', () => resolve(NaN));
    req.end();
  });
}

async function probeSeries(port: number): Promise<{ p50: number; p99: number; max: number; failed: number }> {
  const times: number[] = [];
  let failed = 0;
  for (let i = 0; i < PROBES; i++) {
    const ms = await probe(port);
    if (Number.isNaN(ms)) failed += 1;
    else times.push(ms);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99), max: times.at(-1) ?? NaN, failed };
}

/**
 * Slowloris from 127.0.0.2: opens connections as fast as up to IN_FLIGHT pending connects allow,
 * keeps every one the server accepts (never finishing its headers), and stops at ATTEMPTS or `stop()`.
 * At most MAX_HELD are held at once, so the load generator itself never runs out of descriptors.
 */
const MAX_HELD = 5_000;
function flood(port: number): { stop(): void; done: Promise<{ attempts: number; closedByServer: number; heldAtMost: number }> } {
  let attempts = 0;
  let closedByServer = 0;
  let pending = 0;
  let heldAtMost = 0;
  let stopping = false;
  const open = new Set<ReturnType<typeof connect>>();
  let finish!: () => void;
  const done = new Promise<{ attempts: number; closedByServer: number; heldAtMost: number }>((resolve) => (finish = () => resolve({ attempts, closedByServer, heldAtMost })));
  const next = (): void => {
    while (!stopping && attempts < ATTEMPTS && pending < IN_FLIGHT && open.size < MAX_HELD) {
      attempts += 1;
      pending += 1;
      let settled = false;
      const settle = () => {
        if (settled) return;
        settled = true;
        pending -= 1;
        setImmediate(next);
      };
      const socket = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
      open.add(socket);
      socket.on('error', () => undefined);
      socket.on('connect', () => {
        socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
        heldAtMost = Math.max(heldAtMost, open.size);
        settle();
      });
      socket.on('close', () => {
        open.delete(socket);
        if (!stopping) closedByServer += 1;
        settle();
        if (stopping && open.size === 0) finish();
      });
    }
  };
  next();
  return {
    done,
    stop() {
      stopping = true;
      if (open.size === 0) finish();
      for (const s of open) s.destroy();
    },
  };
}

type Series = Awaited<ReturnType<typeof probeSeries>>;

/** Quiet probes, then probes under the flood, on a fresh server started with `env`. */
async function measure(env: Record<string, string>): Promise<{ quiet: Series; flooded: Series; attempts: number; closedByServer: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'backtalk-slow-flood-'));
  const server = await startSide('backtalk', root, dataDir, [], env);
  try {
    const port = Number(new URL(server.url).port);
    await probeSeries(port); // warm-up: JIT, SQLite page cache
    const quiet = await probeSeries(port);
    const attack = flood(port);
    // Let the flood take its slots before measuring.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const flooded = await probeSeries(port);
    attack.stop();
    return { quiet, flooded, ...(await attack.done) };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  // The documented defaults, stated here because bench/sides.ts lifts the caps for the load scenarios.
  const capped = await measure({ BACKTALK_MAX_CONNECTIONS_PER_CLIENT: '32', BACKTALK_MAX_CONNECTIONS: '512' });
  const uncapped = await measure({ BACKTALK_MAX_CONNECTIONS_PER_CLIENT: '1000000', BACKTALK_MAX_CONNECTIONS: '512' });
  const result = {
    scenario: 'slow-header flood from 127.0.0.2; GET /healthz from 127.0.0.1 on a new connection each',
    probes: PROBES, defaults: capped, withoutPerClientCap: uncapped,
    p99FloodedOverQuiet: capped.flooded.p99 / capped.quiet.p99,
  };
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'slow-flood.json'), `${JSON.stringify(result, null, 2)}\n`);
  const f = (n: number) => (Number.isNaN(n) ? '—' : n.toFixed(2));
  const row = (label: string, s: Series) => `| ${label} | ${f(s.p50)} | ${f(s.p99)} | ${f(s.max)} | ${s.failed} of ${PROBES} |`;
  process.stdout.write([
    `GET /healthz from 127.0.0.1, ${PROBES} probes per row, a new connection each`,
    '| | p50 ms | p99 ms | max ms | failed |',
    '| --- | --- | --- | --- | --- |',
    row('defaults, quiet', capped.quiet),
    row(`defaults, 127.0.0.2 flooding (${capped.attempts} slow-header connections, ${capped.closedByServer} closed on arrival)`, capped.flooded),
    row('no per-client cap, quiet', uncapped.quiet),
    row(`no per-client cap, 127.0.0.2 flooding (${uncapped.attempts} slow-header connections, ${uncapped.closedByServer} closed or dropped on arrival)`, uncapped.flooded),
    `p99 flooded / quiet (defaults): ${f(result.p99FloodedOverQuiet)}`,
    '',
  ].join('\n'));
}

main().catch((err: unknown) => {
  process.stderr.write(`slow-flood: ${err instanceof Error ? err.stack : String(err)}\n`);
  killAllChildren();
  process.exit(1);
});
