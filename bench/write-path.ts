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
import { runLoad, type LoadResult } from './measure.js';
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

function postComments(target: string): Request[] {
  return [{
    method: 'POST',
    path: '/comments',
    headers: FORM_HEADERS,
    setupRequest: (req) => {
      counter += 1;
      return {
        ...req,
        body: new URLSearchParams({
          target, author: 'Bench Writer', email: 'writer@mail.example',
          body: `Write-path comment ${runTag}-${counter}: a short plain-text reply, no links, posted by the load generator.`,
        }).toString(),
      };
    },
  }];
}

const readThread = (): Request[] => [{ method: 'GET', path: `/api/comments?target=${encodeURIComponent(TARGET)}` }];

const round = (n: number, digits = 2) => Number(n.toFixed(digits));

async function withServer<T>(ctx: StressContext, name: string, variant: Variant, run: (server: ServerProcess) => Promise<T>): Promise<T> {
  const dir = join(ctx.tmp, `${name}-${variant.label.replace(/\W+/g, '-')}-${++counter}`);
  mkdirSync(dir, { recursive: true });
  const server = await startSide(variant.side, ctx.root, dir, [], variant.env);
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

const mixedWriteRead: StressScenario = {
  name: 'mixed-write-read',
  description: `16 connections posting comments to one thread while 16 read another (100 comments): readers' latency for Backtalk and the bare FULL and NORMAL servers, and the same readers alone`,
  async run(ctx): Promise<StressResult> {
    const figures: Record<string, number> = {};
    const problems: string[] = [];
    for (const variant of [BARE_FULL, BARE_NORMAL, BACKTALK]) {
      await withServer(ctx, 'mixed', variant, async (server) => {
        const key = variant.label;
        await runLoad(server.url, readThread(), { connections: 16, duration: 1 }, 200);
        const alone = await runLoad(server.url, readThread(), { connections: 16, duration: ctx.duration }, 200);
        const stopCpu = startCpuAccounting(server.pid, cpus().length);
        const [readers, writers] = await Promise.all([
          runLoad(server.url, readThread(), { connections: 16, duration: ctx.duration }, 200),
          runLoad(server.url, postComments(WRITE_TARGET), { connections: 16, duration: ctx.duration }, 303),
        ]);
        const cpu = stopCpu();
        figures[`${key} readers alone p99`] = alone.latencyMs.p99;
        figures[`${key} readers alone req/s`] = alone.requestsPerSec;
        figures[`${key} readers p50`] = readers.latencyMs.p50;
        figures[`${key} readers p99`] = readers.latencyMs.p99;
        figures[`${key} readers req/s`] = readers.requestsPerSec;
        figures[`${key} writers req/s`] = writers.requestsPerSec;
        figures[`${key} writers p99`] = writers.latencyMs.p99;
        figures[`${key} other processes' CPUs`] = cpu.others;
        problems.push(...loadProblems(`${key} readers alone`, alone), ...loadProblems(`${key} readers`, readers), ...loadProblems(`${key} writers`, writers));
        ctx.say(`[mixed-write-read] ${key}: readers p50 ${readers.latencyMs.p50} ms, p99 ${readers.latencyMs.p99} ms (alone: p99 ${alone.latencyMs.p99} ms), ` +
          `${readers.requestsPerSec} reads/s and ${writers.requestsPerSec} writes/s; CPUs: server ${cpu.server}, others ${cpu.others}`);
      });
    }
    figures['backtalk meets target readers p99 < 10 ms (1 = yes)'] = (figures['backtalk readers p99'] ?? Infinity) < 10 ? 1 : 0;
    return { name: this.name, description: this.description, figures, problems };
  },
};

export const WRITE_PATH: readonly StressScenario[] = [postGroupCommit, mixedWriteRead, storeGroupCommit];
