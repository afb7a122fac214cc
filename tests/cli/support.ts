/** Runs the CLI as a real process (`node --import tsx src/cli.ts …`) against a temporary BACKTALK_DB. */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string>, cwd?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', TSX, CLI, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', BACKTALK_LOG_LEVEL: 'silent', ...env },
      maxBuffer: 16 * 1024 * 1024,
    }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The CLI as a long-running child (for `serve`). */
export function spawnCli(args: string[], env: Record<string, string>, cwd?: string): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', TSX, CLI, ...args], {
    cwd, env: { PATH: process.env.PATH ?? '', BACKTALK_LOG_LEVEL: 'silent', ...env },
  });
}
