/**
 * Schema step 4 → 5, a data migration written once for both databases (issue 16 point 2): targets and
 * linkback sources are now normalized further (lib/url.ts: escape case, unreserved escapes, NFC), so
 * threads that older releases split by spelling (`%d0%bf` next to `%D0%BF`, NFD next to NFC) become
 * one. Every comment keeps its id and moves to the surviving thread; nothing a reader wrote is lost.
 *
 * Per group of threads with the same normalized target:
 * - the survivor is the oldest thread (lowest id); it takes the normalized target, the first title
 *   any of them had, the earliest creation time, and is closed for comments or linkbacks if any of
 *   the group was (the owner closed the post under one of its spellings);
 * - comments move to it, so do reply subscriptions (one per address: confirmed if either was);
 * - linkbacks get their source key in the new form; two from one source would break "one linkback
 *   per source and post" (the unique index on thread_id, source_key): the best one (approved before
 *   held, then the oldest) keeps the key, the others keep their row and id but go to the trash with
 *   no key and a reason that names the one kept, where the owner can still see them;
 * - the queued Webmentions and the linkback log name the target in its new form.
 */
import type { Kysely } from 'kysely';
import { linkKey, normalizeHttpUrl } from '../lib/url.js';
import { isSet, type DbFlag } from './rows/flag.js';
import type { Database } from './sql/schema-types.js';
import { all, run, type TxWork } from './sql/sql-runner.js';

/** What the merge did, for the tests and the log of whoever runs it. */
export interface MergeReport {
  threadsMerged: number;
  targetsRewritten: number;
  commentsMoved: number;
  linkbacksTrashed: number;
}

interface ThreadRow {
  id: number;
  target: string;
  title: string | null;
  comments_closed: DbFlag;
  linkbacks_closed: DbFlag;
  created_at: number;
}

interface LinkbackRow {
  id: number;
  thread_id: number;
  status: string;
  source_url: string | null;
  source_key: string;
  reasons: string;
}

const STATUS_RANK: Record<string, number> = { approved: 0, pending: 1, spam: 2, trash: 3 };

export function* mergeSplitThreads(db: Kysely<Database>): TxWork<MergeReport> {
  const report: MergeReport = { threadsMerged: 0, targetsRewritten: 0, commentsMoved: 0, linkbacksTrashed: 0 };
  const threads = yield* all(
    db.selectFrom('threads').select(['id', 'target', 'title', 'comments_closed', 'linkbacks_closed', 'created_at']).orderBy('id'),
  ) as TxWork<ThreadRow[]>;
  const groups = new Map<string, ThreadRow[]>();
  for (const thread of threads) {
    const key = normalizeHttpUrl(thread.target) ?? thread.target;
    groups.set(key, [...(groups.get(key) ?? []), thread]);
  }
  const survivorOf = new Map<number, number>();
  for (const group of groups.values()) for (const thread of group) survivorOf.set(thread.id, group[0]!.id);

  yield* fixLinkbackKeys(db, survivorOf, report);
  for (const [target, group] of groups) {
    const [survivor, ...others] = group as [ThreadRow, ...ThreadRow[]];
    if (others.length === 0 && survivor.target === target) continue;
    const ids = others.map((t) => t.id);
    if (ids.length > 0) {
      report.threadsMerged += ids.length;
      report.commentsMoved += yield* run(db.updateTable('comments').set({ thread_id: survivor.id }).where('thread_id', 'in', ids));
      yield* moveSubscriptions(db, survivor.id, ids);
      // The others go before the survivor takes the target, which one of them may hold (targets are unique).
      yield* run(db.deleteFrom('threads').where('id', 'in', ids));
    }
    yield* run(db.updateTable('threads').set({
      target,
      title: group.find((t) => t.title !== null)?.title ?? null,
      comments_closed: group.some((t) => isSet(t.comments_closed)),
      linkbacks_closed: group.some((t) => isSet(t.linkbacks_closed)),
      created_at: Math.min(...group.map((t) => t.created_at)),
    }).where('id', '=', survivor.id));
    const spellings = group.map((t) => t.target).filter((t) => t !== target);
    if (spellings.length > 0) {
      report.targetsRewritten += spellings.length;
      yield* run(db.updateTable('webmentions').set({ target }).where('target', 'in', spellings));
      yield* run(db.updateTable('linkback_log').set({ target }).where('target', 'in', spellings));
    }
  }
  return report;
}

/** New source keys for every linkback; one per source and surviving thread, the rest to the trash. */
function* fixLinkbackKeys(db: Kysely<Database>, survivorOf: ReadonlyMap<number, number>, report: MergeReport): TxWork<void> {
  const rows = (yield* all(
    db.selectFrom('comments').select(['id', 'thread_id', 'status', 'source_url', 'source_key', 'reasons']).where('source_key', 'is not', null).orderBy('id'),
  )) as LinkbackRow[];
  const byKey = new Map<string, Array<LinkbackRow & { key: string }>>();
  for (const row of rows) {
    const key = linkKey(row.source_url ?? row.source_key) ?? row.source_key;
    const pair = `${survivorOf.get(row.thread_id) ?? row.thread_id} ${key}`;
    byKey.set(pair, [...(byKey.get(pair) ?? []), { ...row, key }]);
  }
  const renamed: Array<{ id: number; key: string }> = [];
  for (const same of byKey.values()) {
    const [kept, ...duplicates] = same.sort((a, b) => (STATUS_RANK[a.status] ?? 9) - (STATUS_RANK[b.status] ?? 9) || a.id - b.id) as [
      LinkbackRow & { key: string },
      ...Array<LinkbackRow & { key: string }>,
    ];
    for (const dup of duplicates) {
      const reasons = [...parseReasons(dup.reasons), `duplicate of linkback #${kept.id} (threads merged)`];
      yield* run(db.updateTable('comments').set({ status: 'trash', source_key: null, reasons: JSON.stringify(reasons) }).where('id', '=', dup.id));
      report.linkbacksTrashed += 1;
    }
    if (kept.key !== kept.source_key) renamed.push({ id: kept.id, key: kept.key });
  }
  // Only after every duplicate let go of its key, so no rename meets one on the unique index.
  for (const { id, key } of renamed) yield* run(db.updateTable('comments').set({ source_key: key }).where('id', '=', id));
}

/** Reply subscriptions of the merged threads move to the survivor; an address subscribed twice keeps one row. */
function* moveSubscriptions(db: Kysely<Database>, survivor: number, from: readonly number[]): TxWork<void> {
  const rows = (yield* all(
    db.selectFrom('subscriptions').select(['id', 'email', 'thread_id', 'confirmed']).where('thread_id', 'in', [survivor, ...from]).orderBy('id'),
  )) as Array<{ id: number; email: string; thread_id: number; confirmed: DbFlag }>;
  const byEmail = new Map<string, typeof rows>();
  for (const row of rows) byEmail.set(row.email, [...(byEmail.get(row.email) ?? []), row]);
  for (const same of byEmail.values()) {
    const kept = same.find((r) => r.thread_id === survivor) ?? same[0]!;
    const drop = same.filter((r) => r !== kept).map((r) => r.id);
    if (drop.length > 0) yield* run(db.deleteFrom('subscriptions').where('id', 'in', drop));
    yield* run(db.updateTable('subscriptions').set({ thread_id: survivor, confirmed: same.some((r) => isSet(r.confirmed)) }).where('id', '=', kept.id));
  }
}

function parseReasons(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.map(String) : [];
  } catch {
    return [];
  }
}
