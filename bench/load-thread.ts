/**
 * Worker-thread side of runLoadsTogether (measure.ts): one autocannon load on a JavaScript thread of
 * its own, so that two loads running at once do not take turns on one event loop — where a response
 * that arrives while the other load's client is busy is timed late, and its latency counts the load
 * generator's own stall.
 *
 * Request lists hold functions (setupRequest makes a unique body per request), which cannot be sent
 * to a thread: the thread gets a recipe instead — a module, the name of one of its exports and
 * arguments — and builds the list itself.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Request } from 'autocannon';
import { runLoad, stopCurrentLoad, type LoadParams } from './measure.js';

/** `export function NAME(...args): Request[]` of the module at `module` (a file URL). */
export interface RequestRecipe {
  module: string;
  name: string;
  args: unknown[];
}

export interface LoadJob {
  url: string;
  recipe: RequestRecipe;
  params: LoadParams;
  expectStatus: number;
  /** [threads ready, threads expected]: shared by the loads that start together. */
  barrier: Int32Array;
  /**
   * Seconds of the same load before the barrier, not measured: a new thread is a new isolate whose
   * client code (autocannon, node's HTTP parser) starts unoptimized, at twice the CPU per response.
   */
  warmupSec: number;
}

if (parentPort) {
  const port = parentPort;
  const job = workerData as LoadJob;
  port.on('message', (message: unknown) => {
    if (message === 'stop') stopCurrentLoad();
  });
  const mod = (await import(job.recipe.module)) as Record<string, (...args: unknown[]) => Request[]>;
  const make = mod[job.recipe.name];
  if (typeof make !== 'function') throw new Error(`${job.recipe.module} exports no function ${job.recipe.name}`);
  const requests = make(...job.recipe.args);
  if (job.warmupSec > 0) await runLoad(job.url, requests, { connections: job.params.connections, duration: job.warmupSec }, job.expectStatus);
  // The barrier: ready, then wait (blocking this thread only) until every load of the group is.
  Atomics.add(job.barrier, 0, 1);
  Atomics.notify(job.barrier, 0);
  // (At most a minute: a thread that failed to start must not leave this one blocked for ever.)
  const deadline = Date.now() + 60_000;
  for (let ready = Atomics.load(job.barrier, 0); ready < job.barrier[1]! && Date.now() < deadline; ready = Atomics.load(job.barrier, 0)) {
    Atomics.wait(job.barrier, 0, ready, 1_000);
  }
  port.postMessage('started');
  const result = await runLoad(job.url, requests, job.params, job.expectStatus);
  port.postMessage(result);
  port.close();
}
