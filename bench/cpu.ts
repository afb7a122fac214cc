/**
 * CPU accounting over one measured run (Linux /proc; zeros elsewhere): how many CPUs the server,
 * the load generator (this process) and everything else on the machine used on average. A shared
 * machine whose other processes use CPU makes the numbers noisy.
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  /** Jiffies since boot, all CPUs: busy and total. */
  busy: number;
  total: number;
  self: number;
  server: number;
}

export interface CpuUse {
  /** Average number of CPUs busy with each, over the run. */
  server: number;
  loadGenerator: number;
  others: number;
}

function processTicks(pid: number | 'self'): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state; utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

function snapshot(serverPid: number): Snapshot {
  let busy = 0;
  let total = 0;
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const values = line.trim().split(/\s+/).slice(1, 9).map(Number); // user nice system idle iowait irq softirq steal
    total = values.reduce((a, b) => a + b, 0);
    busy = total - (values[3] ?? 0) - (values[4] ?? 0);
  } catch {
    // not Linux
  }
  return { busy, total, self: processTicks('self'), server: processTicks(serverPid) };
}

/** Call before the run; call the returned function after it. */
export function startCpuAccounting(serverPid: number, cpuCount: number): () => CpuUse {
  const before = snapshot(serverPid);
  return () => {
    const after = snapshot(serverPid);
    const total = after.total - before.total;
    if (total <= 0) return { server: 0, loadGenerator: 0, others: 0 };
    const perCpu = (ticks: number) => Number(((Math.max(0, ticks) / total) * cpuCount).toFixed(2));
    const server = after.server - before.server;
    const self = after.self - before.self;
    return { server: perCpu(server), loadGenerator: perCpu(self), others: perCpu(after.busy - before.busy - server - self) };
  };
}
