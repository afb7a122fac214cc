/**
 * Bulk moves for SQLite: imports inside one transaction, paged exports, personal-data requests,
 * purging and the online backup.
 */
import type { CommentStatus, Thread } from '../../domain/comment.js';
import type {
  EraseMode, EraseResult, ExportedComment, ImportCounts, ImportSession, PersonalData, TransferComment,
  TransferRepository, TransferThread,
} from '../repository.js';
import { bodyHash, COMMENT_COLUMNS, toComment, type CommentRow } from '../rows/comment-row.js';
import { toSubscriptionExport, type SubscriptionExportRow } from '../rows/subscription-row.js';
import { toThread, type ThreadRow } from '../rows/thread-row.js';
import type { SqliteDatabase } from './open-sqlite.js';

/** Rows per page when exporting: enough to be quick, small enough that memory stays flat. */
const PAGE = 500;

export class SqliteTransferRepository implements TransferRepository {
  constructor(private readonly db: SqliteDatabase) {}

  async beginImport(): Promise<ImportSession> {
    return new SqliteImportSession(this.db);
  }

  async *exportThreads(): AsyncIterable<Thread> {
    const page = this.db.prepare(`SELECT * FROM threads WHERE id > ? ORDER BY id LIMIT ${PAGE}`);
    let after = 0;
    for (;;) {
      const rows = page.all(after) as ThreadRow[];
      for (const row of rows) yield toThread(row);
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1]!.id;
    }
  }

  async *exportComments(instance: string, order: 'id' | 'thread' = 'id'): AsyncIterable<ExportedComment> {
    // Keyset paging on (thread_id, id) or id: each page is one indexed range read.
    const after = order === 'thread' ? '(c.thread_id, c.id) > (@thread, @after)' : 'c.id > @after';
    const orderBy = order === 'thread' ? 'c.thread_id, c.id' : 'c.id';
    const page = this.db.prepare(`SELECT ${COMMENT_COLUMNS}, c.source_key,
        coalesce(c.import_key, 'json:' || @instance || '#' || c.id) AS key,
        CASE WHEN p.id IS NULL THEN NULL ELSE coalesce(p.import_key, 'json:' || @instance || '#' || p.id) END AS parent_key
      FROM comments c JOIN threads t ON t.id = c.thread_id LEFT JOIN comments p ON p.id = c.parent_id
      WHERE ${after} ORDER BY ${orderBy} LIMIT ${PAGE}`);
    let cursor = { thread: 0, after: 0 };
    for (;;) {
      const rows = page.all({ instance, ...(order === 'thread' ? cursor : { after: cursor.after }) }) as
        Array<CommentRow & { source_key: string | null; key: string; parent_key: string | null }>;
      for (const row of rows) {
        const c = toComment(row);
        yield { ...c, sourceKey: row.source_key, key: row.key, parentKey: row.parent_key };
      }
      if (rows.length < PAGE) return;
      const last = rows[rows.length - 1]!;
      cursor = { thread: last.thread_id, after: last.id };
    }
  }

  async counts(): Promise<{ threads: number; comments: number }> {
    const row = this.db.prepare(`SELECT (SELECT count(*) FROM threads) AS threads, (SELECT count(*) FROM comments) AS comments`).get() as
      { threads: number; comments: number };
    return { threads: row.threads, comments: row.comments };
  }

  async readSnapshot<T>(work: () => Promise<T>): Promise<T> {
    // In WAL mode a read transaction sees the database as of its first read, and never blocks writers.
    this.db.exec('BEGIN');
    try {
      return await work();
    } finally {
      if (this.db.inTransaction) this.db.exec('COMMIT');
    }
  }

  async personalData(email: string): Promise<PersonalData> {
    const comments = (this.db.prepare(`SELECT ${COMMENT_COLUMNS} FROM comments c JOIN threads t ON t.id = c.thread_id
        WHERE c.email <> '' AND lower(c.email) = lower(?) ORDER BY c.id`).all(email) as CommentRow[]).map(toComment);
    const subscriptions = (this.db.prepare(`SELECT t.target, s.confirmed, s.created_at FROM subscriptions s
        JOIN threads t ON t.id = s.thread_id WHERE lower(s.email) = lower(?) ORDER BY s.id`).all(email) as
      SubscriptionExportRow[])
      .map(toSubscriptionExport);
    return { email, comments, subscriptions };
  }

  async erasePersonalData(email: string, mode: EraseMode): Promise<EraseResult> {
    const db = this.db;
    return db.transaction((): EraseResult => {
      const ids = (db.prepare(`SELECT id FROM comments WHERE email <> '' AND lower(email) = lower(?) ORDER BY id DESC`).all(email) as
        Array<{ id: number }>).map((r) => r.id);
      const subscriptions = db.prepare(`DELETE FROM subscriptions WHERE lower(email) = lower(?)`).run(email).changes;
      if (mode === 'anonymize') {
        const anonymize = db.prepare(`UPDATE comments SET author = 'Anonymous', email = '', url = '', ip = '', user_agent = '',
            author_photo = NULL, edit_token_hash = NULL WHERE id = ?`);
        for (const id of ids) anonymize.run(id);
        return { comments: ids.length, placeholders: 0, subscriptions };
      }
      const hasReplies = db.prepare(`SELECT 1 FROM comments WHERE parent_id = ? LIMIT 1`);
      const blank = db.prepare(`UPDATE comments SET deleted = 1, author = '', email = '', url = '', body_html = '', body_raw = '',
          author_photo = NULL, edit_token_hash = NULL, ip = '', user_agent = '' WHERE id = ?`);
      const remove = db.prepare(`DELETE FROM comments WHERE id = ?`);
      // Replies usually have higher ids, so going newest first frees most parents before they are
      // looked at; the second loop removes placeholders whose replies were all removed afterwards.
      const kept = new Set<number>();
      let removed = 0;
      for (const id of ids) {
        if (hasReplies.get(id)) {
          blank.run(id);
          kept.add(id);
        } else {
          remove.run(id);
          removed++;
        }
      }
      for (let changed = true; changed;) {
        changed = false;
        for (const id of kept) {
          if (!hasReplies.get(id)) {
            remove.run(id);
            kept.delete(id);
            removed++;
            changed = true;
          }
        }
      }
      return { comments: removed, placeholders: kept.size, subscriptions };
    })();
  }

  async purge(statuses: readonly CommentStatus[], before: Date): Promise<number> {
    if (statuses.length === 0) return 0;
    const list = statuses.map(() => '?').join(',');
    return this.db.prepare(`DELETE FROM comments WHERE status IN (${list}) AND created_at < ?`).run(...statuses, before.getTime()).changes;
  }
}

