import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { projectRoot } from '../../lib/paths.js';
import { SqliteRunner } from '../sql/sqlite-runner.js';
import { driveSync } from '../sql/sql-runner.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';

export type SqliteDatabase = Database.Database;

/** The page cache of each connection, in KiB. */
const PAGE_CACHE_KIB = 2000;

/**
 * Opens (creating file and folder on first use) and prepares a SQLite database:
 * WAL so readers never wait for the writer; synchronous=FULL so a comment answered 201 survives a
 * power cut, not only a process crash (the store, sqlite-store.ts, then moves that sync off the
 * event loop and shares it between commits: wal-durability.ts); foreign keys on; a busy timeout so
 * a second process (CLI backup, import) waits instead of failing.
 */
export function openSqlite(path: string): SqliteDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    // Checked before anything is changed, so a database from a newer Backtalk is left exactly as it was.
    refuseNewer(db);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // SQLite's own default page cache (2,000 KiB). better-sqlite3 builds with 16,000 KiB, and pages
    // are malloc'd one by one: a burst of writes grew the cache to ~8 MiB and left ~11 MiB of freed
    // but resident heap behind (heaptrack; docs/benchmarks.md, "The page cache"). Pages it no longer
    // holds are read again from the kernel's file cache.
    db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function refuseNewer(db: SqliteDatabase): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new Error(`database schema version ${version} is newer than this Backtalk (${SCHEMA_VERSION}); upgrade Backtalk`);
  }
}

function migrate(db: SqliteDatabase): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version === SCHEMA_VERSION) return;
  const hasTables = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'comments'").get();
  if (version === 0 && !hasTables) {
    const schema = readFileSync(join(projectRoot(), 'schema.sql'), 'utf8');
    db.transaction(() => db.exec(schema))();
    return;
  }
  for (let v = version; v < SCHEMA_VERSION; v++) {
    const step = MIGRATIONS[v];
    if (step === undefined) throw new Error(`no migration from schema version ${v}`);
    db.transaction(() => {
      if (typeof step === 'string') db.exec(step);
      else {
        const runner = new SqliteRunner(db);
        driveSync(step(runner.db), (query) => runner.exec(query));
      }
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
