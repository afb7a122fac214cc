/**
 * CPU-heavy steps moved off the request thread (issue 6: heavy input must not stall other requests).
 * Measured on this 2-core machine: checking a 1 MiB source page for the link takes 0.2–0.5 s
 * (htmlparser2), or up to 2 s for a Webmention (microformats-parser too); rendering a comment at the
 * 10,000-character limit full of markup takes 50–170 ms (markdown-it + sanitize-html). On the main
 * thread each of those stalls every other request for as long (tests/perf/event-loop.test.ts).
 *
 * Inputs above a size run in a small pool of worker threads (piscina); small ones, which are most,
 * run inline, where the copy to a worker would cost more than the work. The pool is made on first
 * use; idle threads end after 30 s and never hold the process open.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { checkSourceLinks, type LinkCheck, type LinkRule, type SourceDocument } from '../linkback/find-link.js';
import { renderCommentBody } from '../pipeline/sanitize.js';
import type { OffloadTask } from './offload-worker.js';

/** Source pages up to this many characters are checked inline (a few ms of parsing). */
export const INLINE_PAGE_CHARS = 32 * 1024;
/** Comments up to this many characters are rendered inline (a few ms). */
export const INLINE_COMMENT_CHARS = 2_000;

let pool: Piscina | undefined;

function sharedPool(): Piscina {
  if (!pool) {
    // Under tsx the sources are .ts; after tsc or esbuild they are .js next to this file.
    const worker = import.meta.url.endsWith('.ts') ? './offload-worker.ts' : './offload-worker.js';
    pool = new Piscina({
      filename: new URL(worker, import.meta.url).href,
      minThreads: 0,
      // One thread per core but one (left to the main thread), at least one, at most four.
      maxThreads: Math.max(1, Math.min(4, availableParallelism() - 1)),
      idleTimeout: 30_000,
      // Verifications are bounded by the fetch budgets (16 at once), comments by the rate limits.
      maxQueue: 1024,
    });
  }
  return pool;
}

/** checkSourceLinks, on a worker thread when the page is large. */
export async function checkSourceLinksOffThread(doc: SourceDocument, target: string, rule: LinkRule): Promise<LinkCheck> {
  if (doc.body.length <= INLINE_PAGE_CHARS) return checkSourceLinks(doc, target, rule);
  const task: OffloadTask = { kind: 'check-links', doc: { url: doc.url, contentType: doc.contentType, body: doc.body }, target, rule };
  return (await sharedPool().run(task)) as LinkCheck;
}

/** renderCommentBody (Markdown → sanitized HTML), on a worker thread when the comment is long. */
export async function renderCommentBodyOffThread(raw: string): Promise<string> {
  if (raw.length <= INLINE_COMMENT_CHARS) return renderCommentBody(raw);
  const task: OffloadTask = { kind: 'render-comment', raw };
  return (await sharedPool().run(task)) as string;
}
