/**
 * A throwaway PostgreSQL cluster for tests: initdb into a temporary folder, pg_ctl start listening on
 * a Unix socket in that folder only (no TCP port to collide on), trust authentication, fsync off.
 * stop() shuts it down and removes the folder.
 *
 * initdb refuses to run as root, so when the tests run as uid 0 (CI containers) the cluster is made
 * and run by the `postgres` system user (Debian's package creates it) through runuser, with the
 * folder handed to that user.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import pg from 'pg';

export interface PostgresCluster {
  /** Folder holding the socket; use as `host` in a connection string. */
  socketDir: string;
  /** URL of a database in this cluster (`postgres` is always there). */
  url(database?: string): string;
  /** Creates a fresh empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  dropDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

const SUPERUSER = 'backtalk';

/** The folder with initdb and pg_ctl: PATH first, then Debian's /usr/lib/postgresql/VERSION/bin (newest). */
export function findPostgresBin(): string | undefined {
  const has = (dir: string) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'));
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir && has(dir)) return dir;
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (has(join(base, v, 'bin'))) return join(base, v, 'bin');
  return undefined;
}

/** Why the PostgreSQL tests cannot run here, or undefined when they can (for node:test's `skip`). */
export function postgresUnavailable(): string | undefined {
  if (!findPostgresBin()) return 'PostgreSQL binaries (initdb, pg_ctl) not found on PATH or in /usr/lib/postgresql/*/bin: PostgreSQL tests skipped';
  if (process.getuid?.() === 0 && !systemUser()) return 'running as root and there is no `postgres` user to run initdb as: PostgreSQL tests skipped';
  if (process.getuid?.() === 0 && !runuser()) return 'running as root and runuser (util-linux) is missing, so initdb cannot run as `postgres`: PostgreSQL tests skipped';
  return undefined;
}

/** runuser (util-linux) lives in sbin, which a CI shell's PATH may lack. */
function runuser(): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin']) {
    if (dir && existsSync(join(dir, 'runuser'))) return join(dir, 'runuser');
  }
  return undefined;
}

function systemUser(): { name: string; uid: number; gid: number } | undefined {
  const found = spawnSync('getent', ['passwd', 'postgres'], { encoding: 'utf8' });
  if (found.status !== 0) return undefined;
  const [name, , uid, gid] = found.stdout.trim().split(':');
  return name && uid && gid ? { name, uid: Number(uid), gid: Number(gid) } : undefined;
}

export interface ClusterOptions {
  /**
   * Keep PostgreSQL's crash-safety settings (fsync, synchronous_commit, full_page_writes) as shipped,
   * for benchmarks; tests turn them off, since a throwaway cluster never needs to survive a power cut.
   */
  durable?: boolean;
}

export async function startPostgresCluster(options: ClusterOptions = {}): Promise<PostgresCluster> {
  const bin = findPostgresBin();
  if (!bin) throw new Error(postgresUnavailable());
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? systemUser() : undefined;
  if (asRoot && !user) throw new Error(postgresUnavailable());

  const dir = mkdtempSync(join(tmpdir(), 'backtalk-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const dataDir = join(dir, 'data');
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = user ? [runuser()!, ['-u', user.name, '--', join(bin, cmd), ...args]] : [join(bin, cmd), args];
    execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  };

  try {
    run('initdb', ['-D', dataDir, '-U', SUPERUSER, '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync']);
    const fast = options.durable ? '' : ' -c fsync=off -c synchronous_commit=off -c full_page_writes=off';
    const serverOptions = `-k ${dir} -c listen_addresses='' -c max_connections=200${fast}`;
    run('pg_ctl', ['-D', dataDir, '-l', join(dir, 'postgres.log'), '-o', serverOptions, '-w', '-t', '60', 'start']);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(`could not start a PostgreSQL cluster: ${e.stderr?.toString().trim() || e.message}`);
  }

  const url = (database = 'postgres') => `postgres://${SUPERUSER}@/${database}?host=${encodeURIComponent(dir)}`;
  const admin = async <T>(sql: string): Promise<T> => {
    const client = new pg.Client({ connectionString: url() });
    await client.connect();
    try {
      return (await client.query(sql)) as T;
    } finally {
      await client.end();
    }
  };

  return {
    socketDir: dir,
    url,
    async createDatabase(name) {
      await admin(`CREATE DATABASE "${name}"`);
      return url(name);
    },
    async dropDatabase(name) {
      await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
    async stop() {
      try {
        run('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

let created = 0;

/**
 * A new empty database in the cluster that `adminUrl` (any database URL of it) points to; answers
 * its URL. Names carry the process id, so test files running in parallel never collide.
 */
export async function createFreshDatabase(adminUrl: string, prefix = 'test'): Promise<string> {
  const name = `${prefix}_${process.pid}_${++created}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const [base, query] = adminUrl.split('?', 2) as [string, string | undefined];
  return `${base.replace(/\/[^/]*$/, `/${name}`)}${query === undefined ? '' : `?${query}`}`;
}
