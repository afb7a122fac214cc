/**
 * An Isso SQLite database (isso/db/threads.py and comments.py): threads(id, uri, title) and
 * comments(tid, id, parent, created, modified, mode, remote_addr, text, author, email, website, …).
 * Times are Unix seconds as floats; mode 1 is accepted, 2 waits for moderation, 4 is a deleted
 * comment kept because it has replies. Thread URIs are paths, resolved against the site's origin.
 * The file is opened read-only: importing never touches the Isso database.
 */
import Database from 'better-sqlite3';
import type { CommentStatus } from '../domain/comment.js';
import { ImportError, targetOf, toTransferComment, type ImportOptions, type ImportRecord } from './record.js';

const BATCH = 500;

interface IssoRow {
  id: number;
  parent: number | null;
  created: number;
  modified: number | null;
  mode: number;
  remote_addr: string | null;
  text: string | null;
  author: string | null;
  email: string | null;
  website: string | null;
  likes: number | null;
  dislikes: number | null;
  uri: string;
  title: string | null;
}

const MODES: Readonly<Record<number, CommentStatus>> = { 1: 'approved', 2: 'pending', 4: 'approved' };

export async function* readIsso(
  file: string, site: string, options: ImportOptions, onProgress?: (done: number, total: number) => void,
): AsyncGenerator<ImportRecord[]> {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new ImportError(file, `cannot open it as SQLite: ${(err as Error).message}`);
  }
  try {
    let tables: Set<string>;
    try {
      tables = new Set((db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as Array<{ name: string }>).map((r) => r.name));
    } catch (err) {
      throw new ImportError(file, `cannot open it as SQLite: ${(err as Error).message}`);
    }
    if (!tables.has('threads') || !tables.has('comments')) {
      throw new ImportError(file, 'not an Isso database (it has no threads and comments tables)');
    }
    const total = (db.prepare(`SELECT count(*) AS n FROM comments`).get() as { n: number }).n;
    // Isso has counted likes and dislikes since its first schema; a file without them imports none.
    const columns = new Set((db.prepare(`SELECT name FROM pragma_table_info('comments')`).all() as Array<{ name: string }>).map((r) => r.name));
    const votes = columns.has('likes') && columns.has('dislikes') ? 'c.likes, c.dislikes' : 'NULL AS likes, NULL AS dislikes';
    const seen = new Set<number>();
    let batch: ImportRecord[] = [];
    let done = 0;
    const rows = db.prepare(`SELECT c.id, c.parent, c.created, c.modified, c.mode, c.remote_addr, c.text, c.author, c.email,
        c.website, ${votes}, t.uri, t.title, t.id AS tid FROM comments c JOIN threads t ON t.id = c.tid ORDER BY c.id`).iterate() as
      IterableIterator<IssoRow & { tid: number }>;
    for (const row of rows) {
      const where = `comment ${row.id} of ${row.uri}`;
      let target: string;
      try {
        target = targetOf(new URL(row.uri, site).href, where);
      } catch {
        throw new ImportError(where, `the thread URI "${row.uri}" does not resolve against ${site}`);
      }
      if (!seen.has(row.tid)) {
        seen.add(row.tid);
        batch.push({ type: 'thread', thread: { target, title: row.title, commentsClosed: false, linkbacksClosed: false, created: new Date(row.created * 1000) } });
      }
      const status = MODES[row.mode];
      if (!status) throw new ImportError(where, `unknown mode ${row.mode}`);
      batch.push({
        type: 'comment',
        comment: toTransferComment({
          key: `isso:${site}#${row.id}`,
          parentKey: row.parent === null ? null : `isso:${site}#${row.parent}`,
          target, kind: 'comment', status,
          author: row.author ?? '', email: row.email ?? '', url: row.website ?? '', ip: row.remote_addr ?? '',
          body: row.text ?? '', bodyFormat: 'markdown',
          created: new Date(row.created * 1000),
          edited: row.modified === null ? null : new Date(row.modified * 1000),
          deleted: row.mode === 4,
          // Isso's counts carry over as they are; its voters (a Bloom filter of addresses) cannot.
          likes: row.likes ?? 0,
          dislikes: row.dislikes ?? 0,
        }, options),
      });
      done++;
      if (batch.length >= BATCH) {
        onProgress?.(done, total);
        yield batch;
        batch = [];
      }
    }
    onProgress?.(done, total);
    if (batch.length > 0) yield batch;
  } finally {
    db.close();
  }
}
