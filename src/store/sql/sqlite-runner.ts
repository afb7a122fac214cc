/**
 * SqlRunner over better-sqlite3: synchronous execution of compiled queries through a cache of
 * prepared statements keyed by SQL text (a query built twice compiles to the same text, so the hot
 * paths keep prepared-statement speed), and transactions that run start to end without yielding to
 * the event loop. With a CommitDurability, writes that arrive together are queued and run as one
 * transaction (src/store/sqlite/write-queue.ts), each answered only once that commit is on disk, and
 * the disk wait happens off the event loop (src/store/sqlite/wal-durability.ts). PostgreSQL needs
 * none of this: each of its sessions commits on its own connection, and one WAL flush covers every
 * commit waiting for it (group commit inside the server), so pg-runner.ts commits as writes come.
 */
import { sql, type Compilable, type CompiledQuery, type Kysely } from 'kysely';
import type BetterSqlite3 from 'better-sqlite3';
import { likePattern } from '../search-columns.js';
import type { CommitDurability } from '../sqlite/commit-durability.js';
import { WriteQueue } from '../sqlite/write-queue.js';
import { sqliteBuilder } from './compilers.js';
import type { Database } from './schema-types.js';
import { driveSync, type SqlDialect, type SqlRunner, type SqlStep, type TxWork } from './sql-runner.js';

/** A connection function: JavaScript's Unicode lower-casing (SQLite's lower() and LIKE fold ASCII only). */
const FOLD = 'backtalk_fold';
/** Distinct statement texts kept prepared; IN lists of many lengths could otherwise grow it for ever. */
const STATEMENT_CACHE = 500;

type Statement = BetterSqlite3.Statement<unknown[]>;

export class SqliteRunner implements SqlRunner {
  readonly db: Kysely<Database> = sqliteBuilder();
  readonly dialect: SqlDialect;
  private readonly statements = new Map<string, Statement>();
  /** Statements run that may have written; compared before and after a transaction. */
  private writes = 0;
  /** With a CommitDurability: every write goes through it, batched. */
  private readonly queue: WriteQueue | undefined;
  /**
   * For sql-session.ts: the statements of the session that holds the connection between BEGIN and
   * COMMIT run at once, inside it; every other write waits until the session has ended.
   */
  readonly inSession: Pick<SqlRunner, 'all' | 'first' | 'run'>;

  /** SQLite's count of commits by other connections to this database file, as this connection sees them. */
  private readonly dataVersion: Statement;
  /** Other connections' commits as read in this turn of the event loop (changeStamp). */
  private othersSeen: string | undefined;

  /** `maxBatch`: most writes in one transaction (write-queue.ts). */
  constructor(readonly connection: BetterSqlite3.Database, private readonly durability?: CommitDurability, options: { maxBatch?: number } = {}) {
    this.dataVersion = connection.prepare('PRAGMA data_version').pluck();
    connection.function(FOLD, { deterministic: true }, (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value));
    this.dialect = sqliteDialect;
    this.queue = durability && new WriteQueue(connection, durability, () => this.writes, options.maxBatch);
    const now = (step: SqlStep & { op: 'all' | 'first' | 'run' }) => this.execPrepared(this.prepare(step.query), step);
    this.inSession = {
      all: async <R>(query: Compilable<R>) => now({ op: 'all', query: query.compile() }) as R[],
      first: async <R>(query: Compilable<R>) => now({ op: 'first', query: query.compile() }) as R | undefined,
      run: async (query) => now({ op: 'run', query: query.compile() }) as number,
    };
  }

  async all<R>(query: Compilable<R>): Promise<R[]> {
    return this.execAlone({ op: 'all', query: query.compile() }) as R[] | Promise<R[]>;
  }

  async first<R>(query: Compilable<R>): Promise<R | undefined> {
    return this.execAlone({ op: 'first', query: query.compile() }) as R | undefined | Promise<R | undefined>;
  }

  async run(query: Compilable<unknown>): Promise<number> {
    return this.execAlone({ op: 'run', query: query.compile() }) as number | Promise<number>;
  }

  /**
   * IMMEDIATE: takes the write lock first, so a read-then-write never fails halfway on SQLITE_BUSY.
   * The work itself runs synchronously; only the wait for the disk (and for a checkpoint) is async.
   */
  async transaction<T>(work: () => TxWork<T>): Promise<T> {
    if (this.queue) return this.queue.push(() => driveSync(work(), (step) => this.exec(step)), true);
    // Checked again after each wait, and the transaction starts in the same turn as the last check:
    // a checkpoint that began in between would otherwise copy a commit not yet synced in the WAL.
    for (let gate = this.writeGate(); gate; gate = this.writeGate()) await gate;
    const before = this.writes;
    const result = this.connection.transaction(() => driveSync(work(), (step) => this.exec(step))).immediate();
    if (this.writes !== before) await this.durable();
    return result;
  }

