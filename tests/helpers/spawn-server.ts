/** Starts the real entry point (src/main.ts) as a child process, the way `npm start` runs it. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
// Resolved here, not from the child's cwd (a temporary folder without node_modules).
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface SpawnedServer {
  child: ChildProcessWithoutNullStreams;
  url: string;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code once the process ends. */
  exited: Promise<number | null>;
}

/** `nodeArgs`: more node options before the entry point (another --import, say). */
export function spawnServer(env: Record<string, string>, cwd: string, nodeArgs: string[] = []): Promise<SpawnedServer> {
  const child = spawn(process.execPath, ['--import', TSX, ...nodeArgs, MAIN], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '', BACKTALK_LOG_LEVEL: 'warn',
      // Tests play many clients from the one loopback address (parallel fetches keep up to twice as
      // many connections open); tests/process/slow-clients.test.ts sets the real caps.
      BACKTALK_MAX_CONNECTIONS_PER_CLIENT: '100000', BACKTALK_MAX_CONNECTIONS: '100000',
      ...env,
    },
  });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}${err}`)), 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Backtalk serving on (\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, stdout: () => out, stderr: () => err, exited });
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`server exited with ${code}: ${err}`), { code, stderr: err, stdout: out }));
    });
  });
}
