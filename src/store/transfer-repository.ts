/**
 * Bulk moves in and out of the store, for both databases: imports (import-session.ts), paged
 * exports, personal-data requests (GDPR Art. 15 and 17), purging.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { CommentStatus, Thread } from '../domain/comment.js';
import { blankComment } from './comment-repository.js';
import { SqlImportSession } from './import-session.js';
import type { EraseMode, EraseResult, ExportedComment, ImportSession, PersonalData, TransferRepository } from './repository.js';
import { toComment } from './rows/comment-row.js';
import { toSubscriptionExport } from './rows/subscription-row.js';
import { toThread } from './rows/thread-row.js';
import { selectComments } from './sql/comment-select.js';
import { literalLimit } from './sql/literal-limit.js';
import { beginSession, type SqlQueries } from './sql/sql-session.js';
import { all, run, type SqlRunner, type TxWork } from './sql/sql-runner.js';

/** Rows per page when exporting: enough to be quick, small enough that memory stays flat. */
const PAGE = 500;
/** Ids per IN list: well under either database's limit on bound parameters. */
const ID_LIST = 500;

/** Thrown out of a dry run's transaction to roll it back, carrying what the work answered. */
class RolledBack extends Error {
  constructor(readonly result: EraseResult) {
    super('dry run rolled back');
  }
}

/** The rows of one e-mail address, compared case-insensitively; '' is nobody's address. */
function ofAddress(column: string, email: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`${sql.ref(column)} <> '' AND lower(${sql.ref(column)}) = lower(${email})`;
}

export class SqlTransferRepository implements TransferRepository {
  /** The session of a readSnapshot under way: the exports read through it while it lasts. */
  private readonly snapshot = new AsyncLocalStorage<SqlQueries>();

  constructor(private readonly sql: SqlRunner) {}

  private get reader(): SqlQueries {
    return this.snapshot.getStore() ?? this.sql;
  }

  beginImport(): Promise<ImportSession> {
    return SqlImportSession.begin(this.sql);
  }

  async readSnapshot<T>(work: () => Promise<T>): Promise<T> {
    const session = await beginSession(this.sql, 'snapshot');
    try {
      return await this.snapshot.run(session, work);
    } finally {
      await session.rollback(); // read only: nothing to keep
    }
  }

