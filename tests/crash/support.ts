/**
 * What the kill tests share: real server processes on temporary folders, every one of them
 * SIGKILLed (if still running) and every folder removed once the file's tests are done, even when
 * a test failed halfway.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

import { spawnServer, type SpawnedServer } from '../helpers/spawn-server.js';

export interface KillHarness {
  /** A new temporary folder, removed after the tests. */
  tempDir(prefix: string): string;
  /** Starts src/main.ts with `env` in `cwd`; the process is killed after the tests if still running. */
  spawn(env: Record<string, string>, cwd: string): Promise<SpawnedServer>;
  /** Runs `cleanup` after the tests, after the processes are gone and before the folders go. */
  onCleanup(cleanup: () => Promise<void> | void): void;
}

/** Registers the file's `after` hook; call at the top level of a test file. */
export function useKillHarness(): KillHarness {
  const children: SpawnedServer[] = [];
  const dirs: string[] = [];
  const cleanups: Array<() => Promise<void> | void> = [];
  after(async () => {
    for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exited));
    for (const cleanup of cleanups) await cleanup();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  return {
    tempDir(prefix) {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      return dir;
    },
    async spawn(env, cwd) {
      const child = await spawnServer(env, cwd);
      children.push(child);
      return child;
    },
    onCleanup(cleanup) {
      cleanups.push(cleanup);
    },
  };
}

export interface LoadPlan<O extends { kind: string }> {
  /** Requests numbered 0 … total - 1, across both processes. */
  total: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** The first process is SIGKILLed once this many requests were answered ('acknowledged'). */
  killAtAcknowledged: number;
  /** Sends request `n` to the server at `base`; never throws (a request cut off is an outcome too). */
  send(base: string, n: number): Promise<O>;
}

export interface LoadRun<O> {
  /** Every outcome so far, in order of completion. */
  outcomes: O[];
  /**
   * Phase 1: `concurrency` workers send to `first` until `killAtAcknowledged` were acknowledged,
   * SIGKILL it, and wait until it is gone. Returns how many were acknowledged and sent by then.
   */
  untilKilled(first: SpawnedServer): Promise<{ acknowledged: number; sentAtKill: number; sent: number }>;
  /** Phase 2: the requests not sent yet, to `second`. */
  rest(second: SpawnedServer): Promise<void>;
}

/** The load both kill tests put on the server: one numbering of requests across the kill and the restart. */
export function killedLoad<O extends { kind: string }>(plan: LoadPlan<O>): LoadRun<O> {
  const outcomes: O[] = [];
  let next = 0;
  const workers = (work: () => Promise<void>) => Promise.all(Array.from({ length: plan.concurrency }, work));
  return {
    outcomes,
    async untilKilled(first) {
      let acknowledged = 0;
      let sentAtKill = -1;
      let killed: Promise<unknown> | undefined;
      await workers(async () => {
        while (next < plan.total && !killed) {
          const outcome = await plan.send(first.url, next++);
          outcomes.push(outcome);
          if (outcome.kind === 'acknowledged') acknowledged += 1;
          if (acknowledged >= plan.killAtAcknowledged && !killed) {
            sentAtKill = next;
            first.child.kill('SIGKILL');
            killed = first.exited;
          }
        }
      });
      await killed;
      return { acknowledged, sentAtKill, sent: next };
    },
    async rest(second) {
      await workers(async () => {
        while (next < plan.total) outcomes.push(await plan.send(second.url, next++));
      });
    },
  };
}

/** What became of one comment sent to a server that may be killed at any moment. */
export type Outcome = { n: number; kind: 'acknowledged'; id: number } | { n: number; kind: 'cut-off' } | { n: number; kind: 'refused'; status: number };

/**
 * POSTs comment number `n` as JSON: acknowledged (201, with its id), refused (any other answer), or
 * cut off (no answer at all: the server died with the request in flight, so it may or may not be stored).
 */
export async function postComment(base: string, n: number, comment: { target: string; author: string; email: string; body: string }): Promise<Outcome> {
  try {
    const res = await fetch(`${base}/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(comment),
    });
    const text = await res.text();
    if (res.status !== 201) return { n, kind: 'refused', status: res.status };
    return { n, kind: 'acknowledged', id: (JSON.parse(text) as { id: number }).id };
  } catch {
    return { n, kind: 'cut-off' };
  }
}
