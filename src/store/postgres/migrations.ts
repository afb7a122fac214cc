/**
 * Forward migrations of the PostgreSQL schema. schema.postgres.sql is always the newest schema and is
 * applied whole to an empty database; a database made by an older release is brought forward one
 * numbered step at a time, each in its own transaction with its version bump. The numbers follow the
 * SQLite schema's user_version (src/store/sqlite/migrations.ts): a change to one backend's schema is
 * made to the other's in the same step, which tests/store/postgres-store.test.ts checks.
 */
export const PG_SCHEMA_VERSION = 5;

/** PG_MIGRATIONS[n] takes a database from version n to n + 1. Version 4 is the first PostgreSQL schema. */
export const PG_MIGRATIONS: Readonly<Record<number, string>> = {
  // 4 → 5: the language a comment was written in, and a subscriber's, so mails are sent in it.
  4: `ALTER TABLE comments ADD COLUMN IF NOT EXISTS lang TEXT;
ALTER TABLE subscriptions ADD COLUMN IF NOT EXISTS lang TEXT;`,
};
