/**
 * Forward migrations of the PostgreSQL schema. schema.postgres.sql is always the newest schema and is
 * applied whole to an empty database; a database made by an older release is brought forward one
 * numbered step at a time, each in its own transaction with its version bump. The numbers follow the
 * SQLite schema's user_version (src/store/sqlite/migrations.ts): a change to one backend's schema is
 * made to the other's in the same step, which tests/store/postgres-store.test.ts checks.
 */
import { mergeSplitThreads } from '../merge-split-threads.js';
import type { MigrationStep } from '../sql/data-migration.js';

export const PG_SCHEMA_VERSION = 5;

/** PG_MIGRATIONS[n] takes a database from version n to n + 1. Version 4 is the first PostgreSQL schema. */
export const PG_MIGRATIONS: Readonly<Record<number, MigrationStep>> = {
  // 4 → 5: targets and sources normalized further (escape case, NFC); threads split by spelling merge.
  4: mergeSplitThreads,
};
