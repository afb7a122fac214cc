/** Threads and settings, for both databases. */
import type { Thread } from '../domain/comment.js';
import type { AdminQueries } from './admin-queries.js';
import type { SettingsRepository, ThreadRepository, ThreadSummary } from './repository.js';
import { toThread, type ThreadRow } from './rows/thread-row.js';
import type { SqlRunner } from './sql/sql-runner.js';

export class SqlThreadRepository implements ThreadRepository {
  constructor(private readonly sql: SqlRunner, private readonly admin: AdminQueries) {}

  async ensure(target: string, now: Date): Promise<Thread> {
    const existing = await this.findByTarget(target);
    if (existing) return existing;
    // Create-on-first-use is race-free across connections and instances: the loser's insert does
    // nothing and it reads the winner's row.
    await this.sql.run(this.sql.db.insertInto('threads').values({ target, created_at: now.getTime() })
      .onConflict((oc) => oc.column('target').doNothing()));
    return (await this.findByTarget(target))!;
  }

  async findByTarget(target: string): Promise<Thread | undefined> {
    const row = await this.sql.first(this.selectThreads().where('target', '=', target));
    return row && toThread(row);
  }

  async findById(id: number): Promise<Thread | undefined> {
    const row = await this.sql.first(this.selectThreads().where('id', '=', id));
    return row && toThread(row);
  }

  async setClosed(id: number, what: { comments?: boolean; linkbacks?: boolean }): Promise<void> {
    if (what.comments === undefined && what.linkbacks === undefined) return;
    await this.sql.run(this.sql.db.updateTable('threads')
      .set({ comments_closed: what.comments, linkbacks_closed: what.linkbacks }).where('id', '=', id));
  }

  list(page: { limit: number; before?: number; q?: string }): Promise<ThreadSummary[]> {
    return this.admin.listThreads(page);
  }

  private selectThreads() {
    return this.sql.db.selectFrom('threads')
      .select(['id', 'target', 'title', 'comments_closed', 'linkbacks_closed', 'created_at']).$castTo<ThreadRow>();
  }
}

export class SqlSettingsRepository implements SettingsRepository {
  constructor(private readonly sql: SqlRunner) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.sql.first(this.sql.db.selectFrom('settings').select('value').where('key', '=', key)))?.value;
  }

  async set(key: string, value: string): Promise<void> {
    await this.sql.run(this.sql.db.insertInto('settings').values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ value: eb.ref('excluded.value') }))));
  }

  async setIfAbsent(key: string, value: string): Promise<string> {
    // One statement cannot both insert-or-skip and return the winner's value when it skipped, so a
    // read follows; a key is never deleted, so the read finds it.
    await this.sql.run(this.sql.db.insertInto('settings').values({ key, value }).onConflict((oc) => oc.column('key').doNothing()));
    return (await this.get(key))!;
  }
}
