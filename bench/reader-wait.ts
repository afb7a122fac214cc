/**
 * How much comment work a reader waits behind (src/http/write-admission.ts), measured inside the
 * server: the comment pipelines started in the reader's turn of the event loop before its request
 * was taken (a count, which other load on this shared machine does not move), and the time from
 * the turn's first event to the reader's. The server runs in this process (src as it is, through tsx); a child process runs
 * the mixed load of bench/write-path.ts (16 connections posting, 16 reading a 100-comment thread).
 * Each run is made with the admission at 4 per turn and with a limit nobody reaches, back to back.
 *
 *   node --import tsx bench/reader-wait.ts [seconds=3] [rounds=2]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createRequestListener } from '../src/app.js';
import { loadConfig, resolveRuntimeConfig } from '../src/config.js';
import { createLogger } from '../src/lib/logger.js';
import { openStore } from '../src/store/open-store.js';
import type { Pipeline } from '../src/pipeline/receive.js';
import { createDeps } from '../src/wiring.js';
import { runLoad } from './measure.js';
import { seed, SITE, TARGET } from './sides.js';

const WRITE_TARGET = `${SITE}/bench/write-path`;

async function loadChild(url: string, seconds: number): Promise<void> {
  let n = 0;
  const tag = Date.now().toString(36);
  const [readers, writers] = await Promise.all([
    runLoad(url, [{ method: 'GET', path: `/api/comments?target=${encodeURIComponent(TARGET)}` }], { connections: 16, duration: seconds }, 200),
    runLoad(url, [{
      method: 'POST', path: '/comments', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      setupRequest: (req) => ({ ...req, body: new URLSearchParams({ target: WRITE_TARGET, author: 'Bench Writer', body: `Reader-wait comment ${tag}-${++n}: a short reply.` }).toString() }),
    }], { connections: 16, duration: seconds }, 303),
  ]);
  process.stdout.write(JSON.stringify({ readerP99: readers.latencyMs.p99, readerP50: readers.latencyMs.p50, reads: readers.requestsPerSec, writes: writers.requestsPerSec, errors: readers.errors + writers.errors }));
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

async function run(writesPerTurn: number, seconds: number): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'backtalk-reader-wait-'));
  const config = loadConfig({ BACKTALK_PORT: '0', BACKTALK_DB: join(dir, 'bench.db'), BACKTALK_SITES: SITE, BACKTALK_RATE_LIMIT: '0', BACKTALK_LOG_LEVEL: 'warn', BACKTALK_ADMIN_TOKEN: 'bench-admin-token-0123456789' });
  const store = await openStore(config.dbPath);
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const runtime = resolveRuntimeConfig(config, (server.address() as AddressInfo).port);
  const deps = await createDeps(runtime, store, createLogger('warn'));
  let started = 0;
  // The turn of the event loop: reset at each check phase (armed only while requests come, so an
  // idle server does not spin). What a reader waited for is what ran in its turn before it.
  let inTurn = 0;
  let turnStart = 0;
  let armed = false;
  const newTurn = () => {
    armed = false;
    inTurn = 0;
  };
  const touch = () => {
    if (armed) return;
    armed = true;
    turnStart = performance.now();
    setImmediate(newTurn);
  };
  const pipeline: Pipeline = {
    ...deps.pipeline,
    admit: ((s: never) => {
      touch();
      started += 1;
      inTurn += 1;
      return deps.pipeline.admit(s);
    }) as unknown as Pipeline['admit'],
  };
  const listener = createRequestListener({ ...deps, pipeline }, { writesPerTurn });
  const ahead: number[] = [];
  const waited: number[] = [];
  let measuring = false;
  server.on('request', (req, res) => {
    touch();
    if (measuring && req.method === 'GET') {
      ahead.push(inTurn);
      waited.push(performance.now() - turnStart);
    }
    listener(req, res);
  });
  const url = `http://127.0.0.1:${runtime.port}`;
  await seed('backtalk', url);
  measuring = true;
  const cpu = process.cpuUsage();
  const postsBefore = started;
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'load', url, String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  await new Promise((resolve) => child.once('exit', resolve));
  const used = process.cpuUsage(cpu);
  const posts = started - postsBefore;
  measuring = false;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await deps.worker.stop();
  await deps.notifier.drain();
  await deps.titles.drain();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  const load = JSON.parse(out) as Record<string, number>;
  ahead.sort((a, b) => a - b);
  waited.sort((a, b) => a - b);
  return {
    writesPerTurn, ...load,
    'pipelines started in a reader\'s turn before it p50': pct(ahead, 50), p99: pct(ahead, 99), max: ahead.at(-1) ?? 0,
    'ms of its turn before a reader p50': Number(pct(waited, 50).toFixed(2)), 'ms p99': Number(pct(waited, 99).toFixed(2)),
    'server CPU ms per POST (readers included)': Number(((used.user + used.system) / 1000 / Math.max(1, posts)).toFixed(3)),
  };
}

if (process.argv[2] === 'load') {
  await loadChild(process.argv[3]!, Number(process.argv[4]));
} else {
  const seconds = Number(process.argv[2] ?? 3);
  const rounds = Number(process.argv[3] ?? 2);
  for (let i = 0; i < rounds; i++) {
    for (const k of [4, 1_000_000]) console.log(JSON.stringify(await run(k, seconds)));
  }
  process.exit(0);
}
