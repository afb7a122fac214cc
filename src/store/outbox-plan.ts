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
import { prepared } from './sql/prepared.js';
import { all, first, run, type SqlRunner, type TxWork } from './sql/sql-runner.js';

/**
 * The plan's statements, built and compiled once per runner (sql/prepared.ts): with mail or webhooks
 * on, every new comment runs them inside its insert's transaction.
 */
function outboxQueries({ db, dialect }: SqlRunner) {
  return {
    byId: prepared((p: { id: number }) => selectComments(db).where('c.id', '=', p.id)),
    subscribers: prepared((p: { threadId: number }) => db.selectFrom('subscriptions').selectAll()
      .where('thread_id', '=', p.threadId).where(dialect.isTrue('confirmed')).orderBy('id')),
    title: prepared((p: { threadId: number }) => db.selectFrom('threads').select('title').where('id', '=', p.threadId)),
    enqueue: prepared((p: { channel: string; payload: string; now: number }) => db.insertInto('outbox').values({
      channel: p.channel, payload: p.payload, status: 'pending', next_attempt_at: p.now, created_at: p.now,
    })),
  };
}

const compiled = new WeakMap<SqlRunner, ReturnType<typeof outboxQueries>>();

function queriesOf(sql: SqlRunner): ReturnType<typeof outboxQueries> {
  let queries = compiled.get(sql);
  if (!queries) {
    queries = outboxQueries(sql);
    compiled.set(sql, queries);
  }
  return queries;
}

/**
 * Writes the plan's rows for comment `id` as it now stands; answers how many rows were queued.
 * `known`: the comment as the transaction just wrote it (an insert), so it is not read back.
 */
export function* writeOutboxPlan(sql: SqlRunner, id: number, plan: OutboxPlan, known?: Comment): TxWork<number> {
  const q = queriesOf(sql);
  const row = known ? undefined : yield* first(q.byId({ id }));
  if (!known && !row) return 0;
  const comment = known ?? toComment(row!);
  const subscribers = plan.readsSubscribers(comment)
    ? (yield* all(q.subscribers({ threadId: comment.threadId }))).map(toSubscription)
    : [];
  const thread = yield* first(q.title({ threadId: comment.threadId }));
  const items = plan.rows(comment, subscribers, thread?.title ?? null);
  const now = plan.now.getTime();
  for (const item of items) {
    yield* run(q.enqueue({ channel: item.channel, payload: JSON.stringify(item.payload), now }));
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
