/** Bulk moves for PostgreSQL: imports in one transaction, paged exports, personal-data requests, purging. */
import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';
import type { CommentStatus, Thread } from '../../domain/comment.js';
import type {
  EraseMode, EraseResult, ExportedComment, ImportCounts, ImportSession, PersonalData, TransferComment,
  TransferRepository, TransferThread,
} from '../repository.js';
import { bodyHash, COMMENT_COLUMNS, toComment, type CommentRow } from '../rows/comment-row.js';
import { toSubscriptionExport, type SubscriptionExportRow } from '../rows/subscription-row.js';
import { toThread, type ThreadRow } from '../rows/thread-row.js';
import { transaction } from './open-postgres.js';

/** Rows per page when exporting: enough to be quick, small enough that memory stays flat. */
const PAGE = 500;

export class PgTransferRepository implements TransferRepository {
  /** The connection of a readSnapshot under way; the exports read through it while it lasts. */
  private readonly snapshot = new AsyncLocalStorage<pg.PoolClient>();

  constructor(private readonly pool: pg.Pool) {}

  private reader(): pg.Pool | pg.PoolClient {
    return this.snapshot.getStore() ?? this.pool;
  }

  /** One REPEATABLE READ snapshot on one connection for every export read inside `work`. */
  async readSnapshot<T>(work: () => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        return await this.snapshot.run(client, work);
      } finally {
        await client.query('COMMIT');
      }
    } finally {
      client.release();
    }
  }

  async beginImport(): Promise<ImportSession> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`CREATE TEMP TABLE import_parents (key TEXT PRIMARY KEY, parent_key TEXT NOT NULL) ON COMMIT DROP`);
    } catch (err) {
      client.release(true);
      throw err;
    }
    return new PgImportSession(client);
  }

  async *exportThreads(): AsyncIterable<Thread> {
    for (let after = 0; ;) {
      const rows = (await this.reader().query<ThreadRow>(`SELECT * FROM threads WHERE id > $1 ORDER BY id LIMIT ${PAGE}`, [after])).rows;
      for (const row of rows) yield toThread(row);
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1]!.id;
    }
  }

  async *exportComments(instance: string, order: 'id' | 'thread' = 'id'): AsyncIterable<ExportedComment> {
    const byThread = order === 'thread';
    for (let cursor = { thread: 0, after: 0 }; ;) {
      const rows = (await this.reader().query<CommentRow & { source_key: string | null; key: string; parent_key: string | null }>(
        `SELECT ${COMMENT_COLUMNS}, c.source_key,
            coalesce(c.import_key, 'json:' || $1 || '#' || c.id) AS key,
            CASE WHEN p.id IS NULL THEN NULL ELSE coalesce(p.import_key, 'json:' || $1 || '#' || p.id) END AS parent_key
          FROM comments c JOIN threads t ON t.id = c.thread_id LEFT JOIN comments p ON p.id = c.parent_id
          WHERE ${byThread ? '(c.thread_id, c.id) > ($3, $2)' : 'c.id > $2 AND $3::bigint IS NOT NULL'}
          ORDER BY ${byThread ? 'c.thread_id, c.id' : 'c.id'} LIMIT ${PAGE}`,
        [instance, cursor.after, cursor.thread],
      )).rows;
      for (const row of rows) yield { ...toComment(row), sourceKey: row.source_key, key: row.key, parentKey: row.parent_key };
      if (rows.length < PAGE) return;
      const last = rows[rows.length - 1]!;
      cursor = { thread: last.thread_id, after: last.id };
    }
  }

  async counts(): Promise<{ threads: number; comments: number }> {
    const row = (await this.reader().query<{ threads: number; comments: number }>(
      `SELECT (SELECT count(*) FROM threads) AS threads, (SELECT count(*) FROM comments) AS comments`)).rows[0]!;
    return { threads: row.threads, comments: row.comments };
  }

  async personalData(email: string): Promise<PersonalData> {
    const comments = (await this.pool.query<CommentRow>(`SELECT ${COMMENT_COLUMNS} FROM comments c JOIN threads t ON t.id = c.thread_id
        WHERE c.email <> '' AND lower(c.email) = lower($1) ORDER BY c.id`, [email])).rows.map(toComment);
    const subscriptions = (await this.pool.query<SubscriptionExportRow>(
      `SELECT t.target, s.confirmed, s.created_at FROM subscriptions s JOIN threads t ON t.id = s.thread_id
        WHERE lower(s.email) = lower($1) ORDER BY s.id`, [email])).rows
      .map(toSubscriptionExport);
    return { email, comments, subscriptions };
  }

  erasePersonalData(email: string, mode: EraseMode): Promise<EraseResult> {
    return transaction(this.pool, async (db) => {
      const ids = (await db.query<{ id: number }>(`SELECT id FROM comments WHERE email <> '' AND lower(email) = lower($1) ORDER BY id DESC FOR UPDATE`, [email]))
        .rows.map((r) => r.id);
      const subscriptions = (await db.query(`DELETE FROM subscriptions WHERE lower(email) = lower($1)`, [email])).rowCount ?? 0;
      if (mode === 'anonymize') {
        await db.query(`UPDATE comments SET author = 'Anonymous', email = '', url = '', ip = '', user_agent = '',
            author_photo = NULL, edit_token_hash = NULL WHERE id = ANY($1::bigint[])`, [ids]);
        return { comments: ids.length, placeholders: 0, subscriptions };
      }
      const hasReplies = async (id: number) => ((await db.query(`SELECT 1 FROM comments WHERE parent_id = $1 LIMIT 1`, [id])).rowCount ?? 0) > 0;
      const remove = (id: number) => db.query(`DELETE FROM comments WHERE id = $1`, [id]);
      // Newest first frees most parents before they are looked at; the second loop removes
      // placeholders whose replies were all removed afterwards (as the SQLite backend does).
      const kept = new Set<number>();
      let removed = 0;
      for (const id of ids) {
        if (await hasReplies(id)) {
          await db.query(`UPDATE comments SET deleted = true, author = '', email = '', url = '', body_html = '', body_raw = '', body_hash = NULL,
              author_photo = NULL, edit_token_hash = NULL, ip = '', user_agent = '' WHERE id = $1`, [id]);
          kept.add(id);
        } else {
          await remove(id);
          removed++;
        }
      }
      for (let changed = true; changed;) {
        changed = false;
        for (const id of kept) {
          if (!(await hasReplies(id))) {
            await remove(id);
            kept.delete(id);
            removed++;
            changed = true;
          }
        }
      }
      return { comments: removed, placeholders: kept.size, subscriptions };
    });
  }

  async purge(statuses: readonly CommentStatus[], before: Date): Promise<number> {
    if (statuses.length === 0) return 0;
    const result = await this.pool.query(`DELETE FROM comments WHERE status = ANY($1::text[]) AND created_at < $2`, [[...statuses], before.getTime()]);
    return result.rowCount ?? 0;
  }
}

