/**
 * `npm run bench [-- --connections N --duration S --warmup S --only NAME[,NAME]]`
 *
 * For each scenario, starts the bare baseline (bench/baseline-server.ts) and then Backtalk
 * (src/main.ts), each as its own child process on a fresh seeded database, loads it with autocannon
 * over loopback, stops it, and writes bench/results/latest.json and latest.md. Exits 1 when any
 * response was an error or a server misbehaved, after writing the results.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { killAllChildren, type ServerProcess } from './children.js';
import { startCpuAccounting } from './cpu.js';
import { runLoad, stopCurrentLoad, type LoadParams } from './measure.js';
import { machineInfo, markdownReport, markdownTable, type Report, type ScenarioResult, type SideResult } from './report.js';
import { SCENARIOS, setSources, type Scenario } from './scenarios.js';
import { STRESS as SHARED_STRESS, type StressResult, type StressScenario } from './stress.js';
import { WRITE_PATH } from './write-path.js';
import { READ_BENCHES } from './reads.js';
import { buildForBench } from './build.js';
import { SEED_COMMENTS, SIDES, seed, startCommand, startFlags, startSide, startSources, useBuild, type SideName } from './sides.js';

/** The stress scenarios, then the write-path and read benches of issue 15.5 (bench/write-path.ts, bench/reads.ts). */
const STRESS: readonly StressScenario[] = [...SHARED_STRESS, ...WRITE_PATH, ...READ_BENCHES];
const root = fileURLToPath(new URL('..', import.meta.url));
const resultsDir = join(root, 'bench', 'results');

const USAGE = `usage: npm run bench -- [--connections N] [--duration SECONDS] [--warmup SECONDS] [--only NAME[,NAME…]] [--cpu-prof] [--tsx]
  --tsx: run the servers' TypeScript under the tsx loader instead of the esbuild-transpiled JavaScript
  --cpu-prof: run Backtalk with node --cpu-prof; profiles go to bench/results/profiles/<scenario>/
  (summarize one with: node --import tsx bench/profile-summary.ts FILE.cpuprofile)
scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}
stress scenarios (quiet against stressed, in the same run): ${STRESS.map((s) => s.name).join(', ')}`;

interface Options extends LoadParams {
  warmup: number;
  cpuProf: boolean;
  tsx: boolean;
  scenarios: Scenario[];
  stress: StressScenario[];
}