  async *exportThreads(): AsyncIterable<Thread> {
    for (let after = 0; ;) {
      const { db } = this.reader;
      const rows = await this.reader.all(db.selectFrom('threads').selectAll().where('id', '>', after).orderBy('id').limit(literalLimit(PAGE)));
      for (const row of rows) yield toThread(row);
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1]!.id;
    }
  }

  async *exportComments(instance: string, order: 'id' | 'thread' = 'id'): AsyncIterable<ExportedComment> {
    const keyOf = (importKey: string | null, id: number) => importKey ?? `json:${instance}#${id}`;
    // Keyset paging on (thread_id, id) or id: each page is one indexed range read.
    for (let cursor = { thread: 0, after: 0 }; ;) {
      const { db } = this.reader;
      const page = selectComments(db).leftJoin('comments as p', 'p.id', 'c.parent_id')
        .select(['c.source_key', 'c.import_key', 'p.import_key as parent_import_key']).limit(literalLimit(PAGE));
      const rows = await this.reader.all(order === 'thread'
        ? page.where((eb) => eb(eb.refTuple('c.thread_id', 'c.id'), '>', eb.tuple(cursor.thread, cursor.after))).orderBy('c.thread_id').orderBy('c.id')
        : page.where('c.id', '>', cursor.after).orderBy('c.id'));
      for (const row of rows) {
        yield {
          ...toComment(row), sourceKey: row.source_key, key: keyOf(row.import_key, row.id),
          parentKey: row.parent_id === null ? null : keyOf(row.parent_import_key, row.parent_id),
        };
      }
      if (rows.length < PAGE) return;
      const last = rows[rows.length - 1]!;
      cursor = { thread: last.thread_id, after: last.id };
    }
  }

  async counts(): Promise<{ threads: number; comments: number }> {
    const { db } = this.reader;
    const row = await this.reader.first(db.selectNoFrom((eb) => [
      eb.selectFrom('threads').select(eb.fn.countAll<number>().as('n')).as('threads'),
      eb.selectFrom('comments').select(eb.fn.countAll<number>().as('n')).as('comments'),
    ]));
    return { threads: Number(row!.threads), comments: Number(row!.comments) };
  }

  async personalData(email: string): Promise<PersonalData> {
    const { db } = this.sql;
    const comments = await this.sql.all(selectComments(db).where(ofAddress('c.email', email)).orderBy('c.id'));
    const subscriptions = await this.sql.all(db.selectFrom('subscriptions as s').innerJoin('threads as t', 't.id', 's.thread_id')
      .select(['t.target', 's.confirmed', 's.created_at']).where(ofAddress('s.email', email)).orderBy('s.id'));
    return { email, comments: comments.map(toComment), subscriptions: subscriptions.map(toSubscriptionExport) };
  }

  async erasePersonalData(email: string, mode: EraseMode, opts: { dryRun?: boolean } = {}): Promise<EraseResult> {
    if (!opts.dryRun) return this.sql.transaction(() => this.erase(email, mode));
    // The real erase, then a rollback: the counts are exactly what it would do (placeholders depend
    // on which replies are removed first), from the same rule, without a second copy of it.
    const erase = (e: string, m: EraseMode) => this.erase(e, m);
    try {
      await this.sql.transaction(function* () {
        throw new RolledBack(yield* erase(email, mode));
      });
    } catch (err) {
      if (err instanceof RolledBack) return err.result;
      throw err;
    }
    throw new Error('unreachable: a dry run always rolls back');
  }

  private *erase(email: string, mode: EraseMode): TxWork<EraseResult> {
    const { db } = this.sql;
    const subscriptions = yield* run(db.deleteFrom('subscriptions').where(ofAddress('email', email)));
    if (mode === 'anonymize') {
      const comments = yield* run(db.updateTable('comments').set({
        author: 'Anonymous', email: '', url: '', ip: '', user_agent: '', author_photo: null, edit_token_hash: null,
      }).where(ofAddress('email', email)));
      return { comments, placeholders: 0, subscriptions };
    }
    // lower(email) has no index: the address's comments are found in one scan, then handled by id.
    const ids = (yield* all(db.selectFrom('comments').select('id').where(ofAddress('email', email)))).map((r) => r.id);
    const parts = Array.from({ length: Math.ceil(ids.length / ID_LIST) }, (_, i) => ids.slice(i * ID_LIST, (i + 1) * ID_LIST));
    // A comment goes when nothing but the same address's comments hang below it: removing leaves
    // until none is left finds exactly those, in as many rounds as such replies nest (one or two).
    // The rest keep their place for the others' replies, as blank placeholders.
    let comments = 0;
    let removed: number;
    do {
      removed = 0;
      for (const part of parts) {
        removed += yield* run(db.deleteFrom('comments').where('id', 'in', part)
          .where((eb) => eb.not(eb.exists(eb.selectFrom('comments as r').select(sql.lit(1).as('one')).whereRef('r.parent_id', '=', 'comments.id')))));
      }
      comments += removed;
    } while (removed > 0);
    let placeholders = 0;
    for (const part of parts) {
      placeholders += yield* run(blankComment(this.sql).where('id', 'in', part));
    }
    return { comments, placeholders, subscriptions };
  }

  async purge(statuses: readonly CommentStatus[], before: Date, opts: { dryRun?: boolean } = {}): Promise<number> {
    if (statuses.length === 0) return 0;
    const { db } = this.sql;
    if (opts.dryRun) {
      const row = await this.sql.first(db.selectFrom('comments').select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', 'in', [...statuses]).where('created_at', '<', before.getTime()));
      return Number(row?.n ?? 0);
    }
    return this.sql.run(db.deleteFrom('comments').where('status', 'in', [...statuses]).where('created_at', '<', before.getTime()));
  }
}
