/**
 * The write path (issue 15.5), each figure next to bare servers measured in the same run:
 *
 *   post-group-commit  POST /comments (unique form comments, answered 303) at 16 and 32 connections
 *                      against the bare node:http + better-sqlite3 server with synchronous=FULL (a
 *                      sync per insert, on the event loop) and with synchronous=NORMAL (no sync at all).
 *   mixed-write-read   16 connections posting to one thread while 16 read another: the readers' p50
 *                      and p99 for Backtalk and the bare FULL and NORMAL servers, and the same readers alone.
 *   store-group-commit the store alone, in-process, before and after group commit (store-group-commit.ts).
 *
 * Targets (issue 15): POST ≥ 1.0× bare FULL and ≥ 0.35× bare NORMAL; mixed readers' p99 < 10 ms.
 * A target missed is reported among the figures (`… meets target (1 = yes)`), not as a problem:
 * problems are for wrong answers and misbehaving servers.
 */
import { mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { Request } from 'autocannon';
import type { ServerProcess } from './children.js';
import { startCpuAccounting } from './cpu.js';
import type { RequestRecipe } from './load-thread.js';
import { runLoad, runLoadsTogether, type LoadResult } from './measure.js';
import { probeArgs, readProbe, type ProbeLine } from './probe.js';
import { SITE, TARGET, seed, startSide, type SideName } from './sides.js';
import { storeGroupCommit } from './store-group-commit.js';
import type { StressContext, StressResult, StressScenario } from './stress.js';

type Variant = { label: string; side: SideName; env: Record<string, string> };

const BARE_FULL: Variant = { label: 'bare FULL', side: 'baseline', env: { BASELINE_SYNCHRONOUS: 'FULL' } };
const BARE_NORMAL: Variant = { label: 'bare NORMAL', side: 'baseline', env: { BASELINE_SYNCHRONOUS: 'NORMAL' } };
const BACKTALK: Variant = { label: 'backtalk', side: 'backtalk', env: {} };

const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded' };
/** The posters' thread: not the one the readers read (issue 15: "readers of another thread"). */
const WRITE_TARGET = `${SITE}/bench/write-path`;
const runTag = Date.now().toString(36);
let counter = 0;

let lists = 0;

/**
 * Unique form comments to `target`, numbered within the list under `tag`: a new tag per list keeps
 * bodies unique across lists and across load threads (each loads this module afresh, so the tag of
 * a thread's list is made here, not there). Exported for runLoadsTogether's recipes.
 */
export function postComments(target: string, tag = `${runTag}-l${++lists}`): Request[] {
  let sent = 0;
  return [{
    method: 'POST',
    path: '/comments',
    headers: FORM_HEADERS,
    setupRequest: (req) => {
      sent += 1;
      return {
        ...req,
        body: new URLSearchParams({
          target, author: 'Bench Writer', email: 'writer@mail.example',
          body: `Write-path comment ${tag}-${sent}: a short plain-text reply, no links, posted by the load generator.`,
        }).toString(),
      };
    },
  }];
}

export const readThread = (): Request[] => [{ method: 'GET', path: `/api/comments?target=${encodeURIComponent(TARGET)}` }];

/** Recipes of the two request lists, for loads on their own threads (measure.ts, runLoadsTogether). */
const recipes = {
  posts: (target: string): RequestRecipe => ({ module: import.meta.url, name: 'postComments', args: [target, `${runTag}-l${++lists}`] }),
  reads: (): RequestRecipe => ({ module: import.meta.url, name: 'readThread', args: [] }),
};

const round = (n: number, digits = 2) => Number(n.toFixed(digits));

/** `probeFile`: load server-probe.ts into the server, with its event-loop delay monitor. */
async function withServer<T>(
  ctx: StressContext, name: string, variant: Variant, run: (server: ServerProcess) => Promise<T>, probeFile?: string,
): Promise<T> {
  const dir = join(ctx.tmp, `${name}-${variant.label.replace(/\W+/g, '-')}-${++counter}`);
  mkdirSync(dir, { recursive: true });
  const probe = probeFile === undefined ? undefined : probeArgs(ctx.root, probeFile, true);
  const profile: string[] = [];
  if (ctx.cpuProfDir && variant.side === 'backtalk') {
    mkdirSync(ctx.cpuProfDir, { recursive: true });
    profile.push('--cpu-prof', `--cpu-prof-dir=${ctx.cpuProfDir}`);
  }
  const server = await startSide(variant.side, ctx.root, dir, [...profile, ...probe?.nodeArgs ?? []], { ...variant.env, ...probe?.env });
  try {
    await seed(variant.side, server.url);
    return await run(server);
  } finally {
    await server.stop();
  }
}

function loadProblems(where: string, load: LoadResult): string[] {
  return load.errors > 0 ? [`${where}: ${load.errors} errors of ${load.totalResponses} responses; statuses ${JSON.stringify(load.statusCounts)}`] : [];
}

const postGroupCommit: StressScenario = {
  name: 'post-group-commit',
  description: 'POST /comments (unique form comments, 303) at 16 and 32 connections: Backtalk against bare node:http + better-sqlite3 with synchronous=FULL and with synchronous=NORMAL',
  async run(ctx) {
    const figures: Record<string, number> = {};
    const problems: string[] = [];
    for (const connections of [16, 32]) {
      const rate: Record<string, number> = {};
      for (const variant of [BARE_FULL, BARE_NORMAL, BACKTALK]) {
        await withServer(ctx, 'post', variant, async (server) => {
          await runLoad(server.url, postComments(WRITE_TARGET), { connections, duration: 1 }, 303);
          const stopCpu = startCpuAccounting(server.pid, cpus().length);
          const load = await runLoad(server.url, postComments(WRITE_TARGET), { connections, duration: ctx.duration }, 303);
          const cpu = stopCpu();
          const key = `c${connections} ${variant.label}`;
          rate[variant.label] = load.requestsPerSec;
          figures[`${key} req/s`] = load.requestsPerSec;
          figures[`${key} p50`] = load.latencyMs.p50;
          figures[`${key} p99`] = load.latencyMs.p99;
          figures[`${key} server CPUs`] = cpu.server;
          figures[`${key} other processes' CPUs`] = cpu.others;
          problems.push(...loadProblems(key, load));
          ctx.say(`[post-group-commit] ${key}: ${load.requestsPerSec} req/s, p50 ${load.latencyMs.p50} ms, p99 ${load.latencyMs.p99} ms; CPUs: server ${cpu.server}, others ${cpu.others}`);
        });
      }
      const vsFull = round((rate.backtalk ?? 0) / (rate['bare FULL'] || 1), 3);
      const vsNormal = round((rate.backtalk ?? 0) / (rate['bare NORMAL'] || 1), 3);
      figures[`c${connections} backtalk / bare FULL (×)`] = vsFull;
      figures[`c${connections} backtalk / bare NORMAL (×)`] = vsNormal;
      figures[`c${connections} meets targets ≥1.0× FULL and ≥0.35× NORMAL (1 = yes)`] = vsFull >= 1 && vsNormal >= 0.35 ? 1 : 0;
    }
    return { name: this.name, description: this.description, figures, problems };
  },
};

/**
 * The readers' and the writers' load each run on a thread of their own (runLoadsTogether): on one
 * thread, a reader's response that arrives while the writers' client is busy is timed late, and the
 * readers' p99 counts the load generator's stalls (bare servers showed 19–34 ms that way). The old
 * arrangement — both loads on the bench's thread — is measured too, on the same server right after,
 * so the figures show what the client itself adds. The server's event-loop delay (1 ms timer
 * resolution, server-probe.ts) is read over each load.
 */
const mixedWriteRead: StressScenario = {
  name: 'mixed-write-read',
  description: `16 connections posting comments to one thread while 16 read another (100 comments), each load on its own client thread: ` +
    `readers' latency and the server's event-loop delay for Backtalk and the bare FULL and NORMAL servers, the same readers alone, ` +
    `and the same mixed load with both clients on one thread (the old arrangement)`,
  async run(ctx): Promise<StressResult> {
    const figures: Record<string, number> = {};
    const problems: string[] = [];
    for (const variant of [BARE_FULL, BARE_NORMAL, BACKTALK]) {
      const probeFile = join(ctx.tmp, `mixed-probe-${variant.label.replace(/\W+/g, '-')}.jsonl`);
      await withServer(ctx, 'mixed', variant, async (server) => {
        const key = variant.label;
        const probeLine = async (): Promise<ProbeLine & { loopDelayMs: NonNullable<ProbeLine['loopDelayMs']> }> => {
          const line = await readProbe(server.pid, probeFile);
          if (!line?.loopDelayMs) throw new Error(`${key}: the server probe did not answer`);
          return line as ProbeLine & { loopDelayMs: NonNullable<ProbeLine['loopDelayMs']> };
        };
        const loopDelay = async () => (await probeLine()).loopDelayMs;
        // Warm-up of both request kinds (JIT, caches), so neither arrangement below meets a cold POST path.
        await runLoad(server.url, readThread(), { connections: 16, duration: 1 }, 200);
        await runLoad(server.url, postComments(WRITE_TARGET), { connections: 16, duration: 1 }, 303);
        await loopDelay(); // reset
        const alone = await runLoad(server.url, readThread(), { connections: 16, duration: ctx.duration }, 200);
        const aloneLoop = await loopDelay();
        // Counted from when the loads start, not while the threads load their modules. The profile's clock
        // is the monotonic one of process.hrtime, in µs: windowStart/End mark the mixed load in it.
        let stopCpu = () => startCpuAccounting(server.pid, cpus().length)();
        let windowStart = 0n;
        const [readers, writers] = await runLoadsTogether([
          { url: server.url, recipe: recipes.reads(), params: { connections: 16, duration: ctx.duration }, expectStatus: 200 },
          { url: server.url, recipe: recipes.posts(WRITE_TARGET), params: { connections: 16, duration: ctx.duration }, expectStatus: 303 },
        ], () => {
          stopCpu = startCpuAccounting(server.pid, cpus().length);
          windowStart = process.hrtime.bigint() / 1000n;
          // Starts the server's loop-delay and GC counts afresh (the probe writes a line we do not wait
          // for): what the measured window holds, not the load threads' start-up and warm-up before it.
          process.kill(server.pid, 'SIGUSR2');
        }) as [LoadResult, LoadResult];
        const cpu = stopCpu();
        const windowEnd = process.hrtime.bigint() / 1000n;
        const mixedLine = await probeLine();
        const mixedLoop = mixedLine.loopDelayMs;
        if (ctx.cpuProfDir && variant.side === 'backtalk') {
          ctx.say(`[mixed-write-read] ${key}: the mixed load (threads) is µs ${windowStart}–${windowEnd} of the profile's clock: ` +
            `node --import tsx bench/loop-stalls.ts ${ctx.cpuProfDir}/CPU.….cpuprofile ${windowStart} ${windowEnd}`);
        }
        // The old arrangement, for comparison: both loads on this thread.
        const stopOneCpu = startCpuAccounting(server.pid, cpus().length);
        const [oneReaders, oneWriters] = await Promise.all([
          runLoad(server.url, readThread(), { connections: 16, duration: ctx.duration }, 200),
          runLoad(server.url, postComments(WRITE_TARGET), { connections: 16, duration: ctx.duration }, 303),
        ]);
        const oneCpu = stopOneCpu();
        const oneLoop = await loopDelay();
        figures[`${key} readers alone p99`] = alone.latencyMs.p99;
        figures[`${key} readers alone req/s`] = alone.requestsPerSec;
        figures[`${key} loop delay alone p99`] = aloneLoop.p99;
        figures[`${key} readers p50`] = readers.latencyMs.p50;
        figures[`${key} readers p99`] = readers.latencyMs.p99;
        figures[`${key} readers req/s`] = readers.requestsPerSec;
        figures[`${key} writers req/s`] = writers.requestsPerSec;
        figures[`${key} writers p99`] = writers.latencyMs.p99;
        figures[`${key} loop delay p99`] = mixedLoop.p99;
        figures[`${key} loop delay max`] = mixedLoop.max;
        figures[`${key} major GCs`] = mixedLine.gc.major;
        figures[`${key} major GC ms`] = mixedLine.gc.majorMs;
        figures[`${key} minor GCs`] = mixedLine.gc.minor;
        figures[`${key} minor GC ms`] = mixedLine.gc.minorMs;
        figures[`${key} server CPUs`] = cpu.server;
        figures[`${key} load generator CPUs`] = cpu.loadGenerator;
        figures[`${key} other processes' CPUs`] = cpu.others;
        figures[`${key} one client thread: readers p99`] = oneReaders.latencyMs.p99;
        figures[`${key} one client thread: readers req/s`] = oneReaders.requestsPerSec;
        figures[`${key} one client thread: writers req/s`] = oneWriters.requestsPerSec;
        figures[`${key} one client thread: loop delay p99`] = oneLoop.p99;
        figures[`${key} one client thread: server CPUs`] = oneCpu.server;
        figures[`${key} one client thread: load generator CPUs`] = oneCpu.loadGenerator;
        problems.push(...loadProblems(`${key} readers alone`, alone), ...loadProblems(`${key} readers`, readers), ...loadProblems(`${key} writers`, writers),
          ...loadProblems(`${key} readers (one client thread)`, oneReaders), ...loadProblems(`${key} writers (one client thread)`, oneWriters));
        ctx.say(`[mixed-write-read] ${key}: readers p50 ${readers.latencyMs.p50} ms, p99 ${readers.latencyMs.p99} ms (alone: p99 ${alone.latencyMs.p99} ms), ` +
          `${readers.requestsPerSec} reads/s and ${writers.requestsPerSec} writes/s; server loop delay p99 ${mixedLoop.p99} ms, max ${mixedLoop.max} ms, ` +
          `GC ${mixedLine.gc.major} major (${mixedLine.gc.majorMs} ms), ${mixedLine.gc.minor} minor (${mixedLine.gc.minorMs} ms) ` +
          `(alone: p99 ${aloneLoop.p99} ms); CPUs: server ${cpu.server}, load generator ${cpu.loadGenerator}, others ${cpu.others}; ` +
          `both clients on one thread: readers p99 ${oneReaders.latencyMs.p99} ms, ${oneReaders.requestsPerSec} reads/s, ${oneWriters.requestsPerSec} writes/s, ` +
          `loop delay p99 ${oneLoop.p99} ms, CPUs: server ${oneCpu.server}, load generator ${oneCpu.loadGenerator}`);
      }, probeFile);
    }
    figures['backtalk meets target readers p99 < 10 ms (1 = yes)'] = (figures['backtalk readers p99'] ?? Infinity) < 10 ? 1 : 0;
    return { name: this.name, description: this.description, figures, problems };
  },
};

export const WRITE_PATH: readonly StressScenario[] = [postGroupCommit, mixedWriteRead, storeGroupCommit];
