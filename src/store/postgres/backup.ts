import { renameSync, rmSync } from 'node:fs';
import type pg from 'pg';
import { copyDatabase } from '../copy-database.js';
import { openSqlite } from '../sqlite/open-sqlite.js';
import { PgRunner } from '../sql/pg-runner.js';
import { SqliteRunner } from '../sql/sqlite-runner.js';

/**
 * The PostgreSQL store's backup: the whole database, read from one REPEATABLE READ snapshot while
 * the instances keep running, written as a Backtalk SQLite file (portable, opens with the sqlite3
 * shell, restores with `backtalk migrate --from sqlite:FILE --to postgres://…`). Written beside the
 * target and renamed into place, so a failed backup never leaves a half file under the name.
 * (pg_dump is the tool for a PostgreSQL-native dump; this one needs nothing but Backtalk.)
 */
export async function backupPostgres(pool: pg.Pool, file: string): Promise<void> {
  const partial = `${file}.partial`;
  rmSync(partial, { force: true });
  const db = openSqlite(partial);
  try {
    await copyDatabase({ label: 'PostgreSQL', runner: new PgRunner(pool) }, { label: 'the backup file', runner: new SqliteRunner(db) });
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    renameSync(partial, file);
  } catch (err) {
    if (db.open) db.close();
    rmSync(partial, { force: true });
    throw err;
  } finally {
    rmSync(`${partial}-wal`, { force: true });
    rmSync(`${partial}-shm`, { force: true });
  }
}
