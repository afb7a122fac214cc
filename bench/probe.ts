/**
 * The bench side of server-probe.ts, and where a server's resident memory is, read from
 * /proc/PID/smaps (Linux; empty elsewhere).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildDir } from './sides.js';

export interface ProbeLine {
  memory: NodeJS.MemoryUsage;
  v8Malloced?: number;
  heapSpaces: Record<string, { size: number; used: number }>;
  /** Main-thread GC pauses since the previous line. */
  gc: { minor: number; minorMs: number; major: number; majorMs: number };
  loopDelayMs?: { count: number; p50: number; p90: number; p99: number; max: number };
}

/** node arguments and environment that load server-probe into a Backtalk started by startSide. */
export function probeArgs(root: string, file: string, loopDelay: boolean): { nodeArgs: string[]; env: Record<string, string> } {
  const dir = buildDir();
  const probe = dir === undefined ? join(root, 'bench', 'server-probe.ts') : join(root, dir, 'bench', 'server-probe.js');
  return { nodeArgs: ['--import', pathToFileURL(probe).href], env: { BENCH_PROBE_FILE: file, BENCH_LOOP_DELAY: loopDelay ? '1' : '0' } };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Asks the server for one probe line (SIGUSR2) and waits for it; undefined after 10 s without one. */
export async function readProbe(pid: number, file: string): Promise<ProbeLine | undefined> {
  const linesNow = () => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
  const before = linesNow().length;
  process.kill(pid, 'SIGUSR2');
  for (let waited = 0; waited < 10_000; waited += 20) {
    const lines = linesNow();
    if (lines.length > before) return JSON.parse(lines[lines.length - 1]!) as ProbeLine;
    await sleep(20);
  }
  return undefined;
}

export interface RssParts {
  /** KiB resident, by kind of mapping. */
  nodeBinary: number;
  otherFiles: number;
  /** malloc's main arena (brk). */
  brkHeap: number;
  /** Anonymous mappings: V8's heap and code, thread stacks, other threads' malloc arenas, SQLite's allocations. */
  anonymous: number;
  total: number;
  threads: number;
}

export function rssParts(pid: number): RssParts | undefined {
  let smaps: string;
  let status: string;
  try {
    smaps = readFileSync(`/proc/${pid}/smaps`, 'utf8');
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const parts: RssParts = { nodeBinary: 0, otherFiles: 0, brkHeap: 0, anonymous: 0, total: 0, threads: Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? 0) };
  let name = '';
  for (const line of smaps.split('\n')) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping) {
      name = mapping[1] ?? '';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (!rss) continue;
    const kib = Number(rss[1]);
    parts.total += kib;
    if (name === '[heap]') parts.brkHeap += kib;
    else if (name === '' || name.startsWith('[')) parts.anonymous += kib;
    else if (name === process.execPath || name.endsWith('/node')) parts.nodeBinary += kib;
    else parts.otherFiles += kib;
  }
  return parts;
}
