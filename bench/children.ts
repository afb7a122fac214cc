/**
 * Server child processes: start one, wait for its "serving on URL" line, sample its memory from
 * /proc, keep the tail of what it logs, and stop it (SIGTERM, then SIGKILL). Every child started
 * here is killed when this process exits, whatever the reason.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

const TAIL_CHARS = 4_000;
const RSS_SAMPLE_MS = 100;
const STOP_GRACE_MS = 5_000;

const live = new Set<ChildProcess>();

/** Synchronous last resort (exit handler, Ctrl-C): SIGKILL every child still running. */
export function killAllChildren(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}
process.on('exit', killAllChildren);

export interface ServerSpec {
  name: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** First capture group: the URL to send requests to. */
  readyLine: RegExp;
  startTimeoutMs?: number;
}

export interface ServerProcess {
  name: string;
  pid: number;
  url: string;
  /** Lines written to stdout/stderr after the ready line (Backtalk logs at warn level: should be 0). */
  linesAfterReady(): number;
  tail(): string;
  /** Set when the process exited without being asked to. */
  unexpectedExit(): string | undefined;
  /** Peak resident set size in KiB: VmHWM, or the highest VmRSS sample where VmHWM is unreadable. */
  peakRssKiB(): number;
  stop(): Promise<void>;
}

function readStatusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0; // not Linux, or the process is gone
  }
}

export function startServer(spec: ServerSpec): Promise<ServerProcess> {
  const child = spawn(process.execPath, spec.args, { cwd: spec.cwd, env: spec.env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const pid = child.pid ?? -1;

  let output = ''; // up to and including the ready line
  let after = ''; // everything later
  let ready = false;
  let lines = 0;
  let stopping = false;
  let exitInfo: string | undefined;
  let peakSampled = 0;
  let hwmAtExit = 0;

  const sampler = setInterval(() => {
    peakSampled = Math.max(peakSampled, readStatusKiB(pid, 'VmRSS'));
    hwmAtExit = Math.max(hwmAtExit, readStatusKiB(pid, 'VmHWM'));
  }, RSS_SAMPLE_MS);
  sampler.unref();

  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      clearInterval(sampler);
      live.delete(child);
      if (!stopping) exitInfo = `${spec.name} (pid ${pid}) exited unexpectedly: code ${code}, signal ${signal}`;
      resolve();
    });
  });

  const onData = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    if (ready) {
      lines += text.split('\n').length - 1;
      after = (after + text).slice(-TAIL_CHARS);
    } else {
      output = (output + text).slice(-TAIL_CHARS);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);

  const handle: ServerProcess = {
    name: spec.name,
    pid,
    url: '',
    linesAfterReady: () => lines,
    tail: () => after.trim(),
    unexpectedExit: () => exitInfo,
    peakRssKiB: () => Math.max(hwmAtExit, peakSampled),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // The high-water mark must be read while /proc/<pid> still exists.
      hwmAtExit = Math.max(hwmAtExit, readStatusKiB(pid, 'VmHWM'));
      stopping = true;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };

  return new Promise<ServerProcess>((resolve, reject) => {
    const timeout = setTimeout(() => {
      fail(`${spec.name} printed no ready line within ${(spec.startTimeoutMs ?? 30_000) / 1000} s`);
    }, spec.startTimeoutMs ?? 30_000);
    const fail = (why: string) => {
      clearTimeout(timeout);
      child.stdout.off('data', watch);
      child.kill('SIGKILL');
      reject(new Error(`${why}\n--- its output ---\n${output.trim()}`));
    };
    const watch = () => {
      const match = spec.readyLine.exec(output);
      if (!match?.[1]) return;
      clearTimeout(timeout);
      child.stdout.off('data', watch);
      child.off('exit', onEarlyExit);
      ready = true;
      handle.url = match[1].replace(/\/+$/, '');
      resolve(handle);
    };
    const onEarlyExit = (code: number | null, signal: string | null) => {
      fail(`${spec.name} exited before it was ready (code ${code}, signal ${signal})`);
    };
    child.stdout.on('data', watch);
    child.once('exit', onEarlyExit);
    child.once('error', (err) => fail(`${spec.name} could not be started: ${err.message}`));
  });
}
