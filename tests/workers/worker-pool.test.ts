/**
 * Issue 14, point 3: every task sent to the worker pool has a time limit, and a pool busy with
 * source pages does not hold up a reader's comment (separate lanes). Checked by outcome and by
 * order, never by elapsed time.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { LinkCheck } from '../../src/linkback/find-link.js';
import { checkSourceLinksOffThread, INLINE_COMMENT_CHARS, renderCommentBodyOffThread } from '../../src/workers/offload.js';
import { createWorkerPool, WorkerBusyError, WorkerTimeoutError, type WorkerPool } from '../../src/workers/worker-pool.js';
import { bigBlogPage } from '../helpers/pages.js';
import { until } from '../helpers/wait.js';

const TARGET = 'http://blog.example/2026/11/hello/';
const MiB = 1024 * 1024;
/** Large enough to go to the linkback lane (over INLINE_PAGE_CHARS), and to take it a while. */
const bigDoc = (n: number) => ({ url: `http://source.example/${n}`, contentType: 'text/html', body: bigBlogPage(MiB / 8, TARGET, n) });

/** Long enough to be sent to the comment lane (over INLINE_COMMENT_CHARS). */
const LONG_COMMENT = `${'**Bold** and _italic_ and [a link](https://a.example/). '.repeat(60)}done`;

describe('worker pool', () => {
  it('abandons a task over its time limit, and the lane goes on working afterwards', async () => {
    const pool = createWorkerPool({ cores: 2 });
    await assert.rejects(checkSourceLinksOffThread(bigDoc(1), TARGET, 'anchor', { pool, timeoutMs: 1 }), (err) => {
      assert.ok(err instanceof WorkerTimeoutError, String(err));
      assert.equal(err.lane, 'linkback');
      return true;
    });
    const check = await checkSourceLinksOffThread(bigDoc(2), TARGET, 'anchor', { pool, timeoutMs: 60_000 });
    assert.equal(check.kind, 'linked');
  });

  it('renders a comment while source pages are still queued on their own lane', async () => {
    const pool: WorkerPool = createWorkerPool({ cores: 2 }); // one linkback thread: the rest wait
    // Start the comment lane's thread first: what is checked is that a comment never queues behind
    // source pages, not how fast a thread boots on a loaded machine.
    await renderCommentBodyOffThread(LONG_COMMENT, { pool, timeoutMs: 120_000 });
    const finished: string[] = [];
    const pages: Array<Promise<LinkCheck>> = [];
    for (let i = 0; i < 6; i++) {
      pages.push(checkSourceLinksOffThread(bigDoc(10 + i), TARGET, 'anchor', { pool, timeoutMs: 120_000 }).then((c) => {
        finished.push(`page ${i}`);
        return c;
      }));
    }
    const pagesWaiting = pool.queued('linkback');
    assert.ok(pagesWaiting >= 4, `queued: ${pagesWaiting}`);
    const rendering = renderCommentBodyOffThread(LONG_COMMENT, { pool, timeoutMs: 120_000 });
    // The comment went straight to its own lane's idle thread while the source pages wait on theirs:
    // it queues behind none of them (checked by the queues, not by a clock, on a shared machine).
    assert.equal(pool.queued('comment'), 0, 'the comment waits behind nothing');
    assert.equal(pool.queued('linkback'), pagesWaiting, 'the comment did not join the source pages\' queue');
    const html = await rendering;
    finished.push('comment');
    assert.match(html, /<strong>Bold<\/strong>/);
    for (const check of await Promise.all(pages)) assert.equal(check.kind, 'linked');
  });

  it('starts no thread for a comment rendered inline, ends an idle lane\'s thread, and starts a new one for the next task', { timeout: 120_000 }, async () => {
    // Issue 15 (memory): each thread is an isolate of ~20 MiB; a server at rest must not keep one.
    const pool = createWorkerPool({ cores: 2, idleTimeoutMs: 100 });
    const short = 'A *short* comment.';
    assert.ok(short.length <= INLINE_COMMENT_CHARS);
    assert.match(await renderCommentBodyOffThread(short, { pool }), /<em>short<\/em>/);
    assert.equal(pool.threads('comment'), 0, 'an inline render starts no thread');

    assert.match(await renderCommentBodyOffThread(LONG_COMMENT, { pool, timeoutMs: 60_000 }), /<strong>Bold<\/strong>/);
    assert.equal(pool.threads('comment'), 1, 'a long comment started the lane\'s thread');
    assert.equal(pool.threads('linkback') + pool.threads('preview'), 0, 'and no other lane\'s');
    await until(() => pool.threads('comment') === 0);

    // The lane works again after its thread ended: the next long comment starts a new one.
    assert.match(await renderCommentBodyOffThread(LONG_COMMENT, { pool, timeoutMs: 60_000 }), /<em>italic<\/em>/);
    assert.equal(pool.threads('comment'), 1);
    await until(() => pool.threads('comment') === 0);
  });

  it('refuses a task when its lane queue is full, instead of queueing without bound', async () => {
    const pool = createWorkerPool({ cores: 2, maxQueue: 2 });
    const running = [0, 1, 2].map((i) => checkSourceLinksOffThread(bigDoc(20 + i), TARGET, 'anchor', { pool, timeoutMs: 120_000 }));
    await assert.rejects(checkSourceLinksOffThread(bigDoc(23), TARGET, 'anchor', { pool }), WorkerBusyError);
    // Other lanes are not affected.
    assert.match(await renderCommentBodyOffThread(LONG_COMMENT, { pool }), /<em>italic<\/em>/);
    for (const check of await Promise.all(running)) assert.equal(check.kind, 'linked');
  });
});
