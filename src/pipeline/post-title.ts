/**
 * How a thread learns its post's title (issue 16.5): the title the widget or form sent with the first
 * stored item, else one fetch of the post page through the guarded fetcher, after the item is stored
 * and off the request path. A known title is never overwritten here (owner edits and imports may).
 */
import type { PageFetcher } from '../fetch/fetch-page.js';
import { readPageTitle } from '../linkback/page-title.js';
import type { Logger } from '../lib/logger.js';
import type { Store } from '../store/repository.js';
import { plainPostTitle } from './normalize.js';

export interface TitleLearner {
  /**
   * Just before an item is stored in `thread` (its notification rows are written with it), so the mail
   * can name the post.
   * `claimed`: the title the reader's page sent. Never throws; a fetch (if any) runs in the background.
   */
  learn(thread: { id: number; target: string }, claimed: string | undefined): Promise<void>;
  /** Resolves when every background fetch started so far has finished (tests, shutdown). */
  drain(): Promise<void>;
}

export function createTitleLearner(deps: { store: Store; fetcher?: PageFetcher; logger?: Logger }): TitleLearner {
  const running = new Set<Promise<void>>();
  // One fetch per thread per process: a page without a title is not fetched again for every comment.
  const tried = new Set<number>();

  async function fetchTitle(id: number, target: string): Promise<void> {
    const page = await deps.fetcher!.fetch(target, { accept: 'text/html, application/xhtml+xml;q=0.9' });
    if (page.kind !== 'ok' || page.status < 200 || page.status > 299) return;
    const title = plainPostTitle(readPageTitle(page.body));
    if (title) await deps.store.threads.setTitleIfUnknown(id, title);
  }

  return {
    async learn(thread, claimed) {
      const title = plainPostTitle(claimed);
      if (title) {
        // The item is stored already: a failure here must not turn its success into an error.
        await deps.store.threads.setTitleIfUnknown(thread.id, title)
          .catch((err: unknown) => deps.logger?.warn({ err, target: thread.target }, 'post title not saved'));
        return;
      }
      if (!deps.fetcher || tried.has(thread.id)) return;
      if (tried.size > 10_000) tried.clear();
      tried.add(thread.id);
      if (isReservedName(thread.target)) return;
      const job = deps.store.threads.findById(thread.id)
        .then((known) => (known && known.title === null ? fetchTitle(thread.id, thread.target) : undefined))
        .catch((err: unknown) => deps.logger?.warn({ err, target: thread.target }, 'post title fetch failed'))
        .finally(() => running.delete(job));
      running.add(job);
    },
    async drain() {
      while (running.size > 0) await Promise.all([...running]);
    },
  };
}

/**
 * RFC 2606 §2: `.example` and `.invalid` never name a real site, so there is no page to fetch (and
 * asking a resolver about them would only leak the lookup).
 */
function isReservedName(target: string): boolean {
  const host = new URL(target).hostname;
  return /(^|\.)(example|invalid)\.?$/i.test(host);
}