/**
 * One import as one PostgreSQL transaction on its own connection: a parse error halfway through
 * rolls everything back, and no other instance sees a half import. Parents are linked at the end
 * through a temporary table of (key, parent key) pairs, so a reply may come before its parent.
 */
class PgImportSession implements ImportSession {
  private readonly totals: ImportCounts = { threads: 0, comments: 0, skipped: 0 };
  private open = true;
  /** Thread ids by target, so a file's many comments per post cost one lookup per post (threads are never deleted). */
  private readonly threadIds = new Map<string, number>();

  constructor(private readonly client: pg.PoolClient) {}

  async importBatch(batch: { threads: readonly TransferThread[]; comments: readonly TransferComment[] }): Promise<ImportCounts> {
    this.assertOpen();
    const db = this.client;
    const counts: ImportCounts = { threads: 0, comments: 0, skipped: 0 };
    for (const t of batch.threads) {
      counts.threads += (await db.query(`INSERT INTO threads (target, title, comments_closed, linkbacks_closed, created_at)
          VALUES ($1, $2, $3, $4, $5) ON CONFLICT (target) DO NOTHING`,
        [t.target, t.title, t.commentsClosed, t.linkbacksClosed, t.created.getTime()])).rowCount ?? 0;
      if (t.title !== null) await db.query(`UPDATE threads SET title = $2 WHERE target = $1 AND title IS NULL`, [t.target, t.title]);
    }
    for (const c of batch.comments) {
      let threadId = this.threadIds.get(c.target) ??
        (await db.query<{ id: number }>(`SELECT id FROM threads WHERE target = $1`, [c.target])).rows[0]?.id;
      if (threadId === undefined) {
        // ON CONFLICT: a running instance may create the same thread meanwhile.
        const made = await db.query<{ id: number }>(`INSERT INTO threads (target, created_at) VALUES ($1, $2)
          ON CONFLICT (target) DO NOTHING RETURNING id`, [c.target, c.created.getTime()]);
        counts.threads += made.rowCount ?? 0;
        threadId = made.rows[0]?.id ?? (await db.query<{ id: number }>(`SELECT id FROM threads WHERE target = $1`, [c.target])).rows[0]!.id;
      }
      this.threadIds.set(c.target, threadId);
      // DO NOTHING on any unique index: a key imported before, or a second linkback from one source
      // to one post, is skipped.
      const inserted = (await db.query(`INSERT INTO comments (thread_id, kind, status, author, email, url, body_html, body_raw,
          source_url, source_key, title, mention_type, author_photo, ip, user_agent, reasons, edit_token_hash, deleted,
          created_at, edited_at, import_key, body_hash)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
        ON CONFLICT DO NOTHING`,
      [threadId, c.kind, c.status, c.author, c.email, c.url, c.bodyHtml, c.bodyRaw, c.source, c.sourceKey, c.title,
        c.mentionType, c.authorPhoto, c.ip, c.userAgent, JSON.stringify(c.reasons), c.editTokenHash, c.deleted,
        c.created.getTime(), c.edited?.getTime() ?? null, c.key, bodyHash(c.bodyRaw)])).rowCount ?? 0;
      if (inserted) {
        counts.comments++;
        if (c.parentKey !== null) {
          await db.query(`INSERT INTO import_parents (key, parent_key) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET parent_key = excluded.parent_key`,
            [c.key, c.parentKey]);
        }
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
      await this.client.query(`UPDATE comments c SET parent_id = p.id FROM import_parents ip JOIN comments p ON p.import_key = ip.parent_key
        WHERE c.import_key = ip.key`);
      await this.client.query('COMMIT');
      this.open = false;
      this.client.release();
    } catch (err) {
      await this.rollback();
      throw err;
    }
    return { ...this.totals };
  }

  async rollback(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    try {
      await this.client.query('ROLLBACK');
      this.client.release();
    } catch {
      this.client.release(true);
    }
  }

  private assertOpen(): void {
    if (!this.open) throw new Error('this import has already finished');
  }
}
