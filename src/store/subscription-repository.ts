/** Reply subscriptions and used one-click tokens, for both databases. */
import type { Subscription, SubscriptionRepository, UsedTokenRepository } from './repository.js';
import { isSet } from './rows/flag.js';
import { toSubscription } from './rows/subscription-row.js';
import { first, run, type SqlRunner, type TxWork } from './sql/sql-runner.js';

export class SqlSubscriptionRepository implements SubscriptionRepository {
  constructor(private readonly sql: SqlRunner) {}

  request(email: string, threadId: number, tokenHash: string, now: Date): Promise<{ subscription: Subscription; renewed: boolean }> {
    return this.sql.transaction(() => this.requestWork(email, threadId, tokenHash, now));
  }

  private *requestWork(email: string, threadId: number, tokenHash: string, now: Date): TxWork<{ subscription: Subscription; renewed: boolean }> {
    const { db, dialect } = this.sql;
    // Insert-or-nothing first, so two requests at once end with one row; then (PostgreSQL) lock it.
    yield* run(db.insertInto('subscriptions')
      .values({ email, thread_id: threadId, confirmed: false, token_hash: tokenHash, created_at: now.getTime() })
      .onConflict((oc) => oc.columns(['email', 'thread_id']).doNothing()));
    const row = (yield* first(db.selectFrom('subscriptions').selectAll().where('email', '=', email).where('thread_id', '=', threadId)
      .$if(dialect.rowLocks, (q) => q.forUpdate())))!;
    // Asking again never un-confirms anybody.
    if (isSet(row.confirmed)) return { subscription: toSubscription(row), renewed: false };
    const renewed = yield* first(db.updateTable('subscriptions').set({ token_hash: tokenHash, created_at: now.getTime() })
      .where('id', '=', row.id).returningAll());
    return { subscription: toSubscription(renewed!), renewed: true };
  }

  async findById(id: number): Promise<Subscription | undefined> {
    const row = await this.sql.first(this.sql.db.selectFrom('subscriptions').selectAll().where('id', '=', id));
    return row && toSubscription(row);
  }

  async findByEmail(email: string, threadId: number): Promise<Subscription | undefined> {
    const row = await this.sql.first(this.sql.db.selectFrom('subscriptions').selectAll().where('email', '=', email).where('thread_id', '=', threadId));
    return row && toSubscription(row);
  }

  async confirm(id: number): Promise<boolean> {
    return (await this.sql.run(this.sql.db.updateTable('subscriptions').set({ confirmed: true }).where('id', '=', id))) > 0;
  }

  async remove(id: number): Promise<boolean> {
    return (await this.sql.run(this.sql.db.deleteFrom('subscriptions').where('id', '=', id))) > 0;
  }

  async listConfirmed(threadId: number): Promise<Subscription[]> {
    const rows = await this.sql.all(this.sql.db.selectFrom('subscriptions').selectAll()
      .where('thread_id', '=', threadId).where(this.sql.dialect.isTrue('confirmed')).orderBy('id'));
    return rows.map(toSubscription);
  }
}

/**
 * A nonce needs remembering only while its link could still be valid: links live 7 days from
 * signing and are used after signing, so a nonce used more than 8 days ago can go.
 */
const NONCE_KEEP_MS = 8 * 24 * 3600_000;

export class SqlUsedTokenRepository implements UsedTokenRepository {
  private uses = 0;

  constructor(private readonly sql: SqlRunner) {}

  async use(nonce: string, now: Date): Promise<boolean> {
    const { db } = this.sql;
    if (++this.uses % 100 === 1) await this.sql.run(db.deleteFrom('used_action_tokens').where('used_at', '<', now.getTime() - NONCE_KEEP_MS));
    // The primary key decides: of two racing uses, on any instance, exactly one inserts.
    const inserted = await this.sql.run(db.insertInto('used_action_tokens').values({ nonce, used_at: now.getTime() })
      .onConflict((oc) => oc.column('nonce').doNothing()));
    return inserted === 1;
  }
}
