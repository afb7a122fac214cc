/**
 * Forward migrations. schema.sql is always the newest schema and is applied whole to a new database;
 * a database made by an older release is brought forward one numbered step at a time, each step in
 * its own transaction together with its `PRAGMA user_version` bump.
 */
export const SCHEMA_VERSION = 1;

/** MIGRATIONS[n] takes a database from version n to n + 1. */
export const MIGRATIONS: Readonly<Record<number, string>> = {};
