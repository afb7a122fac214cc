/**
 * A LIMIT written into the SQL text instead of bound as a parameter. Kysely's `.limit(n)` binds n, and
 * SQLite reads a bound LIMIT's value while planning (sqlite3ExprIsInteger marks the parameter with
 * sqlite3VdbeSetVarmask in the 3.53 that better-sqlite3 bundles), so binding it again, on every run,
 * expires the statement and it is prepared anew: 2–3 times the cost of an indexed read itself
 * (bench/pipeline-cost.ts). Each distinct value is its own SQL text, so this is for counts the code
 * fixes or bounds (a batch size, a page of at most MAX_PAGE_LIMIT), not for numbers a client may pick
 * from a wide range; the runners keep a bounded cache of prepared texts.
 */
import { sql, type RawBuilder } from 'kysely';

export function literalLimit(n: number): RawBuilder<number> {
  // sql.lit writes the value as it is: only a whole number may get there.
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`a LIMIT must be a whole number, not ${n}`);
  return sql.lit(n);
}

/** `LIMIT 1`, the most common one. */
export const LIMIT_ONE = literalLimit(1);
