import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { projectRoot } from '../../lib/paths.js';
import { postgresBuilder } from '../sql/compilers.js';
import type { DataMigration } from '../sql/data-migration.js';
import { driveAsync } from '../sql/sql-runner.js';
import { PG_MIGRATIONS, PG_SCHEMA_VERSION } from './migrations.js';
import { inTransaction } from './pg-transaction.js';

export { isPostgresUrl, redactPostgresUrl } from './postgres-url.js';

/** Any key will do as long as it is Backtalk's own: every instance starting up queues on it. */
const MIGRATION_LOCK = 0x6261_636b; // "back"

/**
 * The 64-bit integers of this schema (ids, millisecond times, counts) as JavaScript numbers: ids and
 * times stay far below 2^53, and the rest of the code expects numbers, not pg's default strings.
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 && format !== 'binary' ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export interface PoolOptions {
  /** Most connections this process opens; several instances share the server's max_connections. */
  max?: number;
}

export function createPool(url: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, types, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000 });
  // An idle connection dropped by the server (restart, failover) must not crash the process; the
  // pool opens a new one on the next query.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Brings the database to PG_SCHEMA_VERSION. Runs under a session advisory lock, so instances started
 * together take turns: the first creates or migrates, the others find the work done.
 */
export async function migratePostgres(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      const exists = await client.query<{ t: string | null }>(`SELECT to_regclass('backtalk_schema')::text AS t`);
      if (exists.rows[0]?.t == null) {
        const schema = readFileSync(join(projectRoot(), 'schema.postgres.sql'), 'utf8');
        await inTransaction(client, () => client.query(schema));
        return;
      }
      const row = await client.query<{ version: number }>('SELECT version FROM backtalk_schema');
      const version = row.rows[0]?.version ?? 0;
      if (version > PG_SCHEMA_VERSION) {
        throw new Error(`database schema version ${version} is newer than this Backtalk (${PG_SCHEMA_VERSION}); upgrade Backtalk`);
      }
      for (let v = version; v < PG_SCHEMA_VERSION; v++) {
        const step = PG_MIGRATIONS[v];
        if (step === undefined) throw new Error(`no PostgreSQL migration from schema version ${v}`);
        await inTransaction(client, async () => {
          if (typeof step === 'string') await client.query(step);
          else await runDataMigration(client, step);
          await client.query('UPDATE backtalk_schema SET version = $1', [v + 1]);
        });
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

/** Runs a data migration's queries on the migrating connection, inside its transaction. */
async function runDataMigration(client: pg.PoolClient, step: DataMigration): Promise<void> {
  await driveAsync(step(postgresBuilder()), async (query) => {
    if (query.op === 'lock') return undefined;
    const result = await client.query(query.query.sql, query.query.parameters as unknown[]);
    return query.op === 'all' ? result.rows : query.op === 'first' ? result.rows[0] : (result.rowCount ?? 0);
  });
}
