import type { Subscription, SubscriptionRepository, UsedTokenRepository } from '../repository.js';
import { toSubscription, type SubscriptionRow } from '../rows/subscription-row.js';
import type { SqliteDatabase } from './open-sqlite.js';

export class SqliteSubscriptionRepository implements SubscriptionRepository {
  private readonly stmts;

  constructor(private readonly db: SqliteDatabase) {
    this.stmts = {
      byPair: db.prepare(`SELECT * FROM subscriptions WHERE email = ? AND thread_id = ?`),
      byId: db.prepare(`SELECT * FROM subscriptions WHERE id = ?`),
      insert: db.prepare(`INSERT INTO subscriptions (email, thread_id, confirmed, token_hash, created_at, lang) VALUES (?, ?, 0, ?, ?, ?)`),
      renew: db.prepare(`UPDATE subscriptions SET token_hash = ?, created_at = ?, lang = coalesce(?, lang) WHERE id = ? AND confirmed = 0`),
      confirm: db.prepare(`UPDATE subscriptions SET confirmed = 1 WHERE id = ?`),
      remove: db.prepare(`DELETE FROM subscriptions WHERE id = ?`),
      confirmed: db.prepare(`SELECT * FROM subscriptions WHERE thread_id = ? AND confirmed = 1 ORDER BY id`),
    };
  }

  async request(email: string, threadId: number, tokenHash: string, now: Date, lang: string | null = null): Promise<{ subscription: Subscription; renewed: boolean }> {
    return this.db.transaction(() => {
      const existing = this.stmts.byPair.get(email, threadId) as SubscriptionRow | undefined;
      if (existing?.confirmed === 1) return { subscription: toSubscription(existing), renewed: false };
      if (existing) this.stmts.renew.run(tokenHash, now.getTime(), lang, existing.id);
      else this.stmts.insert.run(email, threadId, tokenHash, now.getTime(), lang);
      return { subscription: toSubscription(this.stmts.byPair.get(email, threadId) as SubscriptionRow), renewed: true };
    }).immediate();
  }

  async findById(id: number): Promise<Subscription | undefined> {
    const row = this.stmts.byId.get(id) as SubscriptionRow | undefined;
    return row && toSubscription(row);
  }

  async findByEmail(email: string, threadId: number): Promise<Subscription | undefined> {
    const row = this.stmts.byPair.get(email, threadId) as SubscriptionRow | undefined;
    return row && toSubscription(row);
  }

  async confirm(id: number): Promise<boolean> {
    return this.stmts.confirm.run(id).changes > 0;
  }

  async remove(id: number): Promise<boolean> {
    return this.stmts.remove.run(id).changes > 0;
  }

  async listConfirmed(threadId: number): Promise<Subscription[]> {
    return (this.stmts.confirmed.all(threadId) as SubscriptionRow[]).map(toSubscription);
  }
}

/**
 * A nonce needs remembering only while its link could still be valid: links live 7 days from
 * signing and are used after signing, so a nonce used more than 8 days ago can go.
 */
const NONCE_KEEP_MS = 8 * 24 * 3600_000;

export class SqliteUsedTokenRepository implements UsedTokenRepository {
  private readonly insert;
  private readonly prune;
  private uses = 0;

  constructor(db: SqliteDatabase) {
    // The primary key decides: of two racing uses, exactly one inserts.
    this.insert = db.prepare(`INSERT INTO used_action_tokens (nonce, used_at) VALUES (?, ?) ON CONFLICT (nonce) DO NOTHING`);
    this.prune = db.prepare(`DELETE FROM used_action_tokens WHERE used_at < ?`);
  }

  async use(nonce: string, now: Date): Promise<boolean> {
    if (++this.uses % 100 === 1) this.prune.run(now.getTime() - NONCE_KEEP_MS);
    return this.insert.run(nonce, now.getTime()).changes === 1;
  }
}
