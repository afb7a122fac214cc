import type pg from 'pg';
import type { Store } from '../repository.js';
import { PgRunner } from '../sql/pg-runner.js';
import { createSqlStore } from '../sql-store.js';
import { backupPostgres } from './backup.js';
import { createPool, migratePostgres, redactPostgresUrl, type PoolOptions } from './open-postgres.js';

/** The PostgreSQL backend of Store over an existing, migrated pool: the shared repositories. close() ends the pool. */
export function createPostgresStore(pool: pg.Pool): Store {
  return createSqlStore(new PgRunner(pool), {
    // A SQLite file of the whole database, from one snapshot: restore it with `backtalk migrate`.
    backup: (file) => backupPostgres(pool, file),
    sharedPool: pool,
    close: async () => {
      if (!pool.ended) await pool.end();
    },
  });
}

/** Connects, migrates (under the advisory lock) and returns the store. */
export async function openPostgresStore(url: string, options: PoolOptions = {}): Promise<Store> {
  const pool = createPool(url, options);
  try {
    await migratePostgres(pool);
  } catch (err) {
    await pool.end();
    throw new Error(`cannot open PostgreSQL database ${redactPostgresUrl(url)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return createPostgresStore(pool);
}
