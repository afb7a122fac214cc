/**
 * One page of a thread (contract v1.1), for both databases: the page's top-level items by keyset
 * (no OFFSET, so page N costs what page 1 costs), then all of their replies in one recursive query.
 *
 * Top-level means what the thread views show at the top: an approved item whose parent is absent or
 * not approved (a reply to a comment that was held, marked spam or trashed later keeps its place
 * instead of vanishing). An item is shown when approved and not deleted, or deleted but still with
 * approved replies (the placeholder), exactly as listVisible decides.
 *
 * Orders and the indexes that serve them: oldest/newest read comments_thread_status (thread_id,
 * status, id) forwards or backwards; liked reads comments_thread_liked (thread_id, status,
 * (likes - dislikes) DESC, id). The order's keys before the id come from `sortKeys`. Pinned comments
 * (issue 17.3) are read apart, ahead of the first page, and the pages' keyset runs over the rest.
 */
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Comment } from '../domain/comment.js';
import { sortKeys, type PageCursor, type ThreadPage, type ThreadPageRequest, type ThreadSort } from '../domain/thread-page.js';
import { toComment, type CommentRow } from './rows/comment-row.js';
import { COMMENT_SELECTION, selectComments, statusLiteral } from './sql/comment-select.js';
import type { Database } from './sql/schema-types.js';
import { literalLimit } from './sql/literal-limit.js';
import type { SqlRunner } from './sql/sql-runner.js';

const APPROVED = statusLiteral('approved');
const ONE = sql.lit(1);
/** Spelled exactly as in the index comments_thread_liked, so both planners match it. */
const SCORE = sql<number>`(c.likes - c.dislikes)`;

type Eb = ExpressionBuilder<Database & { c: Database['comments'] }, 'c'>;

/** Shown: not deleted, or a placeholder that still has approved replies. */
function shown(runner: SqlRunner, eb: Eb): Expression<SqlBool> {
  return eb.or([
    runner.dialect.isFalse('c.deleted'),
    eb.exists(eb.selectFrom('comments as r').select(ONE.as('one')).whereRef('r.parent_id', '=', 'c.id').where('r.status', '=', APPROVED)),
  ]);
}

/** The keyset condition "comes after `after` in this order". */
function afterCursor(eb: Eb, sort: ThreadSort, after: PageCursor): Expression<SqlBool> {
  switch (sort) {
    case 'oldest': return eb('c.id', '>', after.id);
    case 'newest': return eb('c.id', '<', after.id);
    case 'liked': {
      const [score] = after.keys as [number];
      return eb.or([eb(SCORE, '<', score), eb.and([eb(SCORE, '=', score), eb('c.id', '>', after.id)])]);
    }
  }
}

export async function listThreadPage(runner: SqlRunner, threadId: number, page: ThreadPageRequest): Promise<ThreadPage> {
  const { db, dialect } = runner;
  const { sort, limit, after } = page;
  const topLevel = () => selectComments(db)
    .where('c.thread_id', '=', threadId).where('c.status', '=', APPROVED)
    .where((eb) => eb.or([
      eb('c.parent_id', 'is', null),
      eb.not(eb.exists(eb.selectFrom('comments as p').select(ONE.as('one')).whereRef('p.id', '=', 'c.parent_id').where('p.status', '=', APPROVED))),
    ]))
    .where((eb) => shown(runner, eb as Eb));
  // Contract v1.1: pinned comments come first among the top-level ones, in every order. They are
  // all on the first page, oldest first, ahead of the order's own items, counted in its `limit` (an
  // owner pins a few: pinning more than a page holds makes the first page longer, never loses one);
  // the keyset pages are of the unpinned ones, so their cursors and indexes stay as they were.
  const pinned = after ? [] : (await runner.all(topLevel().where(dialect.isTrue('c.pinned')).orderBy('c.id', 'asc'))).map(toComment);
  let roots = topLevel().where(dialect.isFalse('c.pinned'));
  if (after) roots = roots.where((eb) => afterCursor(eb as Eb, sort, after));
  roots = sort === 'oldest' ? roots.orderBy('c.id', 'asc')
    : sort === 'newest' ? roots.orderBy('c.id', 'desc')
    : roots.orderBy(SCORE, 'desc').orderBy('c.id', 'asc');
  // At least one unpinned item on a page, so a cursor can always name where the next page starts.
  const wanted = Math.max(limit - pinned.length, 1);
  // One more than asked: whether it exists says whether there is a next page.
  const rows = await runner.all(roots.limit(literalLimit(wanted + 1)));
  const unpinned = rows.slice(0, wanted).map(toComment);
  const last = unpinned.at(-1);
  const next = rows.length > wanted && last ? { sort, keys: sortKeys(sort, last), id: last.id } : null;
  const top = [...pinned, ...unpinned];
  if (top.length === 0) return { items: [], next };
  return { items: withReplies(top, await replies(runner, top.map((c) => c.id))), next };
}

/** Every shown reply below `rootIds`, at any depth, oldest first. */
async function replies(runner: SqlRunner, rootIds: number[]): Promise<Comment[]> {
  const { db } = runner;
  const query = db.withRecursive('tree(id)', (qc) => qc.selectFrom('comments as r').select('r.id')
    .where('r.parent_id', 'in', rootIds).where('r.status', '=', APPROVED)
    .unionAll((u) => u.selectFrom('comments as r').innerJoin('tree', 'tree.id', 'r.parent_id').select('r.id').where('r.status', '=', APPROVED)))
    .selectFrom('comments as c')
    .innerJoin('threads as t', 't.id', 'c.thread_id')
    .select(COMMENT_SELECTION)
    .where('c.id', 'in', (eb) => eb.selectFrom('tree').select('tree.id'))
    .where((eb) => shown(runner, eb as unknown as Eb))
    .orderBy('c.id')
    .$castTo<CommentRow>();
  return (await runner.all(query)).map(toComment);
}

/** Each top-level item followed by the replies below it, in thread order. */
function withReplies(top: readonly Comment[], below: readonly Comment[]): Comment[] {
  const parentOf = new Map<number, number | null>(below.map((c) => [c.id, c.parent]));
  const byRoot = new Map<number, Comment[]>(top.map((c) => [c.id, []]));
  for (const reply of below) {
    let root = reply.parent;
    while (root !== null && !byRoot.has(root)) root = parentOf.get(root) ?? null;
    if (root !== null) byRoot.get(root)!.push(reply);
  }
  return top.flatMap((c) => [c, ...byRoot.get(c.id)!]);
}
