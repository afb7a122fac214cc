/** The results file (JSON), its Markdown table, and the machine they were measured on. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, freemem, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import type { CpuUse } from './cpu.js';
import type { LoadParams, LoadResult } from './measure.js';
import type { SideName } from './sides.js';
import type { StressResult } from './stress.js';

export interface SideResult {
  load: LoadResult;
  warmup: { responses: number; errors: number; statusCounts: Record<string, number> } | null;
  peakRssMiB: number;
  /** Average CPUs busy during the measured run: the server, autocannon (this process), everything else. */
  cpu: CpuUse;
  /** Lines the server wrote after it was ready (warn level and up for Backtalk). */
  serverLogLines: number;
  serverLogTail?: string;
}

export interface ScenarioResult {
  name: string;
  description: string;
  expectStatus: number;
  sides: Partial<Record<SideName, SideResult>>;
  /** backtalk req/s ÷ baseline req/s. */
  ratio: number | null;
}

export interface Report {
  date: string;
  machine: Record<string, string | number>;
  params: LoadParams & { warmup: number; seedComments: number; scenarios: string[]; servers: string; backtalkNodeFlags: string; backtalkStartEnv: string };
  scenarios: ScenarioResult[];
  /** Quiet against stressed figures of the stress scenarios (bench/stress.ts). */
  stress: StressResult[];
  /** Anything that makes the numbers suspect: errors, crashes, failed probes, server log lines. */
  problems: string[];
  /** What makes the numbers noisy without making them wrong, e.g. a busy machine. */
  warnings: string[];
  totalSeconds: number;
}

export function machineInfo(root: string): Record<string, string | number> {
  const cpuList = cpus();
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // not a git checkout
  }
  let autocannonVersion = 'unknown';
  try {
    autocannonVersion = (JSON.parse(readFileSync(join(root, 'node_modules/autocannon/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    // keep unknown
  }
  return {
    cpus: cpuList.length,
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    memoryMiB: Math.round(totalmem() / 2 ** 20),
    freeMemoryMiB: Math.round(freemem() / 2 ** 20),
    loadAverage: loadavg().map((n) => n.toFixed(2)).join(' '),
    platform: `${process.platform} ${release()} ${process.arch}`,
    node: process.version,
    autocannon: autocannonVersion,
    commit,
  };
}

const fmt = (n: number | undefined, digits = 0): string =>
  n === undefined ? '–' : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function pair(s: ScenarioResult, pick: (r: SideResult) => number, digits: number): string {
  const b = s.sides.baseline;
  const t = s.sides.backtalk;
  return `${b ? fmt(pick(b), digits) : '–'} / ${t ? fmt(pick(t), digits) : '–'}`;
}

export function markdownTable(report: Report): string {
  const rows = report.scenarios.map((s) => {
    const errors = pair(s, (r) => r.load.errors + (r.warmup?.errors ?? 0), 0);
    return `| ${s.name} | ${fmt(s.sides.baseline?.load.requestsPerSec)} | ${fmt(s.sides.backtalk?.load.requestsPerSec)} | ` +
      `${s.ratio === null ? '–' : s.ratio.toFixed(2)} | ${pair(s, (r) => r.load.latencyMs.p50, 2)} | ` +
      `${pair(s, (r) => r.load.latencyMs.p99, 2)} | ${pair(s, (r) => r.peakRssMiB, 0)} | ${pair(s, (r) => r.cpu.server, 2)} | ${errors} |`;
  });
  return [
    '| scenario | baseline req/s | backtalk req/s | ratio | p50 ms (base / bt) | p99 ms (base / bt) | peak RSS MiB (base / bt) | server CPUs (base / bt) | errors (base / bt) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

export function markdownReport(report: Report): string {
  const m = report.machine;
  const p = report.params;
  const lines = [
    '# Backtalk benchmark',
    '',
    `${report.date} · ${m.cpus} × ${m.cpuModel} · ${m.memoryMiB} MiB · ${m.platform} · node ${m.node} · ` +
      `autocannon ${m.autocannon} · commit ${m.commit} · load average at the end ${m.loadAverage}`,
    '',
    `${p.connections} connections over loopback, ${p.warmup} s warm-up then ${p.duration} s measured, per scenario and ` +
      `side; each side a fresh server process on a fresh database seeded with ${p.seedComments} approved comments; ` +
      'baseline and Backtalk one after the other, never together. ratio = Backtalk req/s ÷ baseline req/s. ' +
      'Errors = responses with another status than expected, connection errors and timeouts (warm-up included). ' +
      'Server CPUs = average CPUs the server process used during the measured run (1.00 = one core saturated). ' +
      `Backtalk runs with the node flags of \`npm start\`: ${p.backtalkNodeFlags || '(none)'}, and its environment: ${p.backtalkStartEnv || '(none)'}.`,
    '',
    markdownTable(report),
    '',
  ];
  for (const s of report.scenarios) lines.push(`- **${s.name}**: ${s.description} (expects ${s.expectStatus})`);
  lines.push('');
  if (report.stress.length > 0) lines.push(stressMarkdown(report.stress), '');
  if (report.problems.length > 0) {
    lines.push('## PROBLEMS', '', ...report.problems.map((x) => `- ${x.split('\n').join('\n  ')}`), '');
  } else {
    lines.push('No errors: every response had the expected status, and no server logged anything or exited early.', '');
  }
  if (report.warnings.length > 0) lines.push('## Warnings', '', ...report.warnings.map((x) => `- ${x}`), '');
  lines.push(`Total run time ${report.totalSeconds.toFixed(0)} s.`, '');
  return lines.join('\n');
}

/** One table per stress scenario: each figure, milliseconds unless its name says otherwise. */
export function stressMarkdown(results: readonly StressResult[]): string {
  const lines = ['## Stress scenarios (quiet against stressed, measured in the same run)', ''];
  for (const r of results) {
    lines.push(`### ${r.name}`, '', r.description, '', '| figure | value |', '| --- | ---: |');
    for (const [name, value] of Object.entries(r.figures)) lines.push(`| ${name} | ${fmt(value, name.endsWith('(count)') ? 0 : 2)} |`);
    lines.push('', r.problems.length > 0 ? `Problems: ${r.problems.join('; ')}` : 'No problems.', '');
  }
  return lines.join('\n');
}
