/**
 * Big threads for the paging, sorting and vote tests: rows written straight through the store (a
 * thousand POSTs would test the rate limiter, not paging), shaped like a real thread.
 */
import type { NewComment } from '../../src/domain/comment.js';
import type { SiteTarget } from '../../src/domain/comment.js';
import type { Store } from '../../src/store/repository.js';

export interface SeededThread {
  threadId: number;
  /** Ids of the top-level comments, oldest first. */
  top: number[];
  /** Reply ids per top-level id, oldest first. */
  replies: Map<number, number[]>;
}

const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);

export function newComment(threadId: number, n: number, overrides: Partial<NewComment> = {}): NewComment {
  return {
    threadId, parent: null, kind: 'comment', status: 'approved', author: `Reader ${n}`, email: '', url: '',
    bodyHtml: `<p>Comment number ${n}</p>`, bodyRaw: `Comment number ${n}`, source: null, sourceKey: null, title: null,
    mentionType: null, authorPhoto: null, ip: '192.0.2.0', userAgent: 'seed', reasons: [], editTokenHash: null,
    created: new Date(T0 + n * 60_000), ...overrides,
  };
}

/**
 * `count` comments on `target`: every `replyEvery`-th one (0 = none) is a reply to the top-level
 * comment before it, the rest are top-level.
 */
export async function seedThread(store: Store, target: string, count: number, replyEvery = 0): Promise<SeededThread> {
  const thread = await store.threads.ensure(target as SiteTarget, new Date(T0));
  const top: number[] = [];
  const replies = new Map<number, number[]>();
  for (let n = 1; n <= count; n++) {
    const parent = replyEvery > 0 && n % replyEvery === 0 && top.length > 0 ? top.at(-1)! : null;
    const result = await store.comments.insert(newComment(thread.id, n, { parent }));
    if (result.kind !== 'inserted') throw new Error('seed insert failed');
    if (parent === null) {
      top.push(result.comment.id);
      replies.set(result.comment.id, []);
    } else {
      replies.get(parent)!.push(result.comment.id);
    }
  }
  return { threadId: thread.id, top, replies };
}
