/**
 * Readers' votes, for both databases. One transaction per vote: the comment row is read (and, on
 * PostgreSQL, locked, so two votes on one comment from any instances take turns), the voter's row is
 * inserted, changed or deleted, and the comment's likes and dislikes move by the same difference.
 * The counts therefore always equal the votes table (plus the counts a comment was imported with,
 * from Isso, whose voters cannot be carried over), and a repeated vote changes nothing.
 */
import type { VoteOutcome, VoteRepository, VoteRequest } from './repository.js';
import { isSet } from './rows/flag.js';
import { statusLiteral } from './sql/comment-select.js';
import { first, run, type SqlRunner, type TxWork } from './sql/sql-runner.js';

export class SqlVoteRepository implements VoteRepository {
  constructor(private readonly sql: SqlRunner) {}

  cast(vote: VoteRequest): Promise<VoteOutcome> {
    return this.sql.transaction(() => this.castWork(vote));
  }

  private *castWork(v: VoteRequest): TxWork<VoteOutcome> {
    const { db, dialect } = this.sql;
    const comment = yield* first(db.selectFrom('comments as c').innerJoin('threads as t', 't.id', 'c.thread_id')
      .select(['c.likes', 'c.dislikes', 'c.deleted', 't.target'])
      .where('c.id', '=', v.commentId).where('c.status', '=', statusLiteral('approved'))
      .$if(dialect.rowLocks, (q) => q.forUpdate('c')));
    if (!comment || isSet(comment.deleted)) return { kind: 'no-comment' };
    const mine = yield* first(db.selectFrom('votes').select(['id', 'value']).where('comment_id', '=', v.commentId).where('voter', '=', v.voter));
    const before = mine?.value ?? 0;
    if (before === v.value) return { kind: 'counted', likes: Number(comment.likes), dislikes: Number(comment.dislikes), target: comment.target };
    const at = v.now.getTime();
    if (v.value === 0) {
      yield* run(db.deleteFrom('votes').where('id', '=', mine!.id));
    } else if (mine) {
      yield* run(db.updateTable('votes').set({ value: v.value, updated_at: at }).where('id', '=', mine.id));
    } else {
      const held = yield* first(db.selectFrom('votes').select((eb) => eb.fn.countAll<number>().as('n'))
        .where('comment_id', '=', v.commentId).where('network', '=', v.network));
      if (Number(held?.n ?? 0) >= v.perNetwork) return { kind: 'network-full' };
      yield* run(db.insertInto('votes').values({
        comment_id: v.commentId, voter: v.voter, network: v.network, value: v.value, created_at: at, updated_at: at,
      }));
    }
    const likes = Number(comment.likes) + (v.value === 1 ? 1 : 0) - (before === 1 ? 1 : 0);
    const dislikes = Number(comment.dislikes) + (v.value === -1 ? 1 : 0) - (before === -1 ? 1 : 0);
    yield* run(db.updateTable('comments').set({ likes, dislikes }).where('id', '=', v.commentId));
    return { kind: 'counted', likes, dislikes, target: comment.target };
  }
}