function numberOption(raw: string | undefined, name: string, fallback: number, min: number, max: number, integer: boolean): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new Error(`--${name}: expected ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

function readOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      connections: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      only: { type: 'string', multiple: true },
      'cpu-prof': { type: 'boolean' },
      tsx: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const names = (values.only ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n) && !STRESS.some((s) => s.name === n));
  if (unknown.length > 0) throw new Error(`--only: unknown scenario ${unknown.join(', ')}\n${USAGE}`);
  return {
    connections: numberOption(values.connections, 'connections', 32, 1, 1024, true),
    duration: numberOption(values.duration, 'duration', 10, 1, 600, true),
    warmup: numberOption(values.warmup, 'warmup', 2, 0, 60, true),
    cpuProf: values['cpu-prof'] ?? false,
    tsx: values.tsx ?? false,
    scenarios: names.length > 0 ? SCENARIOS.filter((s) => names.includes(s.name)) : [...SCENARIOS],
    stress: names.length > 0 ? STRESS.filter((s) => names.includes(s.name)) : [...STRESS],
  };
}

/** CPUs used by processes other than the server and the load generator before the run counts as noisy. */
const BUSY_OTHERS_CPUS = 0.2;

const say = (line: string) => process.stderr.write(`${line}\n`);
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits });

async function measureSide(
  scenario: Scenario, side: SideName, opts: Options, tmp: string, problems: string[], warnings: string[],
): Promise<SideResult | undefined> {
  const where = `${scenario.name} / ${side}`;
  const dataDir = join(tmp, `${scenario.name}-${side}`);
  mkdirSync(dataDir, { recursive: true });
  let server: ServerProcess | undefined;
  try {
    const profileDir = opts.cpuProf && side === 'backtalk' ? join(resultsDir, 'profiles', scenario.name) : undefined;
    if (profileDir) mkdirSync(profileDir, { recursive: true });
    server = await startSide(side, root, dataDir, profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []);
    say(`[${where}] serving on ${server.url} (pid ${server.pid}); seeding ${SEED_COMMENTS} comments`);
    await seed(side, server.url);
    await scenario.prepare?.(side, server.url);
    const probeProblem = await scenario.probe(side, server.url);
    if (probeProblem) problems.push(`${where}: the probe request before the load: ${probeProblem}`);
    let answered = probeProblem ? 0 : 1;

    let warmup: SideResult['warmup'] = null;
    if (opts.warmup > 0) {
      const w = await runLoad(server.url, scenario.requests[side](), { connections: opts.connections, duration: opts.warmup }, scenario.expectStatus);
      warmup = { responses: w.totalResponses, errors: w.errors, statusCounts: w.statusCounts };
      answered += w.statusCounts[String(scenario.expectStatus)] ?? 0;
      if (w.errors > 0) {
        problems.push(`${where}: ${w.errors} ERRORS during warm-up; statuses ${JSON.stringify(w.statusCounts)}` +
          (w.errorSamples.length ? `; client errors: ${w.errorSamples.join(' | ')}` : ''));
      }
    }
    const stopCpu = startCpuAccounting(server.pid, cpus().length);
    const load = await runLoad(server.url, scenario.requests[side](), opts, scenario.expectStatus);
    const cpu = stopCpu();
    if (cpu.others > BUSY_OTHERS_CPUS) {
      warnings.push(`${where}: other processes on this machine used ${cpu.others} of ${cpus().length} CPUs during the run: noisy numbers`);
    }
    if (load.errors > 0) {
      problems.push(`${where}: ${load.errors} ERRORS of ${load.totalResponses} responses; statuses ${JSON.stringify(load.statusCounts)}` +
        (load.errorSamples.length ? `; client errors: ${load.errorSamples.join(' | ')}` : ''));
    }
    answered += load.statusCounts[String(scenario.expectStatus)] ?? 0;
    // Each load that stops leaves up to one request per connection in flight, unanswered.
    const unanswered = opts.connections * (opts.warmup > 0 ? 2 : 1);
    const checkProblem = await scenario.check?.(side, server.url, answered, unanswered);
    if (checkProblem) problems.push(`${where}: after the load: ${checkProblem}`);
    say(`[${where}] ${fmt(load.requestsPerSec, 1)} req/s, p50 ${load.latencyMs.p50} ms, p99 ${load.latencyMs.p99} ms, ` +
      `${load.totalResponses} responses, statuses ${JSON.stringify(load.statusCounts)}; ` +
      `CPUs used: server ${cpu.server}, load generator ${cpu.loadGenerator}, others ${cpu.others}`);
    await server.stop();
    const result: SideResult = {
      load, warmup, peakRssMiB: Math.round(server.peakRssKiB() / 1024), cpu, serverLogLines: server.linesAfterReady(),
    };
    if (result.serverLogLines > 0) {
      result.serverLogTail = server.tail();
      problems.push(`${where}: the server logged ${result.serverLogLines} line(s) during the run; last:\n${result.serverLogTail.slice(-1500)}`);
    }
    return result;
  } catch (err) {
    problems.push(`${where}: FAILED: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  } finally {
    const exit = server?.unexpectedExit();
    if (exit) problems.push(`${where}: ${exit}; its last output:\n${server?.tail().slice(-1500) ?? ''}`);
    await server?.stop();
  }
}

