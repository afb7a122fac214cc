/**
 * The send queue (src/send/), written once for both databases on the shared SQL layer: the posts to
 * read and the links to ping are two leased queues (claimed with a lease and an attempt; a crashed
 * worker's lease runs out and the job comes back), plus the record of what each receiver answered.
 */
import { LeasedQueue } from './leased-queue.js';
import type { ScanPlan, SendRepository } from './repository.js';
import { toSendLink, toSendPost, type SendLinkRow, type SendPostRow } from './rows/send-row.js';
import { all, run, type SqlRunner, type TxWork } from './sql/sql-runner.js';

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

    posts: new LeasedQueue(runner, 'send_posts', toSendPost),
    links: new LeasedQueue(runner, 'send_links', toSendLink),

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
