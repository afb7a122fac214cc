import type { Store } from '../repository.js';
import { SqliteRunner } from '../sql/sqlite-runner.js';
import { createSqlStore } from '../sql-store.js';
import { openSqlite, type SqliteDatabase } from './open-sqlite.js';
import { backupSqlite } from './backup.js';
import { WalDurability, type WalDurabilityOptions, type WalDurabilityStats } from './wal-durability.js';

export type SqliteStoreOptions = WalDurabilityOptions;

const durabilities = new WeakMap<Store, WalDurability>();

/** How a SQLite store's writes were batched and synced so far; undefined without group commit (':memory:'). */
export function groupCommitStats(store: Store): WalDurabilityStats | undefined {
  return durabilities.get(store)?.stats;
}

/**
 * The SQLite backend of Store: the shared repositories over one better-sqlite3 connection. A file
 * database commits in groups, syncing off the event loop (wal-durability.ts); if its -wal file
 * cannot be opened for that, the connection keeps synchronous=FULL and syncs at each COMMIT.
 */
export function createSqliteStore(db: SqliteDatabase, options: SqliteStoreOptions = {}): Store {
  const durability = db.memory ? undefined : groupCommitOrNone(db, options);
  const runner = new SqliteRunner(db, durability);
  const store = createSqlStore(runner, {
    backup: (file) => backupSqlite(db, file),
    // Pages read again later come from the kernel's file cache, not the disk.
    releaseMemory: () => {
      if (db.open) db.pragma('shrink_memory');
    },
    close: async () => {
      // Writes asked for before close are answered first (committed and synced, or refused).
      await runner.settled();
      await durability?.close();
      if (db.open) {
        // Fold the WAL back into the main file so a copied .db is complete on its own.
        db.pragma('wal_checkpoint(TRUNCATE)');
        db.close();
      }
      durability?.release();
    },
  });
  if (durability) durabilities.set(store, durability);
  return store;
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
