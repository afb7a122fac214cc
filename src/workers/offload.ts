/**
 * CPU-heavy steps moved off the request thread (issue 6: heavy input must not stall other requests).
 * Measured on this 2-core machine: checking a 1 MiB source page for the link takes 0.2–0.5 s
 * (htmlparser2), or up to 2 s for a Webmention (microformats-parser too); rendering a comment at the
 * 10,000-character limit full of markup takes 50–170 ms (markdown-it + sanitize-html). On the main
 * thread each of those stalls every other request for as long (bench: `npm run bench -- --only event-loop`).
 *
 * Inputs above a size run in the worker pool (worker-pool.ts), each kind in its own lane and under a
 * time limit; small ones, which are most, run inline, where the copy to a worker would cost more than
 * the work and the work is a few milliseconds at most.
 */
import { checkSourceLinks, type LinkCheck, type LinkRule, type SourceDocument } from '../linkback/find-link.js';
import { renderCommentBody } from '../pipeline/sanitize.js';
import { DEFAULT_TASK_TIMEOUT_MS, sharedWorkerPool, type WorkerPool } from './worker-pool.js';
import type { WorkerTask } from './worker-tasks.js';

/** Source pages up to this many characters are checked inline (a few ms of parsing). */
export const INLINE_PAGE_CHARS = 32 * 1024;
/** Comments up to this many characters are rendered inline (a few ms). */
export const INLINE_COMMENT_CHARS = 2_000;

export interface OffloadOptions {
  /** Time limit of the worker task; past it the task is abandoned with WorkerTimeoutError. */
  timeoutMs?: number;
  pool?: WorkerPool;
}

/** checkSourceLinks, on a thread of the linkback lane when the page is large. */
export async function checkSourceLinksOffThread(
  doc: SourceDocument, target: string, rule: LinkRule, options: OffloadOptions = {},
): Promise<LinkCheck> {
  if (doc.body.length <= INLINE_PAGE_CHARS) return checkSourceLinks(doc, target, rule);
  const task: WorkerTask = { kind: 'check-links', doc: { url: doc.url, contentType: doc.contentType, body: doc.body }, target, rule };
  return (await (options.pool ?? sharedWorkerPool()).run('linkback', task, options.timeoutMs ?? DEFAULT_TASK_TIMEOUT_MS)) as LinkCheck;
}

/** renderCommentBody (Markdown → sanitized HTML), on a thread of the comment lane when the comment is long. */
export async function renderCommentBodyOffThread(raw: string, options: OffloadOptions = {}): Promise<string> {
  if (raw.length <= INLINE_COMMENT_CHARS) return renderCommentBody(raw);
  const task: WorkerTask = { kind: 'render-comment', raw };
  return (await (options.pool ?? sharedWorkerPool()).run('comment', task, options.timeoutMs ?? DEFAULT_TASK_TIMEOUT_MS)) as string;
}

/**
 * renderCommentBody for POST /api/preview: always on a thread of the preview lane, whatever the
 * length, so a flood of previews can cost the main thread nothing but the copies.
 */
export async function renderPreviewOffThread(raw: string, options: OffloadOptions = {}): Promise<string> {
  const task: WorkerTask = { kind: 'render-comment', raw };
  return (await (options.pool ?? sharedWorkerPool()).run('preview', task, options.timeoutMs ?? DEFAULT_TASK_TIMEOUT_MS)) as string;
}
