/** The outbox row shape shared by both backends, and its mapping to an outbox item. */
import type { Selectable } from 'kysely';
import type { OutboxChannel, OutboxItem, OutboxStatus } from '../repository.js';
import type { OutboxTable } from '../sql/schema-types.js';

/** `payload` is JSON text: a TEXT column in both schemas. The lease column stays internal. */
export type OutboxRow = Omit<Selectable<OutboxTable>, 'claimed_until'>;

/** The columns of an OutboxRow, for statements that name them (the lease column stays internal). */
export const OUTBOX_COLUMNS = 'id, channel, payload, status, attempts, next_attempt_at, last_error, created_at, sent_at';

export function toOutboxItem(row: OutboxRow): OutboxItem {
  return {
    id: row.id, channel: row.channel as OutboxChannel, payload: JSON.parse(row.payload) as Record<string, unknown>,
    status: row.status as OutboxStatus, attempts: row.attempts, nextAttemptAt: new Date(row.next_attempt_at),
    lastError: row.last_error, created: new Date(row.created_at), sent: row.sent_at === null ? null : new Date(row.sent_at),
  };
}
