/**
 * `backtalk migrate`: without options, brings BACKTALK_DB's schema to this release's version (what
 * every start does anyway; useful before rolling several instances onto a new release). With
 * `--from` and `--to`, copies a whole database between SQLite and PostgreSQL, either way, and
 * verifies the copy (row counts of every table, a sample of rows compared value by value).
 */
import type { Command } from 'commander';
import { copyDatabase, type Endpoint } from '../store/copy-database.js';
import { PG_SCHEMA_VERSION } from '../store/postgres/migrations.js';
import { createPool, isPostgresUrl, migratePostgres, redactPostgresUrl } from '../store/postgres/open-postgres.js';
import { PgRunner } from '../store/sql/pg-runner.js';
import { SqliteRunner } from '../store/sql/sqlite-runner.js';
import { openSqlite, type SqliteDatabase } from '../store/sqlite/open-sqlite.js';
import { SCHEMA_VERSION } from '../store/sqlite/migrations.js';
import { describeDb } from '../store/open-store.js';
import { action, CliError, cliConfig } from './command.js';
import { cliLocale, count, say } from './messages.js';

/** An opened side of a copy and how to let go of it. */
interface Side {
  endpoint: Endpoint;
  close(): Promise<void>;
}

/** `sqlite:PATH` (or a plain path) or a `postgres://` / `postgresql://` URL; opened and migrated to the newest schema. */
export async function openSide(spec: string, role: 'source' | 'target'): Promise<Side> {
  if (isPostgresUrl(spec)) {
    const label = `${role} ${redactPostgresUrl(spec)}`;
    // One connection: the copy reads (or writes) in one transaction on it.
    const pool = createPool(spec, { max: 1 });
    try {
      await migratePostgres(pool);
    } catch (err) {
      await pool.end();
      throw new CliError(`cannot open ${label}: ${(err as Error).message}`);
    }
    return { endpoint: { label, runner: new PgRunner(pool) }, close: () => pool.end() };
  }
  const path = spec.replace(/^sqlite:(\/\/)?/i, '');
  if (path === '') throw new CliError(`"${spec}" names no file: use sqlite:PATH or a postgres:// URL`);
  let db: SqliteDatabase;
  try {
    db = openSqlite(path);
  } catch (err) {
    throw new CliError(`cannot open ${role} SQLite file ${path}: ${(err as Error).message}`);
  }
  return { endpoint: { label: `${role} ${path}`, runner: new SqliteRunner(db) }, close: async () => { db.close(); } };
}

export async function migrateDatabase(from: string, to: string, log: (line: string) => void): Promise<void> {
  const t = cliLocale();
  if (from === to) throw new CliError('--from and --to name the same database');
  if (SCHEMA_VERSION !== PG_SCHEMA_VERSION) {
    throw new CliError(`this build's SQLite schema (v${SCHEMA_VERSION}) and PostgreSQL schema (v${PG_SCHEMA_VERSION}) differ; cannot copy between them`);
  }
  const source = await openSide(from, 'source');
  try {
    const target = await openSide(to, 'target');
    try {
      const report = await copyDatabase(source.endpoint, target.endpoint, (table, rows) => log(`  ${table}: ${count(t, 'rows', rows)}`));
      const total = report.tables.reduce((n, t) => n + t.rows, 0);
      log(say(t, 'copied', { rows: count(t, 'rows', total), tables: count(t, 'tables', report.tables.length), sampled: report.sampled }));
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

export function register(program: Command): void {
  program
    .command('migrate')
    .description('bring BACKTALK_DB to the current schema, or copy a whole database between SQLite and PostgreSQL')
    .option('--from <db>', 'source: sqlite:FILE or postgres://USER:PASSWORD@HOST/DB')
    .option('--to <db>', 'target (must be empty): sqlite:FILE or postgres://…')
    .addHelpText('after', [
      '',
      'Examples:',
      '  backtalk migrate                                        # schema of BACKTALK_DB to the newest version',
      '  backtalk migrate --from sqlite:data/backtalk.db --to postgres://backtalk@db/backtalk',
      '  backtalk migrate --from postgres://backtalk@db/backtalk --to sqlite:copy.db',
      'The source is read from one snapshot, so the server may keep running; writes made after that are not copied.',
    ].join('\n'))
    .action(action(async (options: { from?: string; to?: string }) => {
      if (options.from === undefined && options.to === undefined) {
        const config = cliConfig();
        const side = await openSide(config.dbPath, 'target');
        await side.close();
        process.stdout.write(`${say(cliLocale(), 'schemaAt', { db: describeDb(config.dbPath), version: SCHEMA_VERSION })}\n`);
        return;
      }
      if (!options.from || !options.to) throw new CliError('give both --from and --to (or neither, to migrate BACKTALK_DB in place)');
      await migrateDatabase(options.from, options.to, (line) => process.stdout.write(`${line}\n`));
    }));
}
