/**
 * One load run with autocannon's programmatic API. Latencies are taken from every response
 * (autocannon's own histogram rounds to whole milliseconds), and every status other than the
 * expected one, every connection error and every timeout is counted as an error.
 */
import { isMainThread, Worker } from 'node:worker_threads';
import autocannon, { type Instance, type Request } from 'autocannon';
import type { LoadJob } from './load-thread.js';

export interface LoadParams {
  connections: number;
  /** Seconds. */
  duration: number;
}

export interface LoadResult {
  /** Mean of autocannon's per-second request counts. */
  requestsPerSec: number;
  totalResponses: number;
  /** Responses completed in each second of the run, to see a throughput that drifts. */
  perSecond: number[];
  durationSec: number;
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  /** Mean response size in bytes, headers included. */
  meanResponseBytes: number;
  statusCounts: Record<string, number>;
  /** Responses with another status than expected, plus connection errors (timeouts among them). */
  errors: number;
  connectionErrors: number;
  timeouts: number;
  /** First few error messages of the client, if any. */
  errorSamples: string[];
}

let current: Instance | undefined;
const threads = new Set<Worker>();

/** Ctrl-C: end the running loads at once, this thread's and the load threads' (their promises still resolve). */
export function stopCurrentLoad(): void {
  current?.stop();
  for (const thread of threads) thread.postMessage('stop');
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

const round = (n: number, digits = 2): number => Number(n.toFixed(digits));

export async function runLoad(url: string, requests: Request[], params: LoadParams, expectStatus: number): Promise<LoadResult> {
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  let bytes = 0;
  const errorSamples: string[] = [];
  const perSecond: number[] = [];

  const instance = autocannon({ url, connections: params.connections, duration: params.duration, timeout: 10, requests });
  current = instance;
  instance.on('response', (_client: unknown, _status: number, resBytes: number, responseTime: number) => {
    if (count === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[count++] = responseTime;
    bytes += resBytes;
  });
  instance.on('tick', (tick: { counter: number }) => {
    if (tick.counter > 0) perSecond.push(tick.counter);
  });
  instance.on('reqError', (err: Error) => {
    if (errorSamples.length < 5) errorSamples.push(err.message);
  });

  let result;
  try {
    result = await instance;
  } finally {
    current = undefined;
  }
  let requestsPerSec: number;
  if (isMainThread) {
    requestsPerSec = result.requests.average;
  } else {
    // On a load thread (runLoadsTogether) autocannon resolves its raw counts and leaves the aggregation
    // to its caller, whose per-second histogram it does not have: the same mean, from the raw counts.
    const raw = result as unknown as { totalCompletedRequests: number; samples: number };
    requestsPerSec = raw.samples > 0 ? raw.totalCompletedRequests / raw.samples : 0;
    result = autocannon.aggregateResult([result], { url, connections: params.connections, duration: params.duration });
  }

  const sorted = latencies.subarray(0, count).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  const statusCounts: Record<string, number> = {};
  let wrongStatus = 0;
  for (const [status, { count: n }] of Object.entries(result.statusCodeStats)) {
    statusCounts[status] = n;
    if (Number(status) !== expectStatus) wrongStatus += n;
  }

  return {
    requestsPerSec: round(requestsPerSec, 1),
    totalResponses: count,
    perSecond,
    durationSec: result.duration,
    latencyMs: {
      mean: round(count ? sum / count : 0, 3),
      p50: round(percentile(sorted, 50), 3),
      p90: round(percentile(sorted, 90), 3),
      p99: round(percentile(sorted, 99), 3),
      max: round(percentile(sorted, 100), 3),
    },
    meanResponseBytes: round(count ? bytes / count : 0, 0),
    statusCounts,
    errors: wrongStatus + result.errors, // autocannon's errors include its timeouts
    connectionErrors: result.errors,
    timeouts: result.timeouts,
    errorSamples,
  };
}

/**
 * Loads that run at the same time, each with runLoad on a worker thread of its own (load-thread.ts):
 * each load generator has its own event loop, so one load's client work does not delay the timing of
 * the other's responses. Each thread builds its request list from its recipe, then waits at a barrier
 * until every thread is ready, so the loads start together (a thread's start-up — loading the bench's
 * modules — takes a while, and a load that started early would be measured partly alone). Before
 * the barrier each thread runs `warmupSec` of its load unmeasured (its isolate's JIT). `onStart`
 * is called when the first of them starts: the moment to start counting CPU time.
 */
export function runLoadsTogether(loads: Array<Omit<LoadJob, 'barrier' | 'warmupSec'>>, onStart?: () => void, warmupSec = 1): Promise<LoadResult[]> {
  const barrier = new Int32Array(new SharedArrayBuffer(8));
  barrier[1] = loads.length;
  let started = false;
  const start = () => {
    if (!started) onStart?.();
    started = true;
  };
  return Promise.all(loads.map((load) => runLoadInThread({ ...load, barrier, warmupSec }, start)));
}

/** A worker thread running bench/`name`, as TypeScript under tsx or as the transpiled build. */
export function benchThread(name: string, workerData: unknown): Worker {
  // Under tsx the bench is TypeScript, and tsx's loader does not reach worker threads on node 20
  // (the thread inherits `--import tsx` but still refuses .ts): the thread registers it itself.
  const typescript = import.meta.url.endsWith('.ts');
  const file = JSON.stringify(new URL(`./${name}${typescript ? '.ts' : '.js'}`, import.meta.url).href);
  const code = typescript
    ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => { register(); return import(${file}); });`
    : `import(${file});`;
  return new Worker(code, { eval: true, workerData });
}

/** `onStart`: called when the thread has passed the barrier and starts its load. */
function runLoadInThread(job: LoadJob, onStart: () => void): Promise<LoadResult> {
  const thread = benchThread('load-thread', job);
  threads.add(thread);
  return new Promise<LoadResult>((resolve, reject) => {
    let result: LoadResult | undefined;
    thread.on('message', (message: LoadResult | 'started') => {
      if (message === 'started') onStart();
      else result = message;
    });
    thread.once('error', reject);
    thread.once('exit', (code) => {
      threads.delete(thread);
      if (result) resolve(result);
      else reject(new Error(`the load thread for ${job.url} exited with code ${code} and no result`));
    });
  });
}
