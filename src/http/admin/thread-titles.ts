import type { Comment } from '../../domain/comment.js';
import type { Store } from '../../store/repository.js';

/**
 * The post titles of the threads a page of admin comments belongs to (issue 17.6: threads are shown
 * by title), one read per distinct thread: a page of 50 comments is usually a few threads.
 */
export async function threadTitles(store: Store, comments: readonly Comment[]): Promise<Map<number, string | null>> {
  const ids = [...new Set(comments.map((c) => c.threadId))];
  const threads = await Promise.all(ids.map((id) => store.threads.findById(id)));
  return new Map(ids.map((id, i) => [id, threads[i]?.title ?? null]));
}
