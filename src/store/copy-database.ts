/**
 * Copies a whole Backtalk database between SQLite and PostgreSQL (either way), table by table with
 * ids kept, then verifies it: row counts of every table and a sample of rows compared value by value.
 * Used by `backtalk migrate` and by the PostgreSQL store's backup (which writes a SQLite file).
 *
 * The source is read inside one snapshot session, so a running server can keep writing; the target
 * is written in one transaction, so a failed copy leaves it as it was. The target must hold no rows yet.
 * Every query is built once for both dialects; what differs (catalogs, identity sequences) is in
 * sql/catalog.ts.
 */
import { sql, type Kysely } from 'kysely';
import { catalogOf } from './sql/catalog.js';
import { literalLimit } from './sql/literal-limit.js';
import type { SqlRunner } from './sql/sql-runner.js';
import { beginSession, type SqlQueries } from './sql/sql-session.js';

type Value = string | number | null;
type Row = Record<string, Value>;
/** Tables known only at run time, by name. */
type AnyTables = Record<string, Row>;

/** Tables in foreign-key order; others found in the source follow them. Never copied: */
const ORDER = ['threads', 'comments', 'votes', 'settings', 'webmentions', 'linkback_log', 'outbox', 'subscriptions', 'used_action_tokens', 'send_posts', 'send_links'];
/** the schema version row (each side has its own), and rate-limit counters (minutes-lived, PostgreSQL only). */
const SKIP = new Set(['backtalk_schema', 'rate_limits']);
/**
 * Set after all rows are in: a reply may have a lower id than its parent (imports link parents at the
 * end), so the self-reference cannot be satisfied row by row.
 */
const DEFERRED: Record<string, string> = { comments: 'parent_id' };
/**
 * Maintained by triggers on the target as rows arrive, so it is not compared: it is the ETag counter,
 * and a different value only makes clients fetch a thread once more.
 */
const NOT_COMPARED: Record<string, string> = { threads: 'version' };

const BATCH = 500;
const SAMPLE = 25;

/** One side of a copy: an opened, migrated database and the name it has in messages. */
export interface Endpoint {
  readonly label: string;
  readonly runner: SqlRunner;
}

export interface CopyReport {
  tables: Array<{ table: string; rows: number }>;
  sampled: number;
}

interface Planned {
  table: string;
  /** The primary key first: reads are ordered and sampled by it. */
  columns: string[];
}

/** Booleans as 0/1 so SQLite's integers and PostgreSQL's booleans compare and bind alike. */
const plain = (v: unknown): Value => (typeof v === 'boolean' ? (v ? 1 : 0) : (v as Value));

function keyColumnFirst(columns: string[]): string[] {
  // Every Backtalk table's primary key is `id`, `key` or `nonce`.
  const key = ['id', 'key', 'nonce'].find((k) => columns.includes(k)) ?? columns[0]!;
  return [key, ...columns.filter((c) => c !== key)];
}

/** The same shape on both sides, and nothing in the target yet. */
async function plan(from: Endpoint, to: Endpoint): Promise<Planned[]> {
  const [source, target] = [catalogOf(from.runner.dialect), catalogOf(to.runner.dialect)];
  const sourceTables = (await source.tables(from.runner)).filter((t) => !SKIP.has(t));
  const targetTables = new Set(await target.tables(to.runner));
  const tables = [...ORDER.filter((t) => sourceTables.includes(t)), ...sourceTables.filter((t) => !ORDER.includes(t)).sort()];
  const planned: Planned[] = [];
  for (const table of tables) {
    if (!targetTables.has(table)) throw new Error(`${to.label} has no table "${table}": both sides must run the same Backtalk version`);
    const columns = keyColumnFirst(await source.columns(from.runner, table));
    const targetColumns = new Set(await target.columns(to.runner, table));
    const missing = columns.filter((c) => !targetColumns.has(c));
    if (missing.length > 0) throw new Error(`${to.label} table "${table}" lacks column(s) ${missing.join(', ')}: both sides must run the same Backtalk version`);
    const already = await count(to.runner, table);
    if (already > 0) throw new Error(`${to.label} is not empty: table "${table}" already has ${already} row(s)`);
    planned.push({ table, columns });
  }
  return planned;
}

