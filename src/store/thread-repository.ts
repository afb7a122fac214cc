/** Threads, for both databases. */
import type { Thread } from '../domain/comment.js';
import type { AdminQueries } from './admin-queries.js';
import type { ThreadRepository, ThreadSummary } from './repository.js';
import { toThread, type ThreadRow } from './rows/thread-row.js';
import { prepared } from './sql/prepared.js';
import type { SqlRunner } from './sql/sql-runner.js';

export class SqlThreadRepository implements ThreadRepository {
  /** Every comment and every public read looks its thread up by target: compiled once (sql/prepared.ts). */
  private readonly byTarget;

  constructor(private readonly sql: SqlRunner, private readonly admin: AdminQueries) {
    this.byTarget = prepared((p: { target: string }) => this.selectThreads().where('target', '=', p.target));
  }

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
    const row = await this.sql.first(this.byTarget({ target }));
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

  async setTitleIfUnknown(id: number, title: string): Promise<boolean> {
    // One conditional UPDATE, so two first readers racing cannot overwrite each other's title.
    const changed = await this.sql.run(this.sql.db.updateTable('threads').set({ title })
      .where('id', '=', id).where('title', 'is', null));
    return changed > 0;
  }

  list(page: { limit: number; before?: number; q?: string }): Promise<ThreadSummary[]> {
    return this.admin.listThreads(page);
  }

  private selectThreads() {
    return this.sql.db.selectFrom('threads')
      .select(['id', 'target', 'title', 'comments_closed', 'linkbacks_closed', 'created_at']).$castTo<ThreadRow>();
  }
}
