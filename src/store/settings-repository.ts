/** Settings (key → value), for both databases. */
import type { SettingsRepository } from './repository.js';
import { prepared } from './sql/prepared.js';
import type { SqlRunner } from './sql/sql-runner.js';

export class SqlSettingsRepository implements SettingsRepository {
  /** Read by several request paths (sessions, the admin token, site checks): compiled once. */
  private readonly byKey;

  constructor(private readonly sql: SqlRunner) {
    this.byKey = prepared((p: { key: string }) => sql.db.selectFrom('settings').select('value').where('key', '=', p.key));
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.sql.first(this.byKey({ key })))?.value;
  }

  async set(key: string, value: string): Promise<void> {
    await this.sql.run(this.sql.db.insertInto('settings').values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ value: eb.ref('excluded.value') }))));
  }

  async setIfAbsent(key: string, value: string): Promise<string> {
    // One statement cannot both insert-or-skip and return the winner's value when it skipped, so a
    // read follows; a key is never deleted, so the read finds it.
    await this.sql.run(this.sql.db.insertInto('settings').values({ key, value }).onConflict((oc) => oc.column('key').doNothing()));
    return (await this.get(key))!;
  }
}
