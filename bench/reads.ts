/**
 * Benches of issue 15.5 for the read side, run like the stress scenarios (one Backtalk, figures
 * compared within the same run):
 *
 * - `compressed-get`: GET /api/comments of the seeded 100-comment thread uncompressed, with br and with
 *   gzip, in alternating rounds on one server, so a busy machine moves all three alike. Targets: the
 *   compressed rate at least 0.9× the uncompressed one, the compressed body at most ¼ of its size.
 * - `rss-after-load`: one Backtalk through the load of every scenario that needs no linking pages
 *   (bench/scenarios.ts) and the compressed GETs, then idle for a moment: its resident memory then and
 *   its peak. Target: under 100 MB after the load.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Request } from 'autocannon';
import type { ServerProcess } from './children.js';
import { runLoad } from './measure.js';
import { probeArgs, readProbe, rssParts } from './probe.js';
import { SCENARIOS } from './scenarios.js';
import { SEED_COMMENTS, seed, startSide, TARGET } from './sides.js';
import type { StressContext, StressResult, StressScenario } from './stress.js';

const commentsPath = `/api/comments?target=${encodeURIComponent(TARGET)}`;
/** What Chrome and Firefox send (over HTTPS; zstd is not offered by Backtalk and is ignored). */
const BROWSER_ACCEPT = 'gzip, deflate, br, zstd';
const MODES = {
  identity: {},
  br: { 'accept-encoding': BROWSER_ACCEPT },
  gzip: { 'accept-encoding': 'gzip, deflate' },
} as const satisfies Record<string, Record<string, string>>;
type Mode = keyof typeof MODES;

const round = (n: number, digits = 2) => Number(n.toFixed(digits));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function withServer<T>(ctx: StressContext, name: string, run: (server: ServerProcess, dir: string) => Promise<T>, probeFile?: string): Promise<T> {
  const dir = join(ctx.tmp, `reads-${name}`);
  mkdirSync(dir, { recursive: true });
  const probe = probeFile === undefined ? undefined : probeArgs(ctx.root, probeFile, false);
  const server = await startSide('backtalk', ctx.root, dir, probe?.nodeArgs, probe?.env);
  try {
    await seed('backtalk', server.url);
    return await run(server, dir);
  } finally {
    await server.stop();
  }
}