/**
 * One import as one SQLite transaction (BEGIN IMMEDIATE, so it waits for a running server's write
 * and then holds the write lock): a parse error halfway through rolls everything back.
 * Parents are linked at the end through a temporary table of (key, parent key) pairs, so a Disqus
 * reply may come before its parent and nothing but SQLite holds the pairs.
 */
class SqliteImportSession implements ImportSession {
  private readonly stmts;
  private readonly totals: ImportCounts = { threads: 0, comments: 0, skipped: 0 };
  private open = true;

  constructor(private readonly db: SqliteDatabase) {
    db.exec('BEGIN IMMEDIATE');
    db.exec(`CREATE TEMP TABLE IF NOT EXISTS import_parents (key TEXT PRIMARY KEY, parent_key TEXT NOT NULL)`);
    db.exec(`DELETE FROM temp.import_parents`);
    this.stmts = {
      thread: db.prepare(`INSERT INTO threads (target, title, comments_closed, linkbacks_closed, created_at)
          VALUES (@target, @title, @comments_closed, @linkbacks_closed, @created_at) ON CONFLICT (target) DO NOTHING`),
      fillTitle: db.prepare(`UPDATE threads SET title = @title WHERE target = @target AND title IS NULL AND @title IS NOT NULL`),
      threadId: db.prepare(`SELECT id FROM threads WHERE target = ?`),
      ensureThread: db.prepare(`INSERT INTO threads (target, created_at) VALUES (?, ?) ON CONFLICT (target) DO NOTHING`),
      // OR IGNORE: a key imported before, or a second linkback from one source to one post, is skipped.
      comment: db.prepare(`INSERT OR IGNORE INTO comments (thread_id, kind, status, author, email, url, body_html, body_raw,
          source_url, source_key, title, mention_type, author_photo, ip, user_agent, reasons, edit_token_hash, deleted,
          created_at, edited_at, import_key, body_hash)
        VALUES (@thread_id, @kind, @status, @author, @email, @url, @body_html, @body_raw, @source_url, @source_key, @title,
          @mention_type, @author_photo, @ip, @user_agent, @reasons, @edit_token_hash, @deleted, @created_at, @edited_at, @import_key,
          @body_hash)`),
      parent: db.prepare(`INSERT OR REPLACE INTO temp.import_parents (key, parent_key) VALUES (?, ?)`),
    };
  }

