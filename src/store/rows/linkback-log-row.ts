/** The linkback_log row shape shared by both backends, and its mapping to a log entry. */
import type { Selectable } from 'kysely';
import type { LinkbackKind, LinkbackLogEntry, LinkbackOutcome } from '../../domain/comment.js';
import type { LinkbackLogTable } from '../sql/schema-types.js';

export type LinkbackLogRow = Selectable<LinkbackLogTable>;

/** The log is for diagnosis, not an archive: each backend keeps the newest LOG_KEEP attempts. */
export const LOG_KEEP = 10_000;

export function toLinkbackLogEntry(row: LinkbackLogRow): LinkbackLogEntry {
  return {
    id: row.id, kind: row.kind as LinkbackKind, source: row.source, target: row.target, outcome: row.outcome as LinkbackOutcome,
    reason: row.reason, ip: row.ip, commentId: row.comment_id, created: new Date(row.created_at),
  };
}
