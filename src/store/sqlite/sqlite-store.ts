import type { Store } from '../repository.js';
import { SqliteRunner } from '../sql/sqlite-runner.js';
import { createSqlStore } from '../sql-store.js';
import { openSqlite, type SqliteDatabase } from './open-sqlite.js';
import { backupSqlite } from './backup.js';
import { WalDurability, type WalDurabilityOptions } from './wal-durability.js';

export type SqliteStoreOptions = WalDurabilityOptions;

/**
 * The SQLite backend of Store: the shared repositories over one better-sqlite3 connection. A file
 * database commits in groups, syncing off the event loop (wal-durability.ts); if its -wal file
 * cannot be opened for that, the connection keeps synchronous=FULL and syncs at each COMMIT.
 */
export function createSqliteStore(db: SqliteDatabase, options: SqliteStoreOptions = {}): Store {
  const durability = db.memory ? undefined : groupCommitOrNone(db, options);
  return createSqlStore(new SqliteRunner(db, durability), {
    backup: (file) => backupSqlite(db, file),
    close: async () => {
      await durability?.close();
      if (db.open) {
        // Fold the WAL back into the main file so a copied .db is complete on its own.
        db.pragma('wal_checkpoint(TRUNCATE)');
        db.close();
      }
    },
  });
}

function groupCommitOrNone(db: SqliteDatabase, options: SqliteStoreOptions): WalDurability | undefined {
  try {
    return new WalDurability(db, options);
  } catch {
    return undefined;
  }
}

export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): Store {
  return createSqliteStore(openSqlite(path), options);
}
