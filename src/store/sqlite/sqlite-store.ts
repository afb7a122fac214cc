import type { Store } from '../repository.js';
import { SqliteRunner } from '../sql/sqlite-runner.js';
import { createSqlStore } from '../sql-store.js';
import { openSqlite, type SqliteDatabase } from './open-sqlite.js';
import { backupSqlite } from './backup.js';

/** The SQLite backend of Store: the shared repositories over one better-sqlite3 connection. */
export function createSqliteStore(db: SqliteDatabase): Store {
  return createSqlStore(new SqliteRunner(db), {
    backup: (file) => backupSqlite(db, file),
    close: async () => {
      if (db.open) {
        // Fold the WAL back into the main file so a copied .db is complete on its own.
        db.pragma('wal_checkpoint(TRUNCATE)');
        db.close();
      }
    },
  });
}

export function openSqliteStore(path: string): Store {
  return createSqliteStore(openSqlite(path));
}
