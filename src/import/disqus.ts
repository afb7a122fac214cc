/**
 * Disqus XML export (Admin → Moderation → Export): every <thread dsq:id> first, with its <link> and
 * <title>, then every <post dsq:id> naming its thread and optional parent by dsq:id. Parents may
 * come after their replies; the store links them by key at the end, so only the thread map
 * (id → target) is kept in memory here, never a post body.
 */
import type { CommentStatus } from '../domain/comment.js';
import { ImportError, parseDate, targetOf, toTransferComment, type ImportOptions, type ImportRecord } from './record.js';
import { streamXmlRecords, type XmlProgress, type XmlVisitor } from './xml-stream.js';

const DSQ_ID = 'dsq:id';

export function readDisqus(file: string, options: ImportOptions, onProgress?: XmlProgress): AsyncGenerator<ImportRecord[]> {
  const threads = new Map<string, string>();
  let record: { kind: 'thread' | 'post'; id: string; fields: Record<string, string>; threadRef?: string; parentRef?: string } | undefined;
  let authorFields: Record<string, string> | undefined;

  const visitor: XmlVisitor<ImportRecord> = {
    open(name, attributes, path) {
      if (path.length === 1 && (name === 'thread' || name === 'post')) {
        record = { kind: name, id: attributes[DSQ_ID] ?? '', fields: {} };
      } else if (record && path.length === 2) {
        if (name === 'author') authorFields = {};
        else if (record.kind === 'post' && name === 'thread') record.threadRef = attributes[DSQ_ID];
        else if (record.kind === 'post' && name === 'parent') record.parentRef = attributes[DSQ_ID];
      }
    },
    close(name, text, path, emit, line) {
      if (!record || path.length === 0) return;
      if (path.length === 3 && path[2] === 'author' && authorFields) {
        authorFields[name] = text;
        return;
      }
      if (path.length === 2) {
        if (name !== 'author') record.fields[name] = text;
        return;
      }
      if (path.length !== 1) return;
      const where = `${record.kind} ${record.id || '(no dsq:id)'} (line ${line})`;
      if (!record.id) throw new ImportError(where, `a <${record.kind}> without dsq:id`);
      const f = record.fields;
      const flag = (field: string) => f[field]?.trim() === 'true';
      if (record.kind === 'thread') {
        const target = targetOf(f.link?.trim() ?? '', where);
        threads.set(record.id, target);
        emit({
          type: 'thread',
          thread: {
            target, title: f.title?.trim() || null, commentsClosed: flag('isClosed'), linkbacksClosed: false,
            created: f.createdAt ? parseDate(f.createdAt.trim(), where, 'createdAt') : new Date(),
          },
        });
      } else {
        const target = record.threadRef === undefined ? undefined : threads.get(record.threadRef);
        if (!target) throw new ImportError(where, `its thread ${record.threadRef ?? '(none)'} is not defined before it`);
        const status: CommentStatus = flag('isSpam') ? 'spam' : flag('isDeleted') ? 'trash' : f.isApproved?.trim() === 'false' ? 'pending' : 'approved';
        const author = authorFields ?? {};
        emit({
          type: 'comment',
          comment: toTransferComment({
            key: `disqus:${record.id}`,
            parentKey: record.parentRef ? `disqus:${record.parentRef}` : null,
            target, kind: 'comment', status,
            author: author.name ?? author.username ?? '',
            email: author.email ?? '',
            url: '',
            ip: f.ipAddress ?? '',
            body: f.message ?? '',
            bodyFormat: 'html',
            created: parseDate(f.createdAt?.trim() ?? '', where, 'createdAt'),
          }, options),
        });
      }
      record = undefined;
      authorFields = undefined;
    },
  };
  return streamXmlRecords(file, visitor, onProgress);
}
