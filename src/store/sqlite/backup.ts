import type { SqliteDatabase } from './open-sqlite.js';

/** better-sqlite3's online backup; each step copies what is left, so a busy server cannot keep restarting it. */
export async function backupSqlite(db: SqliteDatabase, file: string): Promise<void> {
  await db.backup(file, { progress: ({ remainingPages }) => Math.max(remainingPages, 100) });
}
