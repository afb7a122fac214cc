/**
 * Picks the backend from BACKTALK_DB: a `postgres://` or `postgresql://` URL selects PostgreSQL (one
 * connection pool, schema migrated under an advisory lock, so several instances can share it);
 * anything else is a SQLite file path, as before.
 */
import type { Store } from './repository.js';
import { isPostgresUrl, redactPostgresUrl } from './postgres/postgres-url.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';

export { isPostgresUrl };

export async function openStore(db: string): Promise<Store> {
  if (!isPostgresUrl(db)) return openSqliteStore(db);
  // Loaded only here, so a SQLite server never loads the PostgreSQL driver.
  const { openPostgresStore } = await import('./postgres/pg-store.js');
  return openPostgresStore(db);
}

/** BACKTALK_DB as it may be printed: a PostgreSQL URL loses its password. */
export function describeDb(db: string): string {
  return isPostgresUrl(db) ? redactPostgresUrl(db) : db;
}
