/**
 * What a whole-database copy must ask each database about itself, where the two really differ:
 * their catalogs are spelled differently, and only PostgreSQL's identity sequences need to be told
 * that rows came in with their ids.
 */
import { sql, type RawBuilder } from 'kysely';
import type { SqlDialect } from './sql-runner.js';
import type { SqlQueries } from './sql-session.js';

export interface Catalog {
  /** The base tables, by name. */
  tables(q: SqlQueries): Promise<string[]>;
  /** A table's columns in their declared order. */
  columns(q: SqlQueries, table: string): Promise<string[]>;
  /** Rows came in with their ids: new rows must continue after the highest one. */
  continueIds(q: SqlQueries): Promise<void>;
}

const names = async (q: SqlQueries, query: RawBuilder<{ name: string }>) =>
  (await q.all({ compile: () => query.compile(q.db) })).map((r) => r.name);

const sqliteCatalog: Catalog = {
  tables: (q) => names(q, sql`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`),
  columns: (q, table) => names(q, sql`SELECT name FROM pragma_table_info(${table}) ORDER BY cid`),
  // INTEGER PRIMARY KEY hands out max(rowid) + 1 by itself.
  continueIds: async () => undefined,
};

const postgresCatalog: Catalog = {
  tables: (q) => names(q, sql`SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`),
  columns: (q, table) => names(q, sql`SELECT column_name AS name FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = ${table} ORDER BY ordinal_position`),
  async continueIds(q) {
    const tables = await names(q, sql`SELECT table_name AS name FROM information_schema.columns
      WHERE table_schema = current_schema() AND column_name = 'id' AND is_identity = 'YES'`);
    for (const table of tables) {
      const restart = sql`SELECT setval(pg_get_serial_sequence(${table}, 'id'), coalesce((SELECT max(id) FROM ${sql.table(table)}), 0) + 1, false)`;
      await q.run({ compile: () => restart.compile(q.db) });
    }
  },
};

export function catalogOf(dialect: SqlDialect): Catalog {
  return dialect.name === 'sqlite' ? sqliteCatalog : postgresCatalog;
}