  async importBatch(batch: { threads: readonly TransferThread[]; comments: readonly TransferComment[] }): Promise<ImportCounts> {
    this.assertOpen();
    const counts: ImportCounts = { threads: 0, comments: 0, skipped: 0 };
    for (const t of batch.threads) {
      counts.threads += this.stmts.thread.run({
        target: t.target, title: t.title, comments_closed: t.commentsClosed ? 1 : 0,
        linkbacks_closed: t.linkbacksClosed ? 1 : 0, created_at: t.created.getTime(),
      }).changes;
      this.stmts.fillTitle.run({ target: t.target, title: t.title });
    }
    for (const c of batch.comments) {
      let row = this.stmts.threadId.get(c.target) as { id: number } | undefined;
      if (!row) {
        counts.threads += this.stmts.ensureThread.run(c.target, c.created.getTime()).changes;
        row = this.stmts.threadId.get(c.target) as { id: number };
      }
      const inserted = this.stmts.comment.run({
        thread_id: row.id, kind: c.kind, status: c.status, author: c.author, email: c.email, url: c.url,
        body_html: c.bodyHtml, body_raw: c.bodyRaw, source_url: c.source, source_key: c.sourceKey, title: c.title,
        mention_type: c.mentionType, author_photo: c.authorPhoto, ip: c.ip, user_agent: c.userAgent,
        reasons: JSON.stringify(c.reasons), edit_token_hash: c.editTokenHash, deleted: c.deleted ? 1 : 0,
        created_at: c.created.getTime(), edited_at: c.edited?.getTime() ?? null, import_key: c.key,
        body_hash: bodyHash(c.bodyRaw),
      }).changes;
      if (inserted) {
        counts.comments++;
        if (c.parentKey !== null) this.stmts.parent.run(c.key, c.parentKey);
      } else {
        counts.skipped++;
      }
    }
    this.totals.threads += counts.threads;
    this.totals.comments += counts.comments;
    this.totals.skipped += counts.skipped;
    return counts;
  }

  async commit(): Promise<ImportCounts> {
    this.assertOpen();
    try {
      // A parent missing from the file (or from the database) leaves the reply top-level.
      this.db.exec(`UPDATE comments SET parent_id = (
          SELECT p.id FROM temp.import_parents ip JOIN comments p ON p.import_key = ip.parent_key WHERE ip.key = comments.import_key)
        WHERE import_key IN (SELECT key FROM temp.import_parents)`);
      this.db.exec(`DELETE FROM temp.import_parents`);
      this.db.exec('COMMIT');
      this.open = false;
    } catch (err) {
      await this.rollback();
      throw err;
    }
    return { ...this.totals };
  }

  async rollback(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
  }

  private assertOpen(): void {
    if (!this.open) throw new Error('this import has already finished');
  }
}

/** better-sqlite3's online backup; each step copies what is left, so a busy server cannot keep restarting it. */
export async function backupSqlite(db: SqliteDatabase, file: string): Promise<void> {
  await db.backup(file, { progress: ({ remainingPages }) => Math.max(remainingPages, 100) });
}
