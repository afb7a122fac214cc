/**
 * What a repository needs from a database: a query builder for its dialect, the few SQL fragments
 * that the dialects spell differently, and a runner for built queries. Repositories in src/store/
 * are written once against this; src/store/sql/sqlite-runner.ts and pg-runner.ts implement it.
 *
 * Work that must be atomic is a generator of steps (`yield* all(query)`): the SQLite runner drives
 * it synchronously inside one better-sqlite3 transaction (so nothing else on the connection can run
 * in between), the PostgreSQL runner drives it with awaits on one pooled client between BEGIN and
 * COMMIT. One definition of the rule, each database's own transaction.
 */
import type { Compilable, CompiledQuery, Expression, Kysely, RawBuilder, SqlBool } from 'kysely';
import type { Database } from './schema-types.js';

export type SqlStep =
  | { op: 'all' | 'first' | 'run'; query: CompiledQuery }
  /** Serializes transactions on `key` (PostgreSQL: an advisory transaction lock; SQLite's writer lock already does). */
  | { op: 'lock'; key: string };

/** Atomic work: yields steps, receives their results. */
export type TxWork<T> = Generator<SqlStep, T, unknown>;

/** All rows of a query, inside transactional work. */
export function* all<R>(query: Compilable<R>): TxWork<R[]> {
  return (yield { op: 'all', query: query.compile() }) as R[];
}

/** The first row of a query, or undefined. */
export function* first<R>(query: Compilable<R>): TxWork<R | undefined> {
  return (yield { op: 'first', query: query.compile() }) as R | undefined;
}

/** Runs a statement that returns no rows; answers how many rows it changed. */
export function* run(query: Compilable<unknown>): TxWork<number> {
  return (yield { op: 'run', query: query.compile() }) as number;
}

/** Holds a lock on `key` until the transaction ends. */
export function* lock(key: string): TxWork<void> {
  yield { op: 'lock', key };
}

/** The places where the two dialects really differ in SQL text. */
export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres';
  /**
   * True when rows can be locked (FOR UPDATE, SKIP LOCKED): PostgreSQL. SQLite has one writer, and
   * its transactions start IMMEDIATE, so a transaction never needs row locks.
   */
  readonly rowLocks: boolean;
  /** `ref` is false, spelled as the partial indexes spell it (SQLite `= 0`, PostgreSQL `NOT`), so they are used. */
  isFalse(ref: string): RawBuilder<SqlBool>;
  isTrue(ref: string): RawBuilder<SqlBool>;
  /** Case-insensitive LIKE with `\` as escape (ASCII case folding is enough: used on URLs). */
  likeFolded(ref: string, pattern: string): RawBuilder<SqlBool>;
  /**
   * Any of `columns` (fixed SQL expressions, never request text) contains `needle`, case ignored in
   * every script ("ОТВЕТ" is found by "ответ"), as a literal substring.
   */
  containsFolded(columns: readonly string[], needle: string): Promise<Expression<SqlBool>>;
}

export interface SqlRunner {
  /** Compile-only query builder for this database's dialect (never executes anything itself). */
  readonly db: Kysely<Database>;
  readonly dialect: SqlDialect;
  all<R>(query: Compilable<R>): Promise<R[]>;
  first<R>(query: Compilable<R>): Promise<R | undefined>;
  /** Answers how many rows the statement changed. */
  run(query: Compilable<unknown>): Promise<number>;
  /** Runs `work` in one transaction: all of it commits, or none of it. */
  transaction<T>(work: () => TxWork<T>): Promise<T>;
  /**
   * Resolves once every commit made so far is on disk. Before answering a writer with something
   * another write stored ("already registered", "duplicate"), so the answer never rests on a commit
   * a power cut could still undo (SQLite group commit; at once on PostgreSQL, whose commits are
   * durable before other sessions see them).
   */
  synced(): Promise<void>;
  /**
   * A stamp that changes whenever the database may have changed since it was taken: a writing
   * statement on this runner, a commit by another connection (a CLI import beside the server).
   * Absent where no such stamp exists (PostgreSQL: other instances commit without telling this one),
   * and then nothing read may be kept for later.
   */
  changeStamp?(): string;
}

/** Drives transactional work with a synchronous executor; an executor error is thrown into the work. */
export function driveSync<T>(work: TxWork<T>, exec: (step: SqlStep) => unknown): T {
  let next = work.next();
  while (!next.done) {
    let result: unknown;
    try {
      result = exec(next.value);
    } catch (err) {
      next = work.throw(err);
      continue;
    }
    next = work.next(result);
  }
  return next.value;
}

/** Drives transactional work with an asynchronous executor. */
export async function driveAsync<T>(work: TxWork<T>, exec: (step: SqlStep) => Promise<unknown>): Promise<T> {
  let next = work.next();
  while (!next.done) {
    let result: unknown;
    try {
      result = await exec(next.value);
    } catch (err) {
      next = work.throw(err);
      continue;
    }
    next = work.next(result);
  }
  return next.value;
}
