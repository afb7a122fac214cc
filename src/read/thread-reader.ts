/**
 * The read side: every reader of a thread (the JSON API, the /thread page and fragment, the Atom
 * feeds, the TrackBack RSS, pingback.extensions.getPingbacks) reads it through `readThread`, so
 * what a thread shows is decided once. HTTP routes format what it returns; they do not query the store.
 */
import type { Comment, SiteTarget, Thread } from '../domain/comment.js';
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

export interface ThreadReader {
  readThread(target: SiteTarget): Promise<ThreadView>;
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