async function main(): Promise<number> {
  const opts = readOptions(process.argv.slice(2));
  const started = Date.now();
  const tmp = mkdtempSync(join(tmpdir(), 'backtalk-bench-'));
  const cleanup = () => rmSync(tmp, { recursive: true, force: true });
  const interrupt = (signal: string) => {
    say(`\n${signal}: stopping the load and every server`);
    stopCurrentLoad();
    killAllChildren();
    cleanup();
    process.exit(130);
  };
  process.once('SIGINT', () => interrupt('SIGINT'));
  process.once('SIGTERM', () => interrupt('SIGTERM'));

  const problems: string[] = [];
  const warnings: string[] = [];
  const scenarios: ScenarioResult[] = [];
  const stress: StressResult[] = [];
  let sources: ServerProcess | undefined;
  try {
    useBuild(opts.tsx ? undefined : await buildForBench(root));
    if (opts.scenarios.some((s) => s.needsSources)) {
      sources = await startSources(root);
      setSources(sources.url.split(' '));
      say(`linking pages for the linkback scenarios on ${sources.url.split(' ').length} loopback hosts (pid ${sources.pid})`);
    }
    for (const scenario of opts.scenarios) {
      const result: ScenarioResult = { name: scenario.name, description: scenario.description, expectStatus: scenario.expectStatus, sides: {}, ratio: null };
      // One side after the other: never two servers under load at once.
      for (const side of SIDES) {
        const sideResult = await measureSide(scenario, side, opts, tmp, problems, warnings);
        if (sideResult) result.sides[side] = sideResult;
      }
      const base = result.sides.baseline?.load.requestsPerSec;
      const bt = result.sides.backtalk?.load.requestsPerSec;
      if (base && bt !== undefined) result.ratio = Number((bt / base).toFixed(3));
      scenarios.push(result);
    }
    for (const scenario of opts.stress) {
      say(`[${scenario.name}] ${scenario.description}`);
      try {
        const cpuProfDir = opts.cpuProf ? join(resultsDir, 'profiles', scenario.name) : undefined;
        const result = await scenario.run({ root, tmp, duration: opts.duration, connections: opts.connections, say, cpuProfDir });
        say(`[${scenario.name}] ${Object.entries(result.figures).map(([k, v]) => `${k}: ${v}`).join('; ')}`);
        problems.push(...result.problems.map((p) => `${scenario.name}: ${p}`));
        stress.push(result);
      } catch (err) {
        problems.push(`${scenario.name}: FAILED: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  } finally {
    await sources?.stop();
    killAllChildren();
    cleanup();
  }

  const report: Report = {
    date: new Date().toISOString(),
    machine: machineInfo(root),
    params: { connections: opts.connections, duration: opts.duration, warmup: opts.warmup, seedComments: SEED_COMMENTS, scenarios: [...opts.scenarios, ...opts.stress].map((s) => s.name), servers: opts.tsx ? 'tsx' : 'esbuild-transpiled JavaScript', backtalkNodeFlags: startFlags(root).join(' '), backtalkStartEnv: Object.entries(startCommand(root).env).map(([k, v]) => `${k}=${v}`).join(' ') },
    scenarios,
    stress,
    problems,
    warnings,
    totalSeconds: (Date.now() - started) / 1000,
  };
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(resultsDir, 'latest.md'), markdownReport(report));

  process.stdout.write(`\n${markdownTable(report)}\n\n`);
  process.stdout.write(`${report.machine.cpus} CPUs (${report.machine.cpuModel}), node ${report.machine.node}, ${report.date}; ` +
    `${opts.connections} connections, ${opts.warmup} s warm-up + ${opts.duration} s; written to bench/results/latest.{json,md}\n`);
  for (const w of warnings) process.stdout.write(`warning: ${w}\n`);
  if (problems.length > 0) {
    process.stdout.write(`\n!!! ${problems.length} PROBLEM(S) — these numbers are suspect:\n`);
    for (const p of problems) process.stdout.write(`!!! ${p}\n`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    killAllChildren();
    process.exit(1);
  },
);
