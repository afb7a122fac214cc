/**
 * Worker-thread side of runLoadInThread (measure.ts): one autocannon load on a JavaScript thread of
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
  const result = await runLoad(job.url, make(...job.recipe.args), job.params, job.expectStatus);
  port.postMessage(result);
  port.close();
}
