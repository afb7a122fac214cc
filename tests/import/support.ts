/** Temporary SQLite stores and fixture paths for the import/export tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { Comment } from '../../src/domain/comment.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/repository.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const fixture = (name: string): string => join(FIXTURES, name);

const dirs: string[] = [];
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'backtalk-import-'));
  dirs.push(dir);
  return dir;
}
export function removeTempDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export interface TempStore {
  store: Store;
  path: string;
  dir: string;
  close(): Promise<void>;
}

export function tempStore(): TempStore {
  const dir = tempDir();
  const path = join(dir, 'backtalk.db');
  const store = openSqliteStore(path);
  return { store, path, dir, close: () => store.close() };
}

/** Every comment of the store, oldest id first, read through the export path (all statuses). */
export async function allComments(store: Store): Promise<Array<Comment & { key: string; parentKey: string | null }>> {
  const out = [];
  for await (const c of store.transfer.exportComments('test')) out.push(c);
  return out;
}

export async function allThreads(store: Store) {
  const out = [];
  for await (const t of store.transfer.exportThreads()) out.push(t);
  return out;
}

/** Isso's schema, as isso/db/threads.py and isso/db/comments.py create it (with the later notification column). */
export function createIssoDatabase(path: string): Database.Database {
  const db = new Database(path);
  db.exec(`
    CREATE TABLE IF NOT EXISTS preferences (key VARCHAR PRIMARY KEY, value VARCHAR);
    CREATE TABLE IF NOT EXISTS threads (id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256));
    CREATE TABLE IF NOT EXISTS comments (
      tid REFERENCES threads(id), id INTEGER PRIMARY KEY, parent INTEGER,
      created FLOAT NOT NULL, modified FLOAT, mode INTEGER, remote_addr VARCHAR,
      text VARCHAR, author VARCHAR, email VARCHAR, website VARCHAR,
      likes INTEGER DEFAULT 0, dislikes INTEGER DEFAULT 0, voters BLOB NOT NULL,
      notification INTEGER DEFAULT 0);
    CREATE TRIGGER remove_stale_threads AFTER DELETE ON comments BEGIN
      DELETE FROM threads WHERE id NOT IN (SELECT tid FROM comments);
    END;
  `);
  db.pragma('user_version = 3');
  return db;
}
