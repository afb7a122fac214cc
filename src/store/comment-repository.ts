/**
 * The comment rules, written once for both databases: what a thread shows, what counts as a
 * duplicate, who is trusted, how a removed comment with replies stays as a placeholder.
 */
import { sql, type Compilable, type Insertable } from 'kysely';
import type { Comment, CommentStatus, NewComment } from '../domain/comment.js';
import type { AdminQueries } from './admin-queries.js';
import type { ThreadPage, ThreadPageRequest } from '../domain/thread-page.js';
import { withOutbox, writeOutboxPlan } from './outbox-plan.js';
import { listThreadPage } from './thread-pages.js';
import type { CommentEdit, CommentRepository, CommentSearch, InsertResult, LinkbackUpdate, OutboxPlan, ThreadForComment } from './repository.js';
import { bodyHash, insertedComment, toComment, toInsertParams } from './rows/comment-row.js';
import { isSet } from './rows/flag.js';
import { toThread } from './rows/thread-row.js';
import { selectComments, statusLiteral } from './sql/comment-select.js';
import { prepared } from './sql/prepared.js';
import type { CommentsTable } from './sql/schema-types.js';
import { LIMIT_ONE } from './sql/literal-limit.js';
import { first, run, type SqlRunner, type TxWork } from './sql/sql-runner.js';
import { StampedCache } from './sql/stamped-cache.js';

const APPROVED = statusLiteral('approved');
/** `SELECT 1` for existence tests. */
const ONE = sql.lit(1);
const NO_EMAIL = sql.lit('');
/** The outer query's thread, in a subquery correlated to `threads as t`. */
const OUTER_THREAD = sql.ref<number>('t.id');

/** A type, not an interface: prepared() takes its parameters as a plain record. */
type SameBody = {
  threadId: number;
  hash: string;
  bodyRaw: string;
};

/**
 * The duplicate check's rows, found through comments_same_body (thread_id, body_hash): the few
 * rows of the thread with the same hash, never the author's other comments. No hash ('': rows
 * stored before schema v4, or copied from such a database): compared in full. (A NULL hash is only
 * ever on a removed placeholder, which the `deleted` test excludes.)
 */
function sameBody(runner: SqlRunner, p: SameBody) {
  return sameBodyAnyThread(runner, p).where('thread_id', '=', p.threadId);
}

/** sameBody without its thread: correlated to the outer `threads as t` in findThreadForComment. */
function sameBodyAnyThread(runner: SqlRunner, p: Omit<SameBody, 'threadId'>) {
  return runner.db.selectFrom('comments').select(ONE.as('one'))
    .where('body_hash', 'in', [p.hash, sql.lit('')])
    .where('body_raw', '=', p.bodyRaw).where('status', '<>', statusLiteral('trash')).where(runner.dialect.isFalse('deleted'))
    .limit(LIMIT_ONE);
}

/** A thread by target, with whether `repeat` (an existence test correlated to `t.id`) finds a row. */
function threadWithRepeat(runner: SqlRunner, target: string, repeat: ReturnType<typeof sameBodyAnyThread>) {
  return runner.db.selectFrom('threads as t')
    .select((eb) => ['t.id', 't.target', 't.title', 't.comments_closed', 't.linkbacks_closed', 't.created_at', eb.exists(repeat).as('repeated')])
    .where('t.target', '=', target);
}

/**
 * Contract v1.1: pinned top-level comments first, each group in thread (id) order. A stable
 * partition of rows already read in index order: cheaper than an SQL sort on an expression, which
 * no index serves (that sort measured roughly a fifth slower for a 1,000-comment thread on SQLite).
 */
function pinnedFirst(comments: Comment[]): Comment[] {
  const pinned = comments.filter((c) => c.pinned && c.parent === null);
  return pinned.length === 0 ? comments : [...pinned, ...comments.filter((c) => !(c.pinned && c.parent === null))];
}

export class SqlCommentRepository implements CommentRepository {
  /** The hot paths, compiled once (sql/prepared.ts). */
  private readonly q;

  /** Thread versions read since the database last changed (null: no thread readers can see). */
  private readonly versionCache = new StampedCache<string, string | null>(4096);