  /**
   * Undefined when a write may start now, in this turn; else a promise to wait for before asking
   * again (a checkpoint is copying the WAL). Throws once writes can no longer be made durable.
   */
  writeGate(): Promise<void> | undefined {
    return this.durability?.writeGate();
  }

  /** Resolves once the last commit on this connection is on disk; at once without a CommitDurability. */
  durable(): Promise<void> {
    return this.durability ? this.durability.committed() : Promise.resolve();
  }

  /** Readers see a commit as soon as it is made, before its sync: this waits for the syncs in flight. */
  synced(): Promise<void> {
    return this.durability ? this.durability.synced() : Promise.resolve();
  }

  /** Resolves once every write asked for so far has been answered (before the files are let go). */
  async settled(): Promise<void> {
    await this.queue?.settled();
  }

  /**
   * Our own writing statements, counted as they run (including those of a batch not yet committed,
   * which this connection's reads already see), and commits by other connections — another process.
   * Every GET of a public read asks for this stamp: under the mixed bench's load, asking SQLite's
   * PRAGMA data_version each time (https://sqlite.org/pragma.html#pragma_data_version: a read
   * transaction) was 7.5 % of the main thread's busy time. So the other connections' part is read
   * once per turn of the event loop, from the WAL's shared header when the durability reads it
   * (wal-frames.ts: one pread), else from data_version; the two are told apart in the stamp, so a
   * switch between them can never match an older stamp. A commit by another process within the
   * same turn is seen from the next one: the reads of that turn are answered as if they had come
   * just before it (our own writes count at once).
   */
  changeStamp(): string {
    if (this.othersSeen === undefined) {
      const commits = this.durability?.commits?.();
      this.othersSeen = commits === undefined ? `d${this.dataVersion.get() as number}` : `c${commits}`;
      setImmediate(() => {
        this.othersSeen = undefined;
      });
    }
    return `${this.writes}.${this.othersSeen}`;
  }

  /** For sql-session.ts: the session has ended (committed or not); writes that waited may go. */
  sessionEnded(): void {
    this.queue?.sessionEnded();
  }

  /**
   * One statement on its own: a read answers at once; a write joins the next batch (with a
   * CommitDurability), answered once that commit is durable.
   */
  private execAlone(step: SqlStep & { op: 'all' | 'first' | 'run' }): unknown {
    const stmt = this.prepare(step.query);
    if (!this.queue || stmt.readonly) return this.execPrepared(stmt, step);
    return this.queue.push(() => this.execPrepared(stmt, step), false);
  }

  exec(step: SqlStep): unknown {
    if (step.op === 'lock') return undefined;
    return this.execPrepared(this.prepare(step.query), step);
  }

  private execPrepared(stmt: Statement, step: SqlStep & { op: 'all' | 'first' | 'run' }): unknown {
    if (!stmt.readonly) this.writes += 1;
    const params = step.query.parameters.map(toSqliteValue);
    if (step.op === 'all') return stmt.all(...params);
    // A writing statement (INSERT … RETURNING) runs to the end: get() stops after the first row and
    // resets the statement, and an error from the rest of it (SQLITE_FULL at the implicit commit) is
    // lost, so the caller would see a row that was never stored.
    if (step.op === 'first') return stmt.reader && !stmt.readonly ? stmt.all(...params)[0] : stmt.get(...params);
    return stmt.run(...params).changes;
  }

  private prepare(query: CompiledQuery): Statement {
    let stmt = this.statements.get(query.sql);
    if (!stmt) {
      if (this.statements.size >= STATEMENT_CACHE) this.statements.clear();
      stmt = this.connection.prepare(query.sql);
      this.statements.set(query.sql, stmt);
    }
    return stmt;
  }
}

/** SQLite has no boolean type: flags are stored as 0/1, and better-sqlite3 refuses to bind a boolean. */
function toSqliteValue(value: unknown): unknown {
  return typeof value === 'boolean' ? (value ? 1 : 0) : value;
}

const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  rowLocks: false,
  isFalse: (ref) => sql<boolean>`${sql.ref(ref)} = 0`,
  isTrue: (ref) => sql<boolean>`${sql.ref(ref)} = 1`,
  likeFolded: (ref, pattern) => sql<boolean>`${sql.ref(ref)} LIKE ${pattern} ESCAPE '\\'`,
  async containsFolded(columns, needle) {
    // An ASCII needle needs only LIKE's own ASCII case folding, about ten times faster than calling
    // into JavaScript per row; other scripts go through the Unicode fold.
    const ascii = /^[\x00-\x7f]*$/.test(needle);
    const tests = columns.map((col) => (ascii
      ? sql`${sql.raw(col)} LIKE ${likePattern(needle)} ESCAPE '\\'`
      : sql`instr(${sql.raw(FOLD)}(${sql.raw(col)}), ${needle.toLowerCase()}) > 0`));
    return sql<boolean>`(${sql.join(tests, sql` OR `)})`;
  },
};
