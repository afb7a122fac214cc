/**
 * The process tests/crash/batch-kill.test.ts kills: a SQLite store on the file named by argv[2]
 * stores and acknowledges (prints) `ACKED` comments one by one, then queues a batch in one turn, and
 * one transaction in the middle of that batch SIGKILLs this very process, after the writes before
 * it ran inside the batch's open transaction and before its COMMIT.
 */
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { NewComment } from '../../src/domain/comment.js';

const ACKED = 20;
const BEFORE_KILL = 8;
const AFTER_KILL = 8;

const store = openSqliteStore(process.argv[2]!);
const thread = await store.threads.ensure('https://blog.example/2026/12/batch-kill/', new Date());
const comment = (n: number): NewComment => ({
  threadId: thread.id, parent: null, kind: 'comment', status: 'approved', author: `Reader ${n}`, email: `r${n}@example.org`, url: '',
  bodyHtml: `<p>batch-kill ${n}</p>`, bodyRaw: `batch-kill ${n}`, source: null, sourceKey: null, title: null, mentionType: null,
  authorPhoto: null, ip: '192.0.2.0', userAgent: 'batch-kill', reasons: [], editTokenHash: null, created: new Date(),
});

for (let n = 0; n < ACKED; n++) {
  const result = await store.comments.insert(comment(n));
  if (result.kind === 'inserted') process.stdout.write(`acked ${n} ${result.comment.id}\n`);
}
// One turn: one batch. The kill comes from inside a comment's outbox plan, which the batch runs
// synchronously between BEGIN and COMMIT, after this comment's INSERT and the eight before it.
for (let n = ACKED; n < ACKED + BEFORE_KILL; n++) void store.comments.insert(comment(n));
void store.comments.insert(comment(ACKED + BEFORE_KILL), {
  now: new Date(),
  readsSubscribers: () => false,
  rows() {
    process.kill(process.pid, 'SIGKILL');
    return [];
  },
  written: () => undefined,
});
for (let n = ACKED + BEFORE_KILL + 1; n < ACKED + BEFORE_KILL + 1 + AFTER_KILL; n++) void store.comments.insert(comment(n));
