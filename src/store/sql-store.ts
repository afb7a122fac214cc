/**
 * A Store from a SqlRunner: the same repositories on either database. The backend adds only what
 * it really does differently (online backup, closing, a shared pool).
 */
import { sql } from 'kysely';
import { AdminQueries } from './admin-queries.js';
import { SqlCommentRepository } from './comment-repository.js';
import { SqlLinkbackLogRepository } from './linkback-log-repository.js';
import { SqlOutboxRepository } from './outbox-repository.js';
import type { Store } from './repository.js';
import { createSendRepository } from './send-repository.js';
import type { SqlRunner } from './sql/sql-runner.js';
import { SqlSubscriptionRepository, SqlUsedTokenRepository } from './subscription-repository.js';
import { SqlTransferRepository } from './transfer-repository.js';
import { SqlSettingsRepository } from './settings-repository.js';
import { SqlThreadRepository } from './thread-repository.js';
import { SqlVoteRepository } from './vote-repository.js';
import { SqlWebmentionRepository } from './webmention-repository.js';

export type BackendParts = Pick<Store, 'backup' | 'close' | 'sharedPool' | 'releaseMemory'>;

export function createSqlStore(runner: SqlRunner, backend: BackendParts): Store {
  const admin = new AdminQueries(runner);
  return {
    threads: new SqlThreadRepository(runner, admin),
    comments: new SqlCommentRepository(runner, admin),
    settings: new SqlSettingsRepository(runner),
    webmentions: new SqlWebmentionRepository(runner),
    linkbackLog: new SqlLinkbackLogRepository(runner),
    outbox: new SqlOutboxRepository(runner),
    subscriptions: new SqlSubscriptionRepository(runner),
    usedTokens: new SqlUsedTokenRepository(runner),
    transfer: new SqlTransferRepository(runner),
    sends: createSendRepository(runner),
    votes: new SqlVoteRepository(runner),
    ping: async () => {
      try {
        return (await runner.first(runner.db.selectNoFrom(sql.lit(1).as('ok')))) !== undefined;
      } catch {
        return false;
      }
    },
    ...backend,
  };
}