  constructor(private readonly sql: SqlRunner, private readonly admin: AdminQueries) {
    const { db, dialect } = sql;
    this.q = {
      // The partial unique index on (thread_id, source_key) decides duplicate linkbacks inside the
      // database, so two identical pings arriving together (at any instance) still store one row.
      // RETURNING the thread's target too (a subquery in the same statement), so the stored comment
      // is built from what was inserted instead of being selected back (rows/comment-row.ts).
      insert: prepared((row: Insertable<CommentsTable>) => db.insertInto('comments').values(row)
        .onConflict((oc) => oc.columns(['thread_id', 'source_key']).where('source_key', 'is not', null).doNothing())
        .returning((eb) => ['id', eb.selectFrom('threads').select('threads.target')
          .whereRef('threads.id', '=', 'comments.thread_id').$asScalar().$notNull().as('target')])),
      byId: prepared((p: { id: number }) => selectComments(db).where('c.id', '=', p.id)),
      // Every TrackBack, Pingback and Webmention asks it before anything else.
      linkback: prepared((p: { threadId: number; sourceKey: string }) => selectComments(db)
        .where('c.thread_id', '=', p.threadId).where('c.source_key', '=', p.sourceKey)),
      // The same author by e-mail when there is one, else by name: two statements, as prepared()
      // builds one SQL text per query (the column compared cannot depend on a parameter).
      sameBodyByEmail: prepared((p: SameBody & { email: string }) => sameBody(sql, p).where('email', '=', p.email)),
      sameBodyByName: prepared((p: SameBody & { author: string }) => sameBody(sql, p).where('author', '=', p.author)),
      // The thread of a new comment and whether its author said the same there before, in one
      // statement: one read (and on SQLite one read transaction) instead of two before each insert.
      threadByEmail: prepared((p: Omit<SameBody, 'threadId'> & { target: string; email: string }) => threadWithRepeat(sql, p.target,
        sameBodyAnyThread(sql, p).where('thread_id', '=', OUTER_THREAD).where('email', '=', p.email))),
      threadByName: prepared((p: Omit<SameBody, 'threadId'> & { target: string; author: string }) => threadWithRepeat(sql, p.target,
        sameBodyAnyThread(sql, p).where('thread_id', '=', OUTER_THREAD).where('author', '=', p.author))),
      approvedFrom: prepared((p: { email: string; author: string }) => db.selectFrom('comments').select(ONE.as('one'))
        .where('email', '=', p.email).where('email', '<>', NO_EMAIL).where('author', '=', p.author)
        .where('status', '=', APPROVED).where(dialect.isFalse('deleted'))
        .limit(LIMIT_ONE)),
      visible: prepared((p: { threadId: number }) => selectComments(db)
        .where('c.thread_id', '=', p.threadId).where('c.status', '=', APPROVED)
        .where((eb) => eb.or([
          dialect.isFalse('c.deleted'),
          // A removed comment stays (as a placeholder) while it has approved replies.
          eb.exists(eb.selectFrom('comments as r').select(ONE.as('one')).whereRef('r.parent_id', '=', 'c.id').where('r.status', '=', APPROVED)),
        ]))
        .orderBy('c.id')),
      // Counted from the partial index comments_visible_count alone (no comment rows read).
      countVisible: prepared((p: { targets: string[] }) => db.selectFrom('threads as t')
        .select((eb) => ['t.target', eb.selectFrom('comments as c').select(eb.fn.countAll<number>().as('n'))
          .whereRef('c.thread_id', '=', 't.id').where('c.status', '=', APPROVED).where(dialect.isFalse('c.deleted'))
          .as('n')])
        .where('t.target', 'in', p.targets)),
      // Only threads with an approved row (shown, or a placeholder's removed comment) have a tag: a
      // thread that exists because a held comment created it reads like no thread at all (issue 14.12).
      versions: prepared((p: { targets: string[] }) => db.selectFrom('threads as t')
        .select(['t.target', 't.id', 't.created_at', 't.version']).where('t.target', 'in', p.targets)
        .where((eb) => eb.exists(eb.selectFrom('comments as c').select(ONE.as('one'))
          .whereRef('c.thread_id', '=', 't.id').where('c.status', '=', APPROVED)))),
    };
  }

  async insert(comment: NewComment, outbox?: OutboxPlan): Promise<InsertResult> {
    const row = toInsertParams(comment);
    const query = this.q.insert(row);
    const inserted = outbox
      ? await withOutbox(this.sql, outbox, function* () {
        const added = yield* first(query);
        const stored = added && insertedComment(row, added.id, added.target);
        return { value: stored, id: added?.id, comment: stored };
      })
      : await this.sql.first(query).then((added) => added && insertedComment(row, added.id, added.target));
    if (inserted) return { kind: 'inserted', comment: inserted };
    const existing = comment.sourceKey === null ? undefined : await this.findLinkback(comment.threadId, comment.sourceKey);
    if (!existing) throw new Error(`linkback insert conflicted but no row was found for thread ${comment.threadId}`);
    return { kind: 'duplicate-linkback', existing };
  }

