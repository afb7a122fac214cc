/**
 * The send queue (src/send/), written once for both databases on the shared SQL layer: the posts to
 * read and the links to ping are two leased queues (claimed with a lease and an attempt; a crashed
 * worker's lease runs out and the job comes back), plus the record of what each receiver answered.
 */
import type { SendLink, SendPost } from '../domain/send.js';
import type { ScanPlan, SendQueue, SendRepository } from './repository.js';
import { toSendLink, toSendPost, type SendLinkRow, type SendPostRow } from './rows/send-row.js';
import { all, first, run, type SqlRunner, type TxWork } from './sql/sql-runner.js';

type QueueTable = 'send_posts' | 'send_links';

export function createSendRepository(runner: SqlRunner): SendRepository {
  const { db } = runner;
  const postBySource = (source: string) => db.selectFrom('send_posts').selectAll().where('source', '=', source);
  const postById = (id: number) => db.selectFrom('send_posts').selectAll().where('id', '=', id);
  const linkById = (id: number) => db.selectFrom('send_links').selectAll().where('id', '=', id);

  return {
    async request(source, now, feedVersion) {
      const t = now.getTime();
      await runner.run(db.insertInto('send_posts')
        .values({ source, status: 'pending', title: '', excerpt: '', next_attempt_at: t, created_at: t, updated_at: t, feed_version: feedVersion ?? null })
        .onConflict((oc) => oc.column('source')
          .doUpdateSet({
            status: 'pending', attempts: 0, next_attempt_at: t, claimed_until: null, updated_at: t,
            ...(feedVersion === undefined ? {} : { feed_version: feedVersion }),
          })
          // A post still waiting keeps its place (and its lease, if a worker is reading it now).
          .where('send_posts.status', '!=', 'pending')));
      return toSendPost((await runner.first(postBySource(source)))! as SendPostRow);
    },

    async findPost(id) {
      const row = await runner.first(postById(id));
      return row && toSendPost(row as SendPostRow);
    },

    async findPostBySource(source) {
      const row = await runner.first(postBySource(source));
      return row && toSendPost(row as SendPostRow);
    },

    async listPosts(page) {
      const rows = await runner.all(db.selectFrom('send_posts').selectAll()
        .where('id', '<', page.before ?? Number.MAX_SAFE_INTEGER).orderBy('id', 'desc').limit(page.limit));
      return rows.map((r) => toSendPost(r as SendPostRow));
    },

    async listLinks(postId) {
      const rows = await runner.all(db.selectFrom('send_links').selectAll().where('post_id', '=', postId).orderBy('id'));
      return rows.map((r) => toSendLink(r as SendLinkRow));
    },

    async findLink(id) {
      const row = await runner.first(linkById(id));
      return row && toSendLink(row as SendLinkRow);
    },

    posts: leasedQueue(runner, 'send_posts', (row) => toSendPost(row as SendPostRow)),
    links: leasedQueue(runner, 'send_links', (row) => toSendLink(row as SendLinkRow)),

    applyScan(postId, now, decide) {
      const t = now.getTime();
      return runner.transaction(function* (): TxWork<void> {
        const rows = yield* all(db.selectFrom('send_links').selectAll().where('post_id', '=', postId).orderBy('id'));
        const plan: ScanPlan = decide(rows.map((r) => toSendLink(r as SendLinkRow)));
        const p = plan.post;
        yield* run(db.updateTable('send_posts').set({
          status: p.status, title: p.title, excerpt: p.excerpt, fingerprint: p.fingerprint, gone: p.gone,
          last_error: p.lastError, claimed_until: null, updated_at: t,
        }).where('id', '=', postId));
        for (const link of plan.insert) {
          yield* run(db.insertInto('send_links').values({
            post_id: postId, target: link.target, status: link.state === 'queued' ? 'pending' : 'failed', protocol: 'none', response: link.response,
            in_post: true, next_attempt_at: t, created_at: t, updated_at: t,
          }).onConflict((oc) => oc.columns(['post_id', 'target']).doNothing()));
        }
        for (const id of plan.requeue) {
          yield* run(db.updateTable('send_links').set({ status: 'pending', attempts: 0, next_attempt_at: t, updated_at: t }).where('id', '=', id));
        }
        for (const { id, inPost } of plan.inPost) {
          yield* run(db.updateTable('send_links').set({ in_post: inPost, updated_at: t }).where('id', '=', id));
        }
      });
    },

    async retryPost(id, r) {
      await runner.run(db.updateTable('send_posts').set((eb) => ({
        last_error: r.error, next_attempt_at: r.nextAttemptAt.getTime(), claimed_until: null, updated_at: r.now.getTime(),
        attempts: eb('attempts', '-', r.refund ? 1 : 0),
      })).where('id', '=', id));
    },

    async finishLink(id, r) {
      const t = r.now.getTime();
      await runner.run(db.updateTable('send_links').set({
        status: r.state, protocol: r.protocol, endpoint: r.endpoint, response: r.response, claimed_until: null, updated_at: t,
        ...(r.state === 'sent' ? { sent_at: t } : {}),
      }).where('id', '=', id));
    },

    async retryLink(id, r) {
      await runner.run(db.updateTable('send_links').set((eb) => ({
        response: r.response, next_attempt_at: r.nextAttemptAt.getTime(), claimed_until: null, updated_at: r.now.getTime(),
        attempts: eb('attempts', '-', r.refund ? 1 : 0),
        ...(r.protocol === undefined ? {} : { protocol: r.protocol, endpoint: r.endpoint ?? null }),
      })).where('id', '=', id));
    },

    async requeueLink(id, now) {
      const t = now.getTime();
      await runner.run(db.updateTable('send_links').set({ status: 'pending', attempts: 0, next_attempt_at: t, updated_at: t }).where('id', '=', id));
      const row = await runner.first(linkById(id));
      return row && toSendLink(row as SendLinkRow);
    },
  };
}

/**
 * Claiming due rows of one of the two send tables. On PostgreSQL the due rows are locked with SKIP
 * LOCKED, so instances claiming at the same moment pass over each other's rows; SQLite's IMMEDIATE
 * transaction already holds the only write lock.
 */
function leasedQueue<J>(runner: SqlRunner, table: QueueTable, toJob: (row: unknown) => J): SendQueue<J> {
  // Both tables have the leased-queue columns; one of them names the type for the builder.
  const db = runner.db;
  const t = table as 'send_links';
  return {
    async claimDue(now, limit, leaseMs) {
      const at = now.getTime();
      return runner.transaction(function* () {
        const due = db.selectFrom(t).select('id')
          .where('status', '=', 'pending').where('next_attempt_at', '<=', at)
          .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', at)]))
          .orderBy('next_attempt_at').orderBy('id').limit(limit)
          .$if(runner.dialect.rowLocks, (qb) => qb.forUpdate().skipLocked());
        const ids = (yield* all(due)).map((r) => r.id);
        if (ids.length === 0) return [];
        yield* run(db.updateTable(t).set((eb) => ({ claimed_until: at + leaseMs, attempts: eb('attempts', '+', 1) })).where('id', 'in', ids));
        const rows = yield* all(db.selectFrom(t).selectAll().where('id', 'in', ids).orderBy('next_attempt_at').orderBy('id'));
        return rows.map(toJob);
      });
    },
    async countDue(now) {
      const row = await runner.first(db.selectFrom(t).select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'pending').where('next_attempt_at', '<=', now.getTime()));
      return Number(row?.n ?? 0);
    },
  };
}


