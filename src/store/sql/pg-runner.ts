/**
 * SqlRunner over a pg pool: compiled queries run as named prepared statements (the name derived
 * from the SQL text, so each connection plans a statement once), transactions on one pooled client.
 */
import { createHash } from 'node:crypto';
import { sql, type Compilable, type CompiledQuery, type Kysely } from 'kysely';
import type pg from 'pg';
import { transaction } from '../postgres/pg-transaction.js';
import { postgresBuilder } from './compilers.js';
import type { Database } from './schema-types.js';
import { driveAsync, type SqlDialect, type SqlRunner, type SqlStep, type TxWork } from './sql-runner.js';

type Queryable = pg.Pool | pg.PoolClient;

export class PgRunner implements SqlRunner {
  readonly db: Kysely<Database> = postgresBuilder();
  readonly dialect: SqlDialect;
  private readonly names = new Map<string, string>();

  constructor(readonly pool: pg.Pool) {
    this.dialect = postgresDialect(pool);
  }

  async all<R>(query: Compilable<R>): Promise<R[]> {
    return (await this.exec(this.pool, { op: 'all', query: query.compile() })) as R[];
  }

  async first<R>(query: Compilable<R>): Promise<R | undefined> {
    return (await this.exec(this.pool, { op: 'first', query: query.compile() })) as R | undefined;
  }

  async run(query: Compilable<unknown>): Promise<number> {
    return (await this.exec(this.pool, { op: 'run', query: query.compile() })) as number;
  }

  transaction<T>(work: () => TxWork<T>): Promise<T> {
    return transaction(this.pool, (client) => driveAsync(work(), (step) => this.exec(client, step)));
  }

  /** A PostgreSQL commit is flushed (synchronous_commit) before other sessions see it. */
  async synced(): Promise<void> {
    return undefined;
  }

  private async exec(db: Queryable, step: SqlStep): Promise<unknown> {
    if (step.op === 'lock') {
      await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [step.key]);
      return undefined;
    }
    const result = await db.query({ name: this.nameOf(step.query), text: step.query.sql, values: step.query.parameters as unknown[] });
    if (step.op === 'all') return result.rows;
    if (step.op === 'first') return result.rows[0];
    return result.rowCount ?? 0;
  }

  private nameOf(query: CompiledQuery): string {
    let name = this.names.get(query.sql);
    if (!name) {
      // Bounded like SQLite's statement cache; a dropped name is only re-derived, the hash is stable.
      if (this.names.size >= 500) this.names.clear();
      name = `bt_${createHash('sha1').update(query.sql).digest('base64url').slice(0, 20)}`;
      this.names.set(query.sql, name);
    }
    return name;
  }
}

function postgresDialect(pool: pg.Pool): SqlDialect {
  let collation: Promise<string> | undefined;
  /**
   * The collation that lower-cases every script the same whatever the database's locale: ICU's
   * root locale when PostgreSQL was built with ICU (Debian's is), else the database default (a
   * database made with the C locale then folds ASCII only). Looked up once.
   */
  const foldCollation = (): Promise<string> => (collation ??= pool.query(`SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu'`)
    .then((r) => (r.rowCount ? ' COLLATE "und-x-icu"' : ''))
    .catch(() => ''));
  return {
    name: 'postgres',
    rowLocks: true,
    isFalse: (ref) => sql<boolean>`NOT ${sql.ref(ref)}`,
    isTrue: (ref) => sql<boolean>`${sql.ref(ref)}`,
    likeFolded: (ref, pattern) => sql<boolean>`${sql.ref(ref)} ILIKE ${pattern} ESCAPE '\\'`,
    async containsFolded(columns, needle) {
      // strpos on lower-cased text: a literal substring, no wildcards to escape.
      const collate = sql.raw(await foldCollation());
      const tests = columns.map((col) => sql`strpos(lower(${sql.raw(col)}${collate}), lower(${needle}::text${collate})) > 0`);
      return sql<boolean>`(${sql.join(tests, sql` OR `)})`;
    },
  };
}
