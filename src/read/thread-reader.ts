/**
 * The read side: every reader of a thread (the JSON API, the /thread page and fragment, the Atom
 * feeds, the TrackBack RSS, pingback.extensions.getPingbacks) reads it through `readThread`, so
 * what a thread shows is decided once. HTTP routes format what it returns; they do not query the store.
 */
import type { Comment, SiteTarget, Thread } from '../domain/comment.js';
import { MAX_PAGE_LIMIT, type PageCursor, type ThreadQuery } from '../domain/thread-page.js';
import type { Store } from '../store/repository.js';

export interface ThreadView {
  target: SiteTarget;
  /**
   * Undefined when readers cannot see a thread for the target: nothing stored yet, or only items they
   * may not see (a thread a held first comment created reads exactly like no thread).
   */
  thread: Thread | undefined;
  /**
   * Approved items of every kind, oldest first, plus placeholders (`deleted`) of removed comments
   * that still have approved replies, so the replies keep their place.
   */
  items: Comment[];
}

/** A thread as a page (or the whole of it in one order): contract v1.1 "Paging and sorting a thread". */
export interface ThreadPageView extends ThreadView {
  /** Shown comments and linkbacks of the whole thread (placeholders not counted). */
  total: number;
  /** Of those, the readers' comments (what the thread's heading counts). */
  commentCount: number;
  /** Where the next page starts; null on the last page and when the whole thread was asked for. */
  next: PageCursor | null;
}

export interface ThreadReader {
  readThread(target: SiteTarget): Promise<ThreadView>;
  /**
   * A page of the thread (`limit` set), or without `limit` the whole thread in the asked order.
   * The items are those readThread shows, top-level ones in order, each followed by its replies.
   */
  readPage(target: SiteTarget, query: ThreadQuery): Promise<ThreadPageView>;
  /**
   * The version tag of each target's thread (absent: no thread readers can see); it changes whenever
   * anything the thread shows changes, and only then, so it is what validators (ETags) are made of.
   */
  versions(targets: readonly SiteTarget[]): Promise<Map<string, string>>;
  /** Shown comments and linkbacks per target (placeholders not counted); absent: no thread. */
  counts(targets: readonly SiteTarget[]): Promise<Map<string, number>>;
  /**
   * The newest shown items of all threads, newest first (the site-wide feed), with the known post
   * titles of their threads by thread id (issue 16.5).
   */
  recent(limit: number): Promise<{ items: Comment[]; titles: Map<number, string> }>;
  /** One approved item by id; held, spam and trashed ones are as absent as ids that never existed. */
  shownItem(id: number): Promise<Comment | undefined>;
}

export function createThreadReader(store: Store): ThreadReader {
  return {
    async readThread(target) {
      // The same rule as the version tag: without a tag the thread is not there for readers.
      const shown = (await store.comments.threadVersions([target])).has(target);
      const thread = shown ? await store.threads.findByTarget(target) : undefined;
      return { target, thread, items: thread ? await store.comments.listVisible(thread.id) : [] };
    },
    async readPage(target, query) {
      // The same rule as readThread: without a version tag the thread is not there for readers.
      const shown = (await store.comments.threadVersions([target])).has(target);
      const thread = shown ? await store.threads.findByTarget(target) : undefined;
      if (!thread) return { target, thread, items: [], total: 0, commentCount: 0, next: null };
      const total = (await store.comments.countVisible([target])).get(target) ?? 0;
      const commentCount = await store.comments.countComments(thread.id);
      if (query.limit !== undefined) {
        const page = await store.comments.listPage(thread.id, { sort: query.sort, limit: query.limit, after: query.after });
        return { target, thread, items: page.items, total, commentCount, next: page.next };
      }
      if (query.sort === 'oldest') return { target, thread, items: await store.comments.listVisible(thread.id), total, commentCount, next: null };
      // The whole thread in another order: page through it, so the order is decided in one place (SQL).
      const items: Comment[] = [];
      let after: PageCursor | null = null;
      do {
        const page = await store.comments.listPage(thread.id, { sort: query.sort, limit: MAX_PAGE_LIMIT, after });
        items.push(...page.items);
        after = page.next;
      } while (after);
      return { target, thread, items, total, commentCount, next: null };
    },
    versions: (targets) => store.comments.threadVersions(targets),
    counts: (targets) => store.comments.countVisible(targets),
    async recent(limit) {
      const items = (await store.comments.listByStatus('approved', { limit })).filter((c) => !c.deleted);
      const titles = new Map<number, string>();
      for (const threadId of new Set(items.map((c) => c.threadId))) {
        const title = (await store.threads.findById(threadId))?.title;
        if (title) titles.set(threadId, title);
      }
      return { items, titles };
    },
    async shownItem(id) {
      const comment = await store.comments.findById(id);
      return comment?.status === 'approved' ? comment : undefined;
    },
  };
}
