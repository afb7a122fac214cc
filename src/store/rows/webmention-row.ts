/** The webmentions row shape shared by both backends, and its mapping to a queued job. */
import type { Selectable } from 'kysely';
import type { WebmentionJob, WebmentionStatus } from '../../domain/comment.js';
import type { WebmentionsTable } from '../sql/schema-types.js';

/** The lease column stays internal. */
export type WebmentionRow = Omit<Selectable<WebmentionsTable>, 'claimed_until'>;

/** The columns of a WebmentionRow, for statements that name them (the lease column stays internal). */
export const WEBMENTION_COLUMNS = `id, token, source, target, status, reason, attempts, next_attempt_at, client_ip, user_agent, comment_id, created_at, updated_at`;

export function toWebmentionJob(row: WebmentionRow): WebmentionJob {
  return {
    id: row.id, token: row.token, source: row.source, target: row.target, status: row.status as WebmentionStatus,
    reason: row.reason, attempts: row.attempts, nextAttemptAt: new Date(row.next_attempt_at), clientIp: row.client_ip,
    userAgent: row.user_agent, commentId: row.comment_id, created: new Date(row.created_at), updated: new Date(row.updated_at),
  };
}
