/**
 * SQLite schema step 9 → 10 (issue 17.3): comments.owner, comments.pinned, comments.edited_by. SQLite
 * has no ADD COLUMN IF NOT EXISTS, so each column is added only when missing: a database shaped by
 * hand from today's schema (as the older steps' tests build theirs) must open too.
 */
import { sql, type Compilable, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../sql/schema-types.js';
import { all, run, type TxWork } from '../sql/sql-runner.js';

const OWNER_COLUMNS: ReadonlyArray<[name: string, definition: string]> = [
  ['owner', 'INTEGER NOT NULL DEFAULT 0'],
  ['pinned', 'INTEGER NOT NULL DEFAULT 0'],
  ['edited_by', 'TEXT'],
];

export function* addOwnerColumns(db: Kysely<Database>): TxWork<void> {
  const existing = new Set((yield* all(compiled(db, sql<{ name: string }>`SELECT name FROM pragma_table_info('comments')`))).map((r) => r.name));
  for (const [name, definition] of OWNER_COLUMNS) {
    if (!existing.has(name)) yield* run(compiled(db, sql`ALTER TABLE comments ADD COLUMN ${sql.raw(name)} ${sql.raw(definition)}`));
  }
}

function compiled<R>(db: Kysely<Database>, query: RawBuilder<R>): Compilable<R> {
  return { compile: () => query.compile(db) };
}
