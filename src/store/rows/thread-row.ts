/** The threads row shape shared by both backends, and its mapping to the domain. */
import type { Selectable } from 'kysely';
import type { Thread } from '../../domain/comment.js';
import type { ThreadSummary } from '../repository.js';
import type { ThreadsTable } from '../sql/schema-types.js';
import { isSet, type DbFlag } from './flag.js';

/** The trigger-kept version stays out of the domain's Thread (threadVersions reads it). */
export type ThreadRow = Omit<Selectable<ThreadsTable>, 'version'>;

export function toThread(row: ThreadRow): Thread {
  return {
    id: row.id,
    target: row.target,
    title: row.title,
    commentsClosed: isSet(row.comments_closed),
    linkbacksClosed: isSet(row.linkbacks_closed),
    created: new Date(row.created_at),
  };
}

/**
 * A thread with its comment counts per status, as the moderation page's thread list selects it.
 * The counts are numbers on both backends: PostgreSQL's BIGINT count(*) is parsed to a number by the
 * pool's type parser (open-postgres.ts).
 */
export type ThreadSummaryRow = ThreadRow & {
  n_pending: number;
  n_approved: number;
  n_spam: number;
  n_trash: number;
};

export function toThreadSummary(row: ThreadSummaryRow): ThreadSummary {
  return Object.assign(toThread(row), { counts: { pending: row.n_pending, approved: row.n_approved, spam: row.n_spam, trash: row.n_trash } });
}