  async findById(id: number): Promise<Comment | undefined> {
    const row = await this.sql.first(this.q.byId({ id }));
    return row && toComment(row);
  }

  async listVisible(threadId: number): Promise<Comment[]> {
    return pinnedFirst((await this.sql.all(this.q.visible({ threadId }))).map(toComment));
  }

  listPage(threadId: number, page: ThreadPageRequest): Promise<ThreadPage> {
    return listThreadPage(this.sql, threadId, page);
  }

  async countComments(threadId: number): Promise<number> {
    const row = await this.sql.first(this.sql.db.selectFrom('comments').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('thread_id', '=', threadId).where('status', '=', APPROVED).where('kind', '=', sql.lit('comment'))
      .where(this.sql.dialect.isFalse('deleted')));
    return Number(row?.n ?? 0);
  }

  async countVisible(targets: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if (targets.length === 0) return counts;
    const rows = await this.sql.all(this.q.countVisible({ targets: [...new Set(targets)] }));
    for (const row of rows) counts.set(row.target, Number(row.n));
    return counts;
  }

  async threadVersions(targets: readonly string[]): Promise<Map<string, string>> {
    const versions = new Map<string, string>();
    if (targets.length === 0) return versions;
    // Every read of a thread asks for its version first (the readers' caches are keyed by it), so
    // the answers are kept until the database changes (the runner's stamp; never on PostgreSQL).
    // What was kept is taken before the query is awaited, so a change meanwhile cannot drop it.
    const stamp = this.sql.changeStamp?.();
    const missing: string[] = [];
    for (const target of new Set(targets)) {
      const kept = this.versionCache.get(stamp, target);
      if (kept === undefined) missing.push(target);
      else if (kept !== null) versions.set(target, kept);
    }
    if (missing.length === 0) return versions;
    const found = new Map<string, string>();
    // id and created_at too: a deleted thread's target can come back, and its version starts again at 0.
    for (const r of await this.sql.all(this.q.versions({ targets: missing }))) found.set(r.target, `${r.id}.${r.created_at}.${r.version}`);
    for (const target of missing) {
      const version = found.get(target);
      this.versionCache.keep(stamp, target, version ?? null);
      if (version !== undefined) versions.set(target, version);
    }
    return versions;
  }

  async listByStatus(status: CommentStatus, page: { limit: number; before?: number }): Promise<Comment[]> {
    const rows = await this.sql.all(selectComments(this.sql.db).where('c.status', '=', status)
      .where('c.id', '<', page.before ?? Number.MAX_SAFE_INTEGER).orderBy('c.id', 'desc').limit(page.limit));
    return rows.map(toComment);
  }

  countByStatus(): Promise<Record<CommentStatus, number>> {
    return this.admin.countByStatus();
  }

  search(query: CommentSearch, page: { limit: number; before?: number }): Promise<Comment[]> {
    return this.admin.search(query, page);
  }

  async findLinkback(threadId: number, sourceKey: string): Promise<Comment | undefined> {
    const row = await this.sql.first(this.q.linkback({ threadId, sourceKey }));
    // What a duplicate ping is answered with ("already registered") must be on disk, not only committed.
    if (row) await this.sql.synced();
    return row && toComment(row);
  }

  async hasSameBody(threadId: number, author: string, email: string, bodyRaw: string): Promise<boolean> {
    const hash = bodyHash(bodyRaw);
    // The same author: by e-mail when there is one, else by name (WordPress's duplicate check).
    const row = await this.sql.first(email !== ''
      ? this.q.sameBodyByEmail({ threadId, hash, bodyRaw, email })
      : this.q.sameBodyByName({ threadId, hash, bodyRaw, author }));
    // A repeat is refused because of the earlier comment: that one must be on disk, not only committed.
    if (row) await this.sql.synced();
    return row !== undefined;
  }

  async findThreadForComment(target: string, author: string, email: string, bodyRaw: string): Promise<ThreadForComment> {
    const hash = bodyHash(bodyRaw);
    const row = await this.sql.first(email !== ''
      ? this.q.threadByEmail({ target, hash, bodyRaw, email })
      : this.q.threadByName({ target, hash, bodyRaw, author }));
    if (!row) return { thread: undefined, repeated: false };
    const repeated = isSet(row.repeated);
    // As in hasSameBody: the earlier comment must be on disk before a repeat is refused because of it.
    if (repeated) await this.sql.synced();
    return { thread: toThread(row), repeated };
  }

