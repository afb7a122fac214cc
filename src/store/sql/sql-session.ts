/**
 * A transaction held open across calls that the caller makes one by one: an import fed batch by
 * batch from a file, an export read from one snapshot, a copy between two databases. The generator
 * transactions of SqlRunner cannot be that, since their steps are known inside one call. The only
 * backend-specific part is how the transaction is opened, committed and let go; queries inside run
 * through the same builder as everything else.
 */
import type { Compilable } from 'kysely';
import { PgRunner } from './pg-runner.js';
import { SqliteRunner } from './sqlite-runner.js';
import type { SqlRunner } from './sql-runner.js';

/** The query half of SqlRunner: a runner and a session both answer it. */
export type SqlQueries = Pick<SqlRunner, 'db' | 'dialect' | 'all' | 'first' | 'run'>;

export interface SqlSession extends SqlQueries {
  commit(): Promise<void>;
  /** Ends the transaction keeping nothing; does nothing once the session has ended (also after a failed commit). */
  rollback(): Promise<void>;
}

/**
 * `write` takes the write lock up front (SQLite IMMEDIATE: it waits for a running server's write,
 * then holds the lock); `snapshot` reads one consistent state of the database and never blocks writers.
 */
export type SessionMode = 'write' | 'snapshot';

export function beginSession(runner: SqlRunner, mode: SessionMode): Promise<SqlSession> {
  if (runner instanceof SqliteRunner) return sqliteSession(runner, mode);
  if (runner instanceof PgRunner) return pgSession(runner, mode);
  throw new Error(`no sessions for the ${runner.dialect.name} runner`);
}

/**
 * SQLite has one connection per file, so the session is that connection between BEGIN and COMMIT.
 * In WAL mode a deferred (read) transaction sees the database as of its first read.
 * Only for a connection the caller has to itself while the session lasts (the CLI, an import):
 * other work on the connection meanwhile would become part of the transaction.
 */
async function sqliteSession(runner: SqliteRunner, mode: SessionMode): Promise<SqlSession> {
  const connection = runner.connection;
  // BEGIN in the same turn as the last check (see SqliteRunner.transaction).
  if (mode === 'write') for (let gate = runner.writeGate(); gate; gate = runner.writeGate()) await gate;
  connection.exec(mode === 'write' ? 'BEGIN IMMEDIATE' : 'BEGIN');
  let open = true;
  const end = async (command: 'COMMIT' | 'ROLLBACK') => {
    if (!open) return;
    open = false;
    if (!connection.inTransaction) return runner.sessionEnded();
    try {
      connection.exec(command);
    } catch (err) {
      // A COMMIT that failed may leave the transaction open (a deferred constraint): nothing is kept.
      if (connection.inTransaction) connection.exec('ROLLBACK');
      throw err;
    } finally {
      // Writes queued meanwhile waited for the connection (a batch never runs inside a session).
      if (!connection.inTransaction) runner.sessionEnded();
    }
    // Answered like any other write: once the commit is on disk.
    if (command === 'COMMIT' && mode === 'write') await runner.durable();
  };
  return {
    db: runner.db,
    dialect: runner.dialect,
    // The session's own statements, at once and inside it; anyone else's writes wait for its end.
    all: (query) => runner.inSession.all(query),
    first: (query) => runner.inSession.first(query),
    run: (query) => runner.inSession.run(query),
    commit: () => end('COMMIT'),
    rollback: () => end('ROLLBACK'),
  };
}

/** PostgreSQL: one pooled connection, held until the end; a connection that fails to end is discarded. */
async function pgSession(runner: PgRunner, mode: SessionMode): Promise<SqlSession> {
  const client = await runner.pool.connect();
  try {
    await client.query(mode === 'write' ? 'BEGIN' : 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  } catch (err) {
    client.release(true);
    throw err;
  }
  let open = true;
  const query = (built: Compilable<unknown>) => {
    const { sql, parameters } = built.compile();
    return client.query({ text: sql, values: parameters as unknown[] });
  };
  const end = async (command: 'COMMIT' | 'ROLLBACK') => {
    if (!open) return;
    open = false;
    try {
      await client.query(command);
      client.release();
    } catch (err) {
      client.release(true);
      if (command === 'COMMIT') throw err;
    }
  };
  return {
    db: runner.db,
    dialect: runner.dialect,
    all: async <R>(built: Compilable<R>) => (await query(built)).rows as R[],
    first: async <R>(built: Compilable<R>) => (await query(built)).rows[0] as R | undefined,
    run: async (built) => (await query(built)).rowCount ?? 0,
    commit: () => end('COMMIT'),
    rollback: () => end('ROLLBACK'),
  };
}
