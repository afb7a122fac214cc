/** The subscriptions row shape shared by both backends, and its mapping to the domain. */
import type { Selectable } from 'kysely';
import type { PersonalData, Subscription } from '../repository.js';
import type { SubscriptionsTable } from '../sql/schema-types.js';
import { isSet, type DbFlag } from './flag.js';

export type SubscriptionRow = Selectable<SubscriptionsTable>;

export function toSubscription(row: SubscriptionRow): Subscription {
  return {
    id: row.id, email: row.email, threadId: row.thread_id, confirmed: isSet(row.confirmed),
    tokenHash: row.token_hash, created: new Date(row.created_at),
  };
}

/** A subscription as a personal-data request lists it: the thread's target instead of its id. */
export interface SubscriptionExportRow {
  target: string;
  confirmed: DbFlag;
  created_at: number;
}

export function toSubscriptionExport(row: SubscriptionExportRow): PersonalData['subscriptions'][number] {
  return { target: row.target, confirmed: isSet(row.confirmed), created: new Date(row.created_at) };
}
