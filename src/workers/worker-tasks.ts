/** Worker-thread side of worker-pool.ts: the CPU-heavy steps that must not run on the request thread. */
import { checkSourceLinks, type LinkCheck, type LinkRule, type SourceDocument } from '../linkback/find-link.js';
import type { MessagePort } from 'node:worker_threads';
import { renderCommentBody } from '../pipeline/sanitize.js';

export type WorkerTask =
  | { kind: 'check-links'; doc: SourceDocument; target: string; rule: LinkRule }
  | { kind: 'render-comment'; raw: string };

/** What worker-pool.ts sends: the task, and a port to say it has started (its time limit starts then). */
export interface WorkerMessage {
  task: WorkerTask;
  started: MessagePort;
}

/** piscina calls the default export (a worker without one fails to load under tsx). */
export default function run({ task, started }: WorkerMessage): LinkCheck | string {
  started.postMessage(0);
  started.close();
  switch (task.kind) {
    case 'check-links':
      return checkSourceLinks(task.doc, task.target, task.rule);
    case 'render-comment':
      return renderCommentBody(task.raw);
  }
}
