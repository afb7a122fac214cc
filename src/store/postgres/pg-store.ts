import type pg from 'pg';
import type { Thread } from '../../domain/comment.js';
import type { SettingsRepository, Store, ThreadRepository, ThreadSummary } from '../repository.js';
import { toThread, type ThreadRow } from '../rows/thread-row.js';
import { backupPostgres } from './backup.js';
import { createPool, migratePostgres, redactPostgresUrl, type PoolOptions } from './open-postgres.js';
import { listThreads } from './pg-admin-queries.js';
import { PgCommentRepository } from './pg-comment-repository.js';
import { PgOutboxRepository, PgSubscriptionRepository, PgUsedTokenRepository } from './pg-outbox-repository.js';
import { PgTransferRepository } from './pg-transfer-repository.js';
import { PgLinkbackLogRepository, PgWebmentionRepository } from './pg-webmention-repository.js';
import { createSendRepository } from '../send-repository.js';
import { PgRunner } from '../sql/pg-runner.js';

class PgThreadRepository implements ThreadRepository {
  constructor(private readonly pool: pg.Pool) {}

  async ensure(target: string, now: Date): Promise<Thread> {
    const existing = await this.findByTarget(target);
    if (existing) return existing;
    // Create-on-first-use is race-free across instances: the loser's insert does nothing and it
    // reads the winner's row.
    await this.pool.query({
      name: 'threads-create',
      text: `INSERT INTO threads (target, created_at) VALUES ($1, $2) ON CONFLICT (target) DO NOTHING`,
      values: [target, now.getTime()],
    });
    return (await this.findByTarget(target))!;
  }

  async findByTarget(target: string): Promise<Thread | undefined> {
    const result = await this.pool.query<ThreadRow>({ name: 'threads-by-target', text: `SELECT * FROM threads WHERE target = $1`, values: [target] });
    return result.rows[0] && toThread(result.rows[0]);
  }

  async findById(id: number): Promise<Thread | undefined> {
    const result = await this.pool.query<ThreadRow>({ name: 'threads-by-id', text: `SELECT * FROM threads WHERE id = $1`, values: [id] });
    return result.rows[0] && toThread(result.rows[0]);
  }

  async setClosed(id: number, what: { comments?: boolean; linkbacks?: boolean }): Promise<void> {
    await this.pool.query({
      name: 'threads-close',
      text: `UPDATE threads SET comments_closed = coalesce($2, comments_closed), linkbacks_closed = coalesce($3, linkbacks_closed) WHERE id = $1`,
      values: [id, what.comments ?? null, what.linkbacks ?? null],
    });
  }

  list(page: { limit: number; before?: number; q?: string }): Promise<ThreadSummary[]> {
    return listThreads(this.pool, page);
  }
}

class PgSettingsRepository implements SettingsRepository {
  constructor(private readonly pool: pg.Pool) {}

  async get(key: string): Promise<string | undefined> {
    const result = await this.pool.query<{ value: string }>({ name: 'settings-get', text: `SELECT value FROM settings WHERE key = $1`, values: [key] });
    return result.rows[0]?.value;
  }

  async set(key: string, value: string): Promise<void> {
    await this.pool.query({
      name: 'settings-set',
      text: `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      values: [key, value],
    });
  }

  async setIfAbsent(key: string, value: string): Promise<string> {
    // One statement cannot both insert-or-skip and return the winner's value when it skipped, so a
    // second read follows; the key is never deleted, so the read finds it.
    await this.pool.query({ name: 'settings-set-if-absent', text: `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, values: [key, value] });
    return (await this.get(key))!;
  }
}

/** The PostgreSQL backend of Store over an existing, migrated pool. close() ends the pool. */
export function createPostgresStore(pool: pg.Pool): Store {
  return {
    threads: new PgThreadRepository(pool),
    comments: new PgCommentRepository(pool),
    settings: new PgSettingsRepository(pool),
    webmentions: new PgWebmentionRepository(pool),
    linkbackLog: new PgLinkbackLogRepository(pool),
    outbox: new PgOutboxRepository(pool),
    subscriptions: new PgSubscriptionRepository(pool),
    usedTokens: new PgUsedTokenRepository(pool),
    transfer: new PgTransferRepository(pool),
    sends: createSendRepository(new PgRunner(pool)),
    // A SQLite file of the whole database, from one snapshot: restore it with `backtalk migrate`.
    backup: (file) => backupPostgres(pool, file),
    sharedPool: pool,
    ping: async () => {
      try {
        return (await pool.query('SELECT 1 AS ok')).rowCount === 1;
      } catch {
        return false;
      }
    },
    close: async () => {
      if (!pool.ended) await pool.end();
    },
  };
}

/** Connects, migrates (under the advisory lock) and returns the store. */
export async function openPostgresStore(url: string, options: PoolOptions = {}): Promise<Store> {
  const pool = createPool(url, options);
  try {
    await migratePostgres(pool);
  } catch (err) {
    await pool.end();
    throw new Error(`cannot open PostgreSQL database ${redactPostgresUrl(url)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return createPostgresStore(pool);
}