export async function copyDatabase(from: Endpoint, to: Endpoint, onTable?: (table: string, rows: number) => void): Promise<CopyReport> {
  const planned = await plan(from, to);
  const source = await beginSession(from.runner, 'snapshot');
  try {
    const target = await beginSession(to.runner, 'write');
    try {
      const report: CopyReport = { tables: [], sampled: 0 };
      for (const { table, columns } of planned) {
        const n = await copyTable(source, target, table, columns);
        report.tables.push({ table, rows: n });
        onTable?.(table, n);
      }
      report.sampled = await verify({ ...from, q: source }, { ...to, q: target }, planned);
      await catalogOf(to.runner.dialect).continueIds(target);
      await target.commit();
      return report;
    } catch (err) {
      await target.rollback();
      throw err;
    }
  } finally {
    await source.rollback(); // read only
  }
}

async function copyTable(source: SqlQueries, target: SqlQueries, table: string, columns: string[]): Promise<number> {
  const deferred = DEFERRED[table];
  const later: Array<[Value, Value]> = [];
  let n = 0;
  for await (const batch of read(source, table, columns)) {
    const rows = batch.map((row) => {
      const copy: Row = {};
      for (const c of columns) copy[c] = plain(row[c]);
      if (deferred && copy[deferred] !== null) {
        later.push([copy[columns[0]!]!, copy[deferred]!]);
        copy[deferred] = null;
      }
      return copy;
    });
    await target.run(tables(target).insertInto(table).values(rows));
    n += rows.length;
  }
  if (deferred) {
    // One statement per batch: CASE id WHEN … THEN … END (the deferred columns are ids, hence BIGINT).
    for (let i = 0; i < later.length; i += BATCH) {
      const pairs = later.slice(i, i + BATCH);
      const value = sql<Value>`CASE ${sql.ref('id')} ${sql.join(pairs.map(([id, v]) => sql`WHEN ${id} THEN CAST(${v} AS BIGINT)`), sql` `)} END`;
      await target.run(tables(target).updateTable(table).set({ [deferred]: value }).where('id', 'in', pairs.map((p) => p[0])));
    }
  }
  return n;
}

const tables = (q: SqlQueries) => q.db as unknown as Kysely<AnyTables>;

async function count(q: SqlQueries, table: string): Promise<number> {
  const row = await q.first(tables(q).selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')));
  return Number(row!.n);
}

/** Rows in primary-key order (the first column), in batches. */
async function* read(q: SqlQueries, table: string, columns: readonly string[]): AsyncIterable<Row[]> {
  const key = columns[0]!;
  for (let after: Value = null; ;) {
    const rows: Row[] = await q.all(tables(q).selectFrom(table).select(columns)
      .$if(after !== null, (qb) => qb.where(key, '>', after)).orderBy(key).limit(literalLimit(BATCH)));
    if (rows.length > 0) yield rows;
    if (rows.length < BATCH) return;
    after = rows[rows.length - 1]![key]!;
  }
}

/** Counts of every table, then a sample of rows (first, last, evenly spread) compared value by value. */
async function verify(from: Endpoint & { q: SqlQueries }, to: Endpoint & { q: SqlQueries }, planned: readonly Planned[]): Promise<number> {
  let sampled = 0;
  for (const { table, columns } of planned) {
    const [a, b] = [await count(from.q, table), await count(to.q, table)];
    if (a !== b) throw new Error(`verification failed: table "${table}" has ${a} row(s) in ${from.label} but ${b} in ${to.label}`);
    if (a === 0) continue;
    const key = columns[0]!;
    const keys: Value[] = [];
    for await (const batch of read(from.q, table, [key])) for (const row of batch) keys.push(plain(row[key]));
    const step = Math.max(1, Math.floor(keys.length / SAMPLE));
    const picked = [...new Set([...keys.filter((_, i) => i % step === 0).slice(0, SAMPLE), keys[keys.length - 1]!])];
    const compared = columns.filter((c) => NOT_COMPARED[table] !== c);
    const fetch = async (q: SqlQueries) => new Map((await q.all(tables(q).selectFrom(table).select(compared).where(key, 'in', picked)))
      .map((r) => [String(plain(r[key])), r]));
    const [left, right] = [await fetch(from.q), await fetch(to.q)];
    for (const id of picked) {
      const l = left.get(String(id));
      const r = right.get(String(id));
      if (!l || !r) throw new Error(`verification failed: row ${String(id)} of "${table}" is missing in ${l ? to.label : from.label}`);
      for (const c of compared) {
        if (plain(l[c]) !== plain(r[c])) {
          throw new Error(`verification failed: "${table}" row ${String(id)} column ${c} differs (${JSON.stringify(l[c])} vs ${JSON.stringify(r[c])})`);
        }
      }
      sampled++;
    }
  }
  return sampled;
}
