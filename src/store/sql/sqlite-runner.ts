/**
 * SqlRunner over better-sqlite3: synchronous execution of compiled queries through a cache of
 * prepared statements keyed by SQL text (a query built twice compiles to the same text, so the hot
 * paths keep prepared-statement speed), and transactions that run start to end without yielding to
 * the event loop.
 */
import { sql, type Compilable, type CompiledQuery, type Kysely } from 'kysely';
import type BetterSqlite3 from 'better-sqlite3';
import { likePattern } from '../search-columns.js';
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

  constructor(readonly connection: BetterSqlite3.Database) {
    connection.function(FOLD, { deterministic: true }, (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value));
    this.dialect = sqliteDialect;
  }

  async all<R>(query: Compilable<R>): Promise<R[]> {
    return this.exec({ op: 'all', query: query.compile() }) as R[];
  }

  async first<R>(query: Compilable<R>): Promise<R | undefined> {
    return this.exec({ op: 'first', query: query.compile() }) as R | undefined;
  }

  async run(query: Compilable<unknown>): Promise<number> {
    return this.exec({ op: 'run', query: query.compile() }) as number;
  }

  /** IMMEDIATE: takes the write lock first, so a read-then-write never fails halfway on SQLITE_BUSY. */
  async transaction<T>(work: () => TxWork<T>): Promise<T> {
    return this.transactionSync(work);
  }

  /** The same, for callers that must stay synchronous. */
  transactionSync<T>(work: () => TxWork<T>): T {
    return this.connection.transaction(() => driveSync(work(), (step) => this.exec(step))).immediate();
  }

  exec(step: SqlStep): unknown {
    if (step.op === 'lock') return undefined;
    const stmt = this.prepare(step.query);
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
