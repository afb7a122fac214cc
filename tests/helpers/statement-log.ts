/**
 * The statements a better-sqlite3 connection runs, in order, while recording is on: for tests that
 * count what a request or a repository call costs the database (issue 15.3). The write queue's
 * transaction control (BEGIN, SAVEPOINT, RELEASE, COMMIT) is left out: a batch of writes shares it.
 */
import type { SqliteDatabase } from '../../src/store/sqlite/open-sqlite.js';

const TRANSACTION_CONTROL = /^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b/i;

export interface StatementLog {
  /** What ran while recording, in order. */
  log: string[];
  /** Clears the log, records while `work` runs, stops. */
  during<T>(work: () => Promise<T>): Promise<T>;
}

/** Wraps `db.prepare` so every statement prepared from now on is logged; `ignore` leaves some out. */
export function recordStatements(db: SqliteDatabase, ignore?: RegExp): StatementLog {
  const log: string[] = [];
  let on = false;
  const prepare = db.prepare.bind(db);
  db.prepare = ((source: string) => {
    const stmt = prepare(source);
    for (const method of ['get', 'all', 'run', 'iterate'] as const) {
      const original = stmt[method].bind(stmt) as (...args: unknown[]) => unknown;
      (stmt as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        if (on && !TRANSACTION_CONTROL.test(source) && !ignore?.test(source)) log.push(source);
        return original(...args);
      };
    }
    return stmt;
  }) as typeof db.prepare;
  return {
    log,
    async during(work) {
      log.length = 0;
      on = true;
      try {
        return await work();
      } finally {
        on = false;
      }
    },
  };
}
