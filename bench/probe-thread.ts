/**
 * Worker-thread side of stress.ts's probe: GETs each path in turn, one request at a time, until told
 * to stop, and sends back the latencies. On a thread of its own, because the bench process that runs
 * the stress also serves the source pages (twenty of 1 MiB) and sends the flood: a probe on that
 * event loop timed its own waits for the loop as the server's latency.
 */
import { parentPort, workerData } from 'node:worker_threads';

export interface ProbeJob {
  url: string;
  paths: readonly string[];
}

/** Requests per path before 'ready': a new isolate's fetch starts unoptimized and slow. */
const WARM_ROUNDS = 20;

async function get(url: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(url);
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status} during the probe`);
  return performance.now() - started;
}

if (parentPort) {
  const port = parentPort;
  const job = workerData as ProbeJob;
  let done = false;
  port.on('message', (message: unknown) => {
    if (message === 'stop') done = true;
  });
  void (async () => {
    for (let i = 0; i < WARM_ROUNDS; i++) for (const path of job.paths) await get(job.url + path);
    port.postMessage('ready');
    const out: Record<string, number[]> = Object.fromEntries(job.paths.map((p) => [p, []]));
    while (!done) {
      for (const path of job.paths) out[path]!.push(await get(job.url + path));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    port.postMessage(out);
    port.close();
  })().catch((err: unknown) => {
    port.postMessage({ error: err instanceof Error ? err.message : String(err) });
    port.close();
  });
}
