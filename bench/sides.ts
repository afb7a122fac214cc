/**
 * The two servers compared: how to start each one on a fresh database, and how to seed it with the
 * same kind of data (one thread, SEED_COMMENTS approved comments, posted over HTTP like a reader would).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type ServerProcess } from './children.js';

export type SideName = 'baseline' | 'backtalk';
export const SIDES: readonly SideName[] = ['baseline', 'backtalk'];

export const SITE = 'http://blog.example';
export const TARGET = `${SITE}/bench/post`;
export const SEED_COMMENTS = 100;
export const ADMIN_TOKEN = 'bench-admin-token-0123456789';

/** The environment without any BACKTALK_* / BASELINE_* variable of the caller's shell. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('BACKTALK_') && !key.startsWith('BASELINE_')) env[key] = value;
  }
  return env;
}

/**
 * Where the servers' JavaScript is: bench/results/build (see build.ts) unless --tsx asked for the
 * TypeScript sources under the tsx loader.
 */
let runFrom: { dir: string; loader: string[] } = { dir: '.', loader: ['--import', 'tsx'] };
export function useBuild(dir: string | undefined): void {
  runFrom = dir === undefined ? { dir: '.', loader: ['--import', 'tsx'] } : { dir, loader: [] };
}
/** The folder of the transpiled build in use, or undefined under --tsx. */
export const buildDir = (): string | undefined => (runFrom.loader.length ? undefined : runFrom.dir);
const entry = (file: string): string[] => [...runFrom.loader, join(runFrom.dir, runFrom.loader.length ? file : file.replace(/\.ts$/, '.js'))];

/**
 * The environment and node flags of `npm start` (package.json: `[NAME=value …] node FLAGS
 * dist/src/main.js`), so the bench runs Backtalk the way production does (V8 heap sizing, glibc's
 * MALLOC_ARENA_MAX).
 */
export function startCommand(root: string): { env: Record<string, string>; flags: string[] } {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: { start?: string } };
  const match = /^((?:[A-Z_][A-Z0-9_]*=\S*\s+)*)node\s+(.*?)\s*dist\/src\/main\.js$/.exec(pkg.scripts?.start ?? '');
  if (!match) throw new Error(`package.json: the start script is not "[NAME=value …] node [FLAGS] dist/src/main.js": ${pkg.scripts?.start}`);
  const env = Object.fromEntries(match[1]!.split(/\s+/).filter(Boolean).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
  return { env, flags: match[2]!.split(/\s+/).filter((flag) => flag !== '') };
}

/** The node flags of `npm start`. */
export const startFlags = (root: string): string[] => startCommand(root).flags;

export function startSide(side: SideName, root: string, dataDir: string, nodeArgs: string[] = [], extraEnv: Record<string, string> = {}): Promise<ServerProcess> {
  const db = join(dataDir, 'bench.db');
  if (side === 'backtalk') {
    return startServer({
      name: 'backtalk',
      args: [...startFlags(root), ...nodeArgs, ...entry('src/main.ts')],
      cwd: root,
      env: {
        ...cleanEnv(),
        ...startCommand(root).env,
        BACKTALK_PORT: '0',
        BACKTALK_DB: db,
        BACKTALK_SITES: SITE,
        BACKTALK_RATE_LIMIT: '0',
        BACKTALK_LOG_LEVEL: 'warn',
        BACKTALK_ADMIN_TOKEN: ADMIN_TOKEN,
        // The linkback scenarios' sources are on loopback, and each ping names a new source page:
        // the outbound budgets (flood guards, tested elsewhere) must not be what is measured.
        BACKTALK_ALLOW_PRIVATE_FETCH: 'true',
        BACKTALK_FETCH_PER_HOST_PER_MINUTE: '1000000',
        BACKTALK_FETCH_PER_MINUTE: '1000000',
        // Every Webmention of the bench comes from one client and one source host: the queue caps
        // (issue 14.5, tested in tests/webmention/fair-queue.test.ts) must not be what is measured.
        BACKTALK_WEBMENTION_QUEUE_PER_CLIENT: '1000000',
        BACKTALK_WEBMENTION_QUEUE_PER_SOURCE_HOST: '1000000',
        BACKTALK_LINKBACKS_PER_THREAD_HOUR: '0',
        // The load generator is one address with up to 1024 connections: the per-client and total
        // connection caps (flood guards, measured by bench/slow-flood.ts) must not be what is measured.
        BACKTALK_MAX_CONNECTIONS_PER_CLIENT: '100000',
        BACKTALK_MAX_CONNECTIONS: '100000',
        ...extraEnv,
      },
      // BACKTALK_PUBLIC_URL is derived from host and the port actually bound: take it from the line.
      readyLine: /Backtalk serving on (\S+) \(/m,
    });
  }
  return startServer({
    name: 'baseline',
    args: [...nodeArgs, ...entry('bench/baseline-server.ts')],
    cwd: root,
    env: { ...cleanEnv(), BASELINE_PORT: '0', BASELINE_DB: db, ...extraEnv },
    readyLine: /^Baseline serving on (\S+)/m,
  });
}

export function seedFields(i: number): Record<string, string> {
  return {
    target: TARGET,
    author: `Reader ${i}`,
    email: `reader${i}@mail.example`,
    body: `Seed comment number ${i}. A plain paragraph of the length readers usually write, ` +
      `saying that the post was useful, asking one question about it and thanking the author.`,
  };
}

/** The linking pages of the linkback scenarios (bench/source-server.ts), shared by both sides. */
export function startSources(root: string): Promise<ServerProcess> {
  return startServer({
    name: 'sources',
    args: entry('bench/source-server.ts'),
    cwd: root,
    env: { ...cleanEnv(), SOURCE_TARGET: TARGET, SOURCE_HOSTS: '32' },
    readyLine: /^Sources serving on (.+)$/m,
  });
}

/** Backtalk: JSON posts (201); the baseline only reads forms (303). Sequential, bounded. */
export async function seed(side: SideName, url: string, count = SEED_COMMENTS, fieldsOf: (i: number) => Record<string, string> = seedFields): Promise<void> {
  for (let i = 1; i <= count; i++) {
    const fields = fieldsOf(i);
    const res = side === 'backtalk'
      ? await fetch(`${url}/comments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(fields),
      })
      : await fetch(`${url}/comments`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
        redirect: 'manual',
      });
    const expected = side === 'backtalk' ? 201 : 303;
    const text = await res.text();
    if (res.status !== expected) {
      throw new Error(`seeding ${side}: comment ${i} answered ${res.status} (expected ${expected}): ${text.slice(0, 300)}`);
    }
    if (side === 'backtalk' && (JSON.parse(text) as { status?: string }).status !== 'approved') {
      throw new Error(`seeding backtalk: comment ${i} was not approved: ${text.slice(0, 300)}`);
    }
  }
}
