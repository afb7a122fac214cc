/**
 * Copies a whole Backtalk database between SQLite and PostgreSQL (either way), table by table with
 * ids kept, then verifies it: row counts of every table and a sample of rows compared value by value.
 * Used by `backtalk migrate` and by the PostgreSQL store's backup (which writes a SQLite file).
 *
 * The source is read inside one snapshot (a SQLite read transaction, a PostgreSQL REPEATABLE READ
 * transaction), so a running server can keep writing; the target is written in one transaction, so
 * a failed copy leaves it as it was. The target must hold no rows yet.
 */
import type pg from 'pg';
import type { SqliteDatabase } from '../sqlite/open-sqlite.js';

type Value = string | number | null;
type Row = Record<string, Value>;

/** Tables in foreign-key order; others found in the source follow them. Never copied: */
const ORDER = ['threads', 'comments', 'settings', 'webmentions', 'linkback_log', 'outbox', 'subscriptions', 'used_action_tokens', 'send_posts', 'send_links'];
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

/** One side of a copy. */
export interface Endpoint {
  readonly label: string;
  tables(): Promise<string[]>;
  columns(table: string): Promise<string[]>;
  count(table: string): Promise<number>;
  /** Rows in primary-key order, in batches. */
  read(table: string, columns: readonly string[]): AsyncIterable<Row[]>;
  /** Rows whose first column (the primary key) is one of `keys`. */
  rows(table: string, columns: readonly string[], keys: readonly Value[]): Promise<Row[]>;
  insert(table: string, columns: readonly string[], rows: readonly Row[]): Promise<void>;
  setColumn(table: string, column: string, pairs: ReadonlyArray<[Value, Value]>): Promise<void>;
  begin(mode: 'read' | 'write'): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

export interface CopyReport {
  tables: Array<{ table: string; rows: number }>;
  sampled: number;
}

/** Booleans as 0/1 so SQLite's integers and PostgreSQL's booleans compare and bind alike. */
const plain = (v: unknown): Value => (typeof v === 'boolean' ? (v ? 1 : 0) : (v as Value));

function keyColumnFirst(columns: string[]): string[] {
  // Every Backtalk table's primary key is `id`, `key` or `nonce`, and it is where reads are ordered.
  const key = ['id', 'key', 'nonce'].find((k) => columns.includes(k)) ?? columns[0]!;
  return [key, ...columns.filter((c) => c !== key)];
}

export async function copyDatabase(from: Endpoint, to: Endpoint, onTable?: (table: string, rows: number) => void): Promise<CopyReport> {
  const sourceTables = (await from.tables()).filter((t) => !SKIP.has(t));
  const targetTables = new Set(await to.tables());
  const tables = [...ORDER.filter((t) => sourceTables.includes(t)), ...sourceTables.filter((t) => !ORDER.includes(t)).sort()];
  const plan: Array<{ table: string; columns: string[] }> = [];
  for (const table of tables) {
    if (!targetTables.has(table)) throw new Error(`${to.label} has no table "${table}": both sides must run the same Backtalk version`);
    const columns = keyColumnFirst(await from.columns(table));
    const targetColumns = new Set(await to.columns(table));
    const missing = columns.filter((c) => !targetColumns.has(c));
    if (missing.length > 0) throw new Error(`${to.label} table "${table}" lacks column(s) ${missing.join(', ')}: both sides must run the same Backtalk version`);
    const already = await to.count(table);
    if (already > 0) throw new Error(`${to.label} is not empty: table "${table}" already has ${already} row(s)`);
    plan.push({ table, columns });
  }

  await from.begin('read');
  try {
    await to.begin('write');
    try {
      const report: CopyReport = { tables: [], sampled: 0 };
      for (const { table, columns } of plan) {
        const deferred = DEFERRED[table];
        const later: Array<[Value, Value]> = [];
        let n = 0;
        for await (const batch of from.read(table, columns)) {
          const rows = batch.map((row) => {
            const copy: Row = {};
            for (const c of columns) copy[c] = plain(row[c]);
            if (deferred && copy[deferred] !== null) {
              later.push([copy[columns[0]!]!, copy[deferred]!]);
              copy[deferred] = null;
            }
            return copy;
          });
          await to.insert(table, columns, rows);
          n += rows.length;
        }
        if (deferred && later.length > 0) await to.setColumn(table, deferred, later);
        report.tables.push({ table, rows: n });
        onTable?.(table, n);
      }
      report.sampled = await verify(from, to, plan);
      await to.commit();
      return report;
    } catch (err) {
      await to.rollback();
      throw err;
    }
  } finally {
    await from.rollback();
  }
}

/** Counts of every table, then a sample of rows (first, last, evenly spread) compared value by value. */
async function verify(from: Endpoint, to: Endpoint, plan: ReadonlyArray<{ table: string; columns: string[] }>): Promise<number> {
  let sampled = 0;
  for (const { table, columns } of plan) {
    const [a, b] = [await from.count(table), await to.count(table)];
    if (a !== b) throw new Error(`verification failed: table "${table}" has ${a} row(s) in ${from.label} but ${b} in ${to.label}`);
    if (a === 0) continue;
    const keys: Value[] = [];
    for await (const batch of from.read(table, [columns[0]!])) for (const row of batch) keys.push(plain(row[columns[0]!]));
    const step = Math.max(1, Math.floor(keys.length / SAMPLE));
    const picked = [...new Set([...keys.filter((_, i) => i % step === 0).slice(0, SAMPLE), keys[keys.length - 1]!])];
    const compared = columns.filter((c) => NOT_COMPARED[table] !== c);
    const index = (rows: Row[]) => new Map(rows.map((r) => [String(plain(r[columns[0]!])), r]));
    const left = index(await from.rows(table, compared, picked));
    const right = index(await to.rows(table, compared, picked));
    for (const key of picked) {
      const l = left.get(String(key));
      const r = right.get(String(key));
      if (!l || !r) throw new Error(`verification failed: row ${String(key)} of "${table}" is missing in ${l ? to.label : from.label}`);
      for (const c of compared) {
        if (plain(l[c]) !== plain(r[c])) {
          throw new Error(`verification failed: "${table}" row ${String(key)} column ${c} differs (${JSON.stringify(l[c])} vs ${JSON.stringify(r[c])})`);
        }
      }
      sampled++;
    }
  }
  return sampled;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

export function sqliteEndpoint(db: SqliteDatabase, label: string): Endpoint {
  return {
    label,
    async tables() {
      return (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as Array<{ name: string }>).map((r) => r.name);
    },
    async columns(table) {
      return (db.prepare(`SELECT name FROM pragma_table_info(?) ORDER BY cid`).all(table) as Array<{ name: string }>).map((r) => r.name);
    },
    async count(table) {
      return (db.prepare(`SELECT count(*) AS n FROM ${quote(table)}`).get() as { n: number }).n;
    },
    async *read(table, columns) {
      const key = columns[0]!;
      const page = db.prepare(`SELECT ${columns.map(quote).join(', ')} FROM ${quote(table)} WHERE ? IS NULL OR ${quote(key)} > ? ORDER BY ${quote(key)} LIMIT ${BATCH}`);
      for (let after: Value = null; ;) {
        const rows = page.all(after, after) as Row[];
        if (rows.length > 0) yield rows;
        if (rows.length < BATCH) return;
        after = rows[rows.length - 1]![key]!;
      }
    },
    async rows(table, columns, keys) {
      const key = quote(columns[0]!);
      return db.prepare(`SELECT ${columns.map(quote).join(', ')} FROM ${quote(table)} WHERE ${key} IN (${keys.map(() => '?').join(',')})`).all(...keys) as Row[];
    },
    async insert(table, columns, rows) {
      const stmt = db.prepare(`INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
      for (const row of rows) stmt.run(...columns.map((c) => row[c] ?? null));
    },
    async setColumn(table, column, pairs) {
      const stmt = db.prepare(`UPDATE ${quote(table)} SET ${quote(column)} = ? WHERE id = ?`);
      for (const [id, value] of pairs) stmt.run(value, id);
    },
    // A read transaction holds one snapshot in WAL mode; the write side takes the lock up front.
    async begin(mode) {
      db.exec(mode === 'write' ? 'BEGIN IMMEDIATE' : 'BEGIN');
    },
    async commit() {
      db.exec('COMMIT');
    },
    async rollback() {
      if (db.inTransaction) db.exec('ROLLBACK');
    },
  };
}

/** A PostgreSQL side on one dedicated connection (the transaction must stay on it). */
export function postgresEndpoint(client: pg.PoolClient, label: string): Endpoint {
  let writing = false;
  return {
    label,
    async tables() {
      const r = await client.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`);
      return r.rows.map((x) => x.name);
    },
    async columns(table) {
      const r = await client.query<{ name: string }>(`SELECT column_name AS name FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, [table]);
      return r.rows.map((x) => x.name);
    },
    async count(table) {
      return (await client.query<{ n: number }>(`SELECT count(*) AS n FROM ${quote(table)}`)).rows[0]!.n;
    },
    async *read(table, columns) {
      const key = quote(columns[0]!);
      for (let after: Value = null; ;) {
        const select = `SELECT ${columns.map(quote).join(', ')} FROM ${quote(table)}`;
        const rows: Row[] = (after === null
          ? await client.query<Row>(`${select} ORDER BY ${key} LIMIT ${BATCH}`)
          : await client.query<Row>(`${select} WHERE ${key} > $1 ORDER BY ${key} LIMIT ${BATCH}`, [after])).rows;
        if (rows.length > 0) yield rows;
        if (rows.length < BATCH) return;
        after = rows[rows.length - 1]![columns[0]!]!;
      }
    },
    async rows(table, columns, keys) {
      const key = quote(columns[0]!);
      const cast = typeof keys[0] === 'number' ? 'bigint' : 'text';
      return (await client.query<Row>(`SELECT ${columns.map(quote).join(', ')} FROM ${quote(table)} WHERE ${key} = ANY($1::${cast}[])`, [keys])).rows;
    },
    async insert(table, columns, rows) {
      if (rows.length === 0) return;
      const values: Value[] = [];
      const tuples = rows.map((row) => `(${columns.map((c) => { values.push(row[c] ?? null); return `$${values.length}`; }).join(', ')})`);
      await client.query(`INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES ${tuples.join(', ')}`, values);
    },
    async setColumn(table, column, pairs) {
      await client.query(`UPDATE ${quote(table)} t SET ${quote(column)} = v.value FROM unnest($1::bigint[], $2::bigint[]) AS v(id, value) WHERE t.id = v.id`,
        [pairs.map((p) => p[0]), pairs.map((p) => p[1])]);
    },
    async begin(mode) {
      writing = mode === 'write';
      await client.query(writing ? 'BEGIN' : 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    },
    async commit() {
      if (writing) await resetIdentities(client);
      await client.query('COMMIT');
    },
    async rollback() {
      await client.query('ROLLBACK');
    },
  };
}

/** Rows came in with their ids: each identity sequence continues after the highest copied id. */
async function resetIdentities(client: pg.PoolClient): Promise<void> {
  const r = await client.query<{ table_name: string }>(`SELECT table_name FROM information_schema.columns
    WHERE table_schema = current_schema() AND column_name = 'id' AND is_identity = 'YES'`);
  for (const { table_name: table } of r.rows) {
    await client.query(`SELECT setval(pg_get_serial_sequence($1, 'id'), coalesce((SELECT max(id) FROM ${quote(table)}), 0) + 1, false)`, [table]);
  }
}
