/**
 * The transactional outbox's write half: inside a comment write's transaction, the notification
 * rows that write causes. A crash can then lose neither the comment nor its mail: both commit, or
 * neither does (issue 14, point 10).
 */
import type { Comment } from '../domain/comment.js';
import type { OutboxPlan } from './repository.js';
import { toComment } from './rows/comment-row.js';
import { toSubscription } from './rows/subscription-row.js';
import { selectComments } from './sql/comment-select.js';
import { all, first, run, type SqlRunner, type TxWork } from './sql/sql-runner.js';

/**
 * Writes the plan's rows for comment `id` as it now stands; answers how many rows were queued.
 * `known`: the comment as the transaction just wrote it (an insert), so it is not read back.
 */
export function* writeOutboxPlan(sql: SqlRunner, id: number, plan: OutboxPlan, known?: Comment): TxWork<number> {
  const { db, dialect } = sql;
  const row = known ? undefined : yield* first(selectComments(db).where('c.id', '=', id));
  if (!known && !row) return 0;
  const comment = known ?? toComment(row!);
  const subscribers = plan.readsSubscribers(comment)
    ? (yield* all(db.selectFrom('subscriptions').selectAll()
      .where('thread_id', '=', comment.threadId).where(dialect.isTrue('confirmed')).orderBy('id'))).map(toSubscription)
    : [];
  const thread = yield* first(db.selectFrom('threads').select('title').where('id', '=', comment.threadId));
  const items = plan.rows(comment, subscribers, thread?.title ?? null);
  const now = plan.now.getTime();
  for (const item of items) {
    yield* run(db.insertInto('outbox').values({
      channel: item.channel, payload: JSON.stringify(item.payload), status: 'pending', next_attempt_at: now, created_at: now,
    }));
  }
  return items.length;
}

/** Runs `work` in one transaction with the plan's rows, then wakes the worker if rows were queued. */
export async function withOutbox<T>(
  sql: SqlRunner, plan: OutboxPlan, work: () => TxWork<{ value: T; id: number | undefined; comment?: Comment }>,
): Promise<T> {
  let queued = 0;
  const value = await sql.transaction(function* () {
    const done = yield* work();
    if (done.id !== undefined) queued = yield* writeOutboxPlan(sql, done.id, plan, done.comment);
    return done.value;
  });
  if (queued > 0) plan.written();
  return value;
}
