/**
 * A schema step that rewrites data by rules SQL cannot express (URL normalization, say): written once
 * against the query builder as transactional work, run by each backend's migrator inside the step's
 * transaction, together with its version bump.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema-types.js';
import type { TxWork } from './sql-runner.js';

export type DataMigration = (db: Kysely<Database>) => TxWork<unknown>;

/** A numbered migration step: SQL text, or a data migration. */
export type MigrationStep = string | DataMigration;
