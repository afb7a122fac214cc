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
