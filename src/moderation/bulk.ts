/** Bulk moderation: one action over many comments, each through the same moderate() as a single click. */
import { AppError, ValidationError, msg } from '../domain/errors.js';
import type { ModerationAction, ModerationResult } from './moderate.js';

/** Enough for a full page of the queue; bounds the work one request can ask for. */
export const MAX_BULK_IDS = 500;

export type BulkOutcome =
  | { id: number; ok: true; result: ModerationResult }
  | { id: number; ok: false; error: AppError };

/** Positive integer ids, duplicates once, in the order given; 400 when the list is empty, too long or not ids. */
export function parseBulkIds(input: unknown): number[] {
  if (!Array.isArray(input) || input.length === 0) {
    throw new ValidationError('invalid-body', 'ids-required', 'ids');
  }
  if (input.length > MAX_BULK_IDS) {
    throw new ValidationError('invalid-body', msg('too-many-ids', { max: MAX_BULK_IDS }), 'ids');
  }
  if (!input.every((id) => Number.isSafeInteger(id) && (id as number) > 0)) {
    throw new ValidationError('invalid-body', 'ids-not-integers', 'ids');
  }
  return [...new Set(input as number[])];
}

/**
 * Applies `action` to each id in turn. One missing or refused comment does not stop the others: its
 * outcome carries the error. Sequential on purpose, so Akismet feedback and notifications keep their order.
 */
export async function moderateMany(
  moderate: (id: number, action: ModerationAction) => Promise<ModerationResult>,
  ids: readonly number[],
  action: ModerationAction,
): Promise<BulkOutcome[]> {
  const outcomes: BulkOutcome[] = [];
  for (const id of ids) {
    try {
      outcomes.push({ id, ok: true, result: await moderate(id, action) });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      outcomes.push({ id, ok: false, error: err });
    }
  }
  return outcomes;
}