/** One GET over node:http (which, unlike fetch, leaves the body compressed): status, coding and body bytes. */
function probe(url: string, headers: Record<string, string>): Promise<{ status: number; coding: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url + commentsPath, { headers }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, coding: String(res.headers['content-encoding'] ?? 'identity'), bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const getWith = (mode: Mode): Request[] => [{ method: 'GET', path: commentsPath, headers: { ...MODES[mode] } }];

async function compressedGet(ctx: StressContext): Promise<StressResult> {
  const description = `GET /api/comments of ${SEED_COMMENTS} comments uncompressed, with br (Accept-Encoding: ${BROWSER_ACCEPT}) ` +
    'and with gzip, alternating rounds on one server; targets: compressed ≥ 0.9× the uncompressed rate, body ≤ ¼ the size';
  return withServer(ctx, 'compressed-get', async (server) => {
    const problems: string[] = [];
    const figures: Record<string, number> = {};
    const sizes: Partial<Record<Mode, number>> = {};
    for (const mode of Object.keys(MODES) as Mode[]) {
      const res = await probe(server.url, MODES[mode]);
      if (res.status !== 200 || res.coding !== mode) problems.push(`${mode}: the probe answered ${res.status} with coding ${res.coding}`);
      sizes[mode] = res.bytes;
    }
    for (const mode of Object.keys(MODES) as Mode[]) {
      // Warm-up: the JIT, and the one compression per coding of this thread version.
      await runLoad(server.url, getWith(mode), { connections: ctx.connections, duration: 1 }, 200);
    }
    const rounds = 2;
    const seconds = Math.max(1, Math.round(ctx.duration / rounds));
    const totals: Record<Mode, { responses: number; seconds: number; p99: number }> = {
      identity: { responses: 0, seconds: 0, p99: 0 }, br: { responses: 0, seconds: 0, p99: 0 }, gzip: { responses: 0, seconds: 0, p99: 0 },
    };
    for (let r = 0; r < rounds; r++) {
      for (const mode of Object.keys(MODES) as Mode[]) {
        const load = await runLoad(server.url, getWith(mode), { connections: ctx.connections, duration: seconds }, 200);
        if (load.errors > 0) problems.push(`${mode} round ${r + 1}: ${load.errors} errors, statuses ${JSON.stringify(load.statusCounts)}`);
        totals[mode].responses += load.totalResponses;
        totals[mode].seconds += load.durationSec;
        totals[mode].p99 = Math.max(totals[mode].p99, load.latencyMs.p99);
        ctx.say(`[compressed-get] round ${r + 1} ${mode}: ${load.requestsPerSec} req/s, p99 ${load.latencyMs.p99} ms`);
      }
    }
    const rate = (mode: Mode) => totals[mode].responses / Math.max(totals[mode].seconds, 1e-9);
    for (const mode of Object.keys(MODES) as Mode[]) {
      figures[`${mode} (req/s)`] = round(rate(mode), 0);
      figures[`${mode} p99`] = totals[mode].p99;
      figures[`${mode} body (bytes)`] = sizes[mode] ?? 0;
    }
    for (const mode of ['br', 'gzip'] as const) {
      figures[`${mode} ÷ identity rate (ratio)`] = round(rate(mode) / rate('identity'), 3);
      figures[`${mode} ÷ identity body size (ratio)`] = round((sizes[mode] ?? 0) / (sizes.identity || 1), 3);
      // Deterministic, unlike the rate: a body over a quarter means compression is off or broken.
      if ((sizes[mode] ?? 0) * 4 > (sizes.identity ?? 0)) problems.push(`${mode} body ${sizes[mode]} B is more than ¼ of ${sizes.identity} B`);
    }
    return { name: 'compressed-get', description, figures, problems };
  });
}

function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

const mib = (bytes: number) => round(bytes / 1024 / 1024, 1);

/** Where the resident memory is (smaps) and what V8 holds of it (the probe): figures "… when (MiB)". */
async function breakdown(pid: number, probeFile: string, when: string, figures: Record<string, number>): Promise<void> {
  const parts = rssParts(pid);
  const probe = await readProbe(pid, probeFile);
  if (parts) {
    figures[`RSS node binary ${when} (MiB)`] = round(parts.nodeBinary / 1024, 1);
    figures[`RSS other files ${when} (MiB)`] = round(parts.otherFiles / 1024, 1);
    figures[`RSS malloc brk heap ${when} (MiB)`] = round(parts.brkHeap / 1024, 1);
    figures[`RSS anonymous mappings ${when} (MiB)`] = round(parts.anonymous / 1024, 1);
    figures[`threads ${when}`] = parts.threads;
  }
  if (probe) {
    figures[`V8 heap committed ${when} (MiB)`] = mib(probe.memory.heapTotal);
    figures[`V8 heap used ${when} (MiB)`] = mib(probe.memory.heapUsed);
    figures[`V8 external ${when} (MiB)`] = mib(probe.memory.external);
    if (probe.v8Malloced !== undefined) figures[`V8 malloced ${when} (MiB)`] = mib(probe.v8Malloced);
    for (const [space, { size }] of Object.entries(probe.heapSpaces)) {
      if (size >= 1024 * 1024) figures[`V8 ${space} ${when} (MiB)`] = mib(size);
    }
  }
}

async function rssAfterLoad(ctx: StressContext): Promise<StressResult> {
  const scenarios = SCENARIOS.filter((s) => !s.needsSources);
  const description = `RSS of one Backtalk after the load of ${scenarios.map((s) => s.name).join(', ')} and compressed GETs ` +
    `(${ctx.connections} connections, ${ctx.duration} s each), then 2 s idle; target under 100 MB`;
  const probeFile = join(ctx.tmp, 'rss-probe.jsonl');
  return withServer(ctx, 'rss', async (server) => {
    const problems: string[] = [];
    const figures: Record<string, number> = {};
    figures['RSS after seeding (MiB)'] = round(statusKiB(server.pid, 'VmRSS') / 1024, 1);
    await breakdown(server.pid, probeFile, 'after seeding', figures);
    const loads: Array<[string, () => Request[], number]> = scenarios.map((s) => [s.name, s.requests.backtalk, s.expectStatus]);
    loads.push(['compressed-get br', () => getWith('br'), 200], ['compressed-get gzip', () => getWith('gzip'), 200]);
    for (const [name, requests, status] of loads) {
      const scenario = scenarios.find((s) => s.name === name);
      await scenario?.prepare?.('backtalk', server.url);
      const load = await runLoad(server.url, requests(), { connections: ctx.connections, duration: ctx.duration }, status);
      if (load.errors > 0) problems.push(`${name}: ${load.errors} errors, statuses ${JSON.stringify(load.statusCounts)}`);
      ctx.say(`[rss-after-load] ${name}: ${load.requestsPerSec} req/s; RSS now ${round(statusKiB(server.pid, 'VmRSS') / 1024, 1)} MiB`);
    }
    await sleep(2000);
    figures['RSS after the load (MiB)'] = round(statusKiB(server.pid, 'VmRSS') / 1024, 1);
    figures['peak RSS (MiB)'] = round(statusKiB(server.pid, 'VmHWM') / 1024, 1);
    await breakdown(server.pid, probeFile, 'after the load', figures);
    // The target is read 2 s after the load (above). Idle threads (worker lanes, the checkpoint
    // thread) end 5 s after their last task, so these later readings show what an idle server keeps.
    await sleep(8000);
    figures['RSS after 10 s idle (MiB)'] = round(statusKiB(server.pid, 'VmRSS') / 1024, 1);
    figures['threads after 10 s idle'] = rssParts(server.pid)?.threads ?? 0;
    // V8's memory reducer gives back heap pages some seconds into an idle spell.
    await sleep(20000);
    figures['RSS after 30 s idle (MiB)'] = round(statusKiB(server.pid, 'VmRSS') / 1024, 1);
    figures['threads after 30 s idle'] = rssParts(server.pid)?.threads ?? 0;
    return { name: 'rss-after-load', description, figures, problems };
  }, probeFile);
}

export const READ_BENCHES: readonly StressScenario[] = [
  { name: 'compressed-get', description: 'compressed against uncompressed GET /api/comments in one run', run: compressedGet },
  { name: 'rss-after-load', description: 'resident memory of one server after every scenario', run: rssAfterLoad },
];
