import type { Thread } from '../../domain/comment.js';
import type { SettingsRepository, Store, ThreadRepository, ThreadSummary } from '../repository.js';
import { toThread, type ThreadRow } from '../rows/thread-row.js';
import { SqliteAdminQueries } from './sqlite-admin-queries.js';
import { openSqlite, type SqliteDatabase } from './open-sqlite.js';
import { SqliteCommentRepository } from './sqlite-comment-repository.js';
import { SqliteLinkbackLogRepository, SqliteWebmentionRepository } from './sqlite-webmention-repository.js';
import { backupSqlite, SqliteTransferRepository } from './sqlite-transfer-repository.js';
import { SqliteOutboxRepository } from './sqlite-outbox-repository.js';
import { SqliteSubscriptionRepository, SqliteUsedTokenRepository } from './sqlite-subscription-repository.js';
import { createSendRepository } from '../send-repository.js';
import { SqliteRunner } from '../sql/sqlite-runner.js';

class SqliteThreadRepository implements ThreadRepository {
  private readonly stmts;
  constructor(db: SqliteDatabase, private readonly admin: SqliteAdminQueries) {
    this.stmts = {
      // ON CONFLICT DO NOTHING + select keeps "create on first use" race-free across connections.
      create: db.prepare(`INSERT INTO threads (target, created_at) VALUES (?, ?) ON CONFLICT (target) DO NOTHING`),
      byTarget: db.prepare(`SELECT * FROM threads WHERE target = ?`),
      byId: db.prepare(`SELECT * FROM threads WHERE id = ?`),
      close: db.prepare(`UPDATE threads SET comments_closed = coalesce(@comments, comments_closed),
          linkbacks_closed = coalesce(@linkbacks, linkbacks_closed) WHERE id = @id`),
    };
  }

  async ensure(target: string, now: Date): Promise<Thread> {
    const existing = this.stmts.byTarget.get(target) as ThreadRow | undefined;
    if (existing) return toThread(existing);
    this.stmts.create.run(target, now.getTime());
    return toThread(this.stmts.byTarget.get(target) as ThreadRow);
  }

  async findByTarget(target: string): Promise<Thread | undefined> {
    const row = this.stmts.byTarget.get(target) as ThreadRow | undefined;
    return row && toThread(row);
  }

  async findById(id: number): Promise<Thread | undefined> {
    const row = this.stmts.byId.get(id) as ThreadRow | undefined;
    return row && toThread(row);
  }

  async setClosed(id: number, what: { comments?: boolean; linkbacks?: boolean }): Promise<void> {
    const flag = (v: boolean | undefined) => (v === undefined ? null : v ? 1 : 0);
    this.stmts.close.run({ id, comments: flag(what.comments), linkbacks: flag(what.linkbacks) });
  }

  async list(page: { limit: number; before?: number; q?: string }): Promise<ThreadSummary[]> {
    return this.admin.listThreads(page);
  }
}

class SqliteSettingsRepository implements SettingsRepository {
  private readonly stmts;

  constructor(db: SqliteDatabase) {
    this.stmts = {
      get: db.prepare(`SELECT value FROM settings WHERE key = ?`),
      set: db.prepare(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`),
      setIfAbsent: db.prepare(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`),
    };
  }

  async get(key: string): Promise<string | undefined> {
    return (this.stmts.get.get(key) as { value: string } | undefined)?.value;
  }

  async set(key: string, value: string): Promise<void> {
    this.stmts.set.run(key, value);
  }

  async setIfAbsent(key: string, value: string): Promise<string> {
    this.stmts.setIfAbsent.run(key, value);
    return (this.stmts.get.get(key) as { value: string }).value;
  }
}

/** The SQLite backend of Store. */
export function createSqliteStore(db: SqliteDatabase): Store {
  // One set of moderation queries (and one registration of their SQL function) for both repositories.
  const admin = new SqliteAdminQueries(db);
  return {
    threads: new SqliteThreadRepository(db, admin),
    comments: new SqliteCommentRepository(db, admin),
    settings: new SqliteSettingsRepository(db),
    webmentions: new SqliteWebmentionRepository(db),
    linkbackLog: new SqliteLinkbackLogRepository(db),
    outbox: new SqliteOutboxRepository(db),
    subscriptions: new SqliteSubscriptionRepository(db),
    usedTokens: new SqliteUsedTokenRepository(db),
    transfer: new SqliteTransferRepository(db),
    sends: createSendRepository(new SqliteRunner(db)),
    backup: (file) => backupSqlite(db, file),
    ping: async () => db.prepare('SELECT 1 AS ok').get() !== undefined,
    close: async () => {
      if (db.open) {
        // Fold the WAL back into the main file so a copied .db is complete on its own.
        db.pragma('wal_checkpoint(TRUNCATE)');
        db.close();
      }
    },
  };
}

export function openSqliteStore(path: string): Store {
  return createSqliteStore(openSqlite(path));
}
