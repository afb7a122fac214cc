/**
 * Backtalk's own export: every thread and every comment with every stored column, as one JSON
 * document. It is written one record per line (see JSON_LAYOUT), so it streams out and, read back
 * by import/json.ts, streams in: neither side holds more than one record.
 */
import type { ExportedComment, Store } from '../store/repository.js';
import type { Thread } from '../domain/comment.js';
import { instanceId } from './instance.js';
import { writeFileStreaming } from './file-writer.js';

export const EXPORT_FORMAT = 'backtalk-export';
export const EXPORT_VERSION = 1;

export interface ThreadJson {
  target: string;
  title: string | null;
  comments_closed: boolean;
  linkbacks_closed: boolean;
  created: string;
}

export interface CommentJson {
  id: number;
  key: string;
  parent: number | null;
  parent_key: string | null;
  target: string;
  type: string;
  status: string;
  author: string;
  email: string;
  url: string;
  body_raw: string;
  body_html: string;
  source: string | null;
  source_key: string | null;
  title: string | null;
  mention_type: string | null;
  author_photo: string | null;
  ip: string;
  user_agent: string;
  reasons: string[];
  edit_token_hash: string | null;
  deleted: boolean;
  created: string;
  edited: string | null;
  /** The vote counts (the votes themselves stay: they are keyed hashes that mean nothing elsewhere). */
  likes: number;
  dislikes: number;
}

export function threadJson(t: Thread): ThreadJson {
  return { target: t.target, title: t.title, comments_closed: t.commentsClosed, linkbacks_closed: t.linkbacksClosed, created: t.created.toISOString() };
}

export function commentJson(c: ExportedComment): CommentJson {
  return {
    id: c.id, key: c.key, parent: c.parent, parent_key: c.parentKey, target: c.target, type: c.kind, status: c.status,
    author: c.author, email: c.email, url: c.url, body_raw: c.bodyRaw, body_html: c.bodyHtml, source: c.source,
    source_key: c.sourceKey, title: c.title, mention_type: c.mentionType, author_photo: c.authorPhoto, ip: c.ip,
    user_agent: c.userAgent, reasons: c.reasons, edit_token_hash: c.editTokenHash, deleted: c.deleted,
    created: c.created.toISOString(), edited: c.edited?.toISOString() ?? null,
    likes: c.likes ?? 0, dislikes: c.dislikes ?? 0,
  };
}

/**
 * Writes the export. Layout (each line one piece; a record line ends in "," unless it is the last):
 *   {"format":"backtalk-export","version":1,…,
 *   "threads":[
 *   {…thread…},
 *   ],"comments":[   ← written as `],` and `"comments":[` on two lines
 *   {…comment…}
 *   ]}
 */
export async function exportJson(store: Store, file: string, onRecord?: () => void): Promise<{ threads: number; comments: number }> {
  const instance = await instanceId(store);
  const counts = { threads: 0, comments: 0 };
  const snapshot = store.transfer.readSnapshot?.bind(store.transfer) ?? (<T>(work: () => Promise<T>) => work());
  await snapshot(() => writeFileStreaming(file, async (w) => {
    const header = JSON.stringify({ format: EXPORT_FORMAT, version: EXPORT_VERSION, instance, exported: new Date().toISOString() });
    await w.write(`${header.slice(0, -1)},\n"threads":[\n`);
    let sep = '';
    for await (const t of store.transfer.exportThreads()) {
      await w.write(`${sep}${JSON.stringify(threadJson(t))}`);
      sep = ',\n';
      counts.threads++;
      onRecord?.();
    }
    await w.write(`${sep === '' ? '' : '\n'}],\n"comments":[\n`);
    sep = '';
    for await (const c of store.transfer.exportComments(instance)) {
      await w.write(`${sep}${JSON.stringify(commentJson(c))}`);
      sep = ',\n';
      counts.comments++;
      onRecord?.();
    }
    await w.write(`${sep === '' ? '' : '\n'}]}\n`);
  }));
  return counts;
}