  async hasApprovedFrom(email: string, author: string): Promise<boolean> {
    // WordPress's rule (check_comment): trusted only when name AND e-mail match an approved comment,
    // so neither a public name nor someone else's address skips moderation. Without an e-mail
    // nothing can vouch for the commenter.
    if (email === '') return false;
    return (await this.sql.first(this.q.approvedFrom({ email, author }))) !== undefined;
  }

  async edit(id: number, e: CommentEdit, outbox?: OutboxPlan): Promise<Comment | undefined> {
    await this.write(outbox, id, this.sql.db.updateTable('comments').set({
      author: e.author, url: e.url, body_raw: e.bodyRaw, body_hash: bodyHash(e.bodyRaw), body_html: e.bodyHtml,
      status: e.status, reasons: JSON.stringify(e.reasons), edited_at: e.edited.getTime(), edited_by: e.editedBy,
    }).where('id', '=', id).where(this.sql.dialect.isFalse('deleted')));
    return this.findById(id);
  }

  async setPinned(id: number, pinned: boolean): Promise<Comment | undefined> {
    await this.sql.run(this.sql.db.updateTable('comments').set({ pinned }).where('id', '=', id));
    return this.findById(id);
  }

  async setStatus(id: number, status: CommentStatus, outbox?: OutboxPlan): Promise<Comment | undefined> {
    await this.write(outbox, id, this.sql.db.updateTable('comments').set({ status }).where('id', '=', id));
    return this.findById(id);
  }

  async updateLinkback(id: number, u: LinkbackUpdate, outbox?: OutboxPlan): Promise<Comment | undefined> {
    await this.write(outbox, id, this.sql.db.updateTable('comments').set({
      author: u.author, url: u.url, title: u.title, body_raw: u.bodyRaw, body_hash: bodyHash(u.bodyRaw), body_html: u.bodyHtml,
      mention_type: u.mentionType, author_photo: u.authorPhoto, edited_at: u.edited.getTime(),
      status: u.status, reasons: JSON.stringify(u.reasons),
    }).where('id', '=', id).where('source_key', 'is not', null));
    return this.findById(id);
  }

  /** One update of comment `id`; with a plan, its outbox rows commit with it (only when a row changed). */
  private async write(outbox: OutboxPlan | undefined, id: number, update: Compilable<unknown>): Promise<void> {
    if (!outbox) {
      await this.sql.run(update);
      return;
    }
    await withOutbox(this.sql, outbox, function* () {
      const changed = yield* run(update);
      return { value: undefined, id: changed > 0 ? id : undefined };
    });
  }

  /** With a plan, its rows are written from the comment as it stood, in the removal's transaction. */
  async remove(id: number, outbox?: OutboxPlan): Promise<'removed' | 'placeholder' | 'missing'> {
    let queued = 0;
    const sql = this.sql;
    const plan = outbox && function* (): TxWork<void> {
      queued = yield* writeOutboxPlan(sql, id, outbox);
    };
    const outcome = await sql.transaction(() => this.removeWork(id, plan));
    if (queued > 0) outbox!.written();
    return outcome;
  }

  private *removeWork(id: number, beforeRemoval?: () => TxWork<void>): TxWork<'removed' | 'placeholder' | 'missing'> {
    const { db, dialect } = this.sql;
    // Locked (PostgreSQL) so a reply arriving meanwhile cannot lose its parent between check and delete.
    const found = yield* first(db.selectFrom('comments').select('id').where('id', '=', id).$if(dialect.rowLocks, (q) => q.forUpdate()));
    if (!found) return 'missing';
    if (beforeRemoval) yield* beforeRemoval();
    const reply = yield* first(db.selectFrom('comments').select('id').where('parent_id', '=', id).limit(LIMIT_ONE));
    if (reply) {
      yield* run(blankComment(this.sql).where('id', '=', id));
      return 'placeholder';
    }
    yield* run(db.deleteFrom('comments').where('id', '=', id));
    return 'removed';
  }
}

/** A removed comment that keeps its place for its replies: nothing of its author or text is left. */
export function blankComment(runner: SqlRunner) {
  return runner.db.updateTable('comments').set({
    deleted: true, author: '', email: '', url: '', body_html: '', body_raw: '', body_hash: '',
    author_photo: null, edit_token_hash: null, ip: '', user_agent: '',
  });
}
