/**
 * Reads Backtalk's own JSON export (export/json-export.ts). Files in the layout the exporter writes
 * are streamed line by line; any other valid JSON with the same content (pretty-printed by a tool,
 * say) is parsed whole, which is fine for the sizes people edit by hand.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { COMMENT_STATUSES, type CommentKind, type CommentStatus, type MentionType } from '../domain/comment.js';
import { EXPORT_FORMAT, type CommentJson, type ThreadJson } from '../export/json-export.js';
import { normalizeHttpUrl } from '../lib/url.js';
import { sanitizeCommentHtml } from '../pipeline/sanitize.js';
import { ImportError, parseDate, type ImportRecord } from './record.js';

const KINDS: readonly string[] = ['comment', 'trackback', 'pingback', 'webmention'];
const MENTION_TYPES: readonly string[] = ['mention', 'reply', 'like', 'repost'];
/** Above this, a file not in the streaming layout is refused rather than read whole. */
const WHOLE_FILE_LIMIT = 64 * 1024 * 1024;

type Obj = Record<string, unknown>;

function field<T>(o: Obj, name: string, check: (v: unknown) => v is T, where: string, what: string): T {
  const v = o[name];
  if (!check(v)) throw new ImportError(where, `"${name}" must be ${what}`);
  return v;
}
const isString = (v: unknown): v is string => typeof v === 'string';
const isStringOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';

function toThread(o: Obj, where: string): ImportRecord {
  const target = normalizeHttpUrl(field(o, 'target', isString, where, 'a URL'));
  if (!target) throw new ImportError(where, '"target" is not an absolute http(s) URL');
  return {
    type: 'thread',
    thread: {
      target,
      title: field(o, 'title', isStringOrNull, where, 'a string or null'),
      commentsClosed: field(o, 'comments_closed', isBool, where, 'true or false'),
      linkbacksClosed: field(o, 'linkbacks_closed', isBool, where, 'true or false'),
      created: parseDate(field(o, 'created', isString, where, 'a date'), where, 'created'),
    },
  };
}

function toComment(o: Obj, where: string): ImportRecord {
  const c = o as Partial<CommentJson> & Obj;
  const target = normalizeHttpUrl(field(c, 'target', isString, where, 'a URL'));
  if (!target) throw new ImportError(where, '"target" is not an absolute http(s) URL');
  const kind = field(c, 'type', isString, where, 'a string');
  if (!KINDS.includes(kind)) throw new ImportError(where, `unknown type "${kind}"`);
  const status = field(c, 'status', isString, where, 'a string');
  if (!(COMMENT_STATUSES as readonly string[]).includes(status)) throw new ImportError(where, `unknown status "${status}"`);
  const mentionType = field(c, 'mention_type', isStringOrNull, where, 'a string or null');
  if (mentionType !== null && !MENTION_TYPES.includes(mentionType)) throw new ImportError(where, `unknown mention_type "${mentionType}"`);
  const reasons = c.reasons ?? [];
  if (!Array.isArray(reasons) || !reasons.every(isString)) throw new ImportError(where, '"reasons" must be a list of strings');
  const edited = field(c, 'edited', isStringOrNull, where, 'a date or null');
  // Optional: exports made before votes existed have no counts.
  const votes: { likes?: number; dislikes?: number } = {};
  for (const name of ['likes', 'dislikes'] as const) {
    if (c[name] === undefined) continue;
    const n = c[name];
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new ImportError(where, `"${name}" must be a whole number from 0`);
    if (n > 0) votes[name] = n;
  }
  if (votes.likes !== undefined || votes.dislikes !== undefined) Object.assign(votes, { likes: votes.likes ?? 0, dislikes: votes.dislikes ?? 0 });
  return {
    type: 'comment',
    comment: {
      key: field(c, 'key', isString, where, 'a string'),
      parentKey: field(c, 'parent_key', isStringOrNull, where, 'a string or null'),
      target,
      kind: kind as CommentKind,
      status: status as CommentStatus,
      author: field(c, 'author', isString, where, 'a string'),
      email: field(c, 'email', isString, where, 'a string'),
      url: field(c, 'url', isString, where, 'a string'),
      bodyRaw: field(c, 'body_raw', isString, where, 'a string'),
      // Our sanitizer is idempotent, so our own export passes unchanged; a hand-edited file cannot smuggle script in.
      bodyHtml: sanitizeCommentHtml(field(c, 'body_html', isString, where, 'a string')),
      source: field(c, 'source', isStringOrNull, where, 'a string or null'),
      sourceKey: field(c, 'source_key', isStringOrNull, where, 'a string or null'),
      title: field(c, 'title', isStringOrNull, where, 'a string or null'),
      mentionType: mentionType as MentionType | null,
      authorPhoto: field(c, 'author_photo', isStringOrNull, where, 'a string or null'),
      ip: field(c, 'ip', isString, where, 'a string'),
      userAgent: field(c, 'user_agent', isString, where, 'a string'),
      reasons,
      editTokenHash: field(c, 'edit_token_hash', isStringOrNull, where, 'a string or null'),
      deleted: field(c, 'deleted', isBool, where, 'true or false'),
      created: parseDate(field(c, 'created', isString, where, 'a date'), where, 'created'),
      edited: edited === null ? null : parseDate(edited, where, 'edited'),
      ...votes,
    },
  };
}

function parseObject(text: string, where: string): Obj {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ImportError(where, `not valid JSON (${(err as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ImportError(where, 'expected a JSON object');
  return value as Obj;
}

function checkHeader(header: Obj, where: string): void {
  if (header.format !== EXPORT_FORMAT) throw new ImportError(where, `not a Backtalk export (format is not "${EXPORT_FORMAT}")`);
  if (header.version !== 1) throw new ImportError(where, `export version ${String(header.version)} is not supported`);
}

export async function* readJsonExport(file: string, onProgress?: (bytes: number) => void): AsyncGenerator<ImportRecord[]> {
  const stream = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let n = 0;
  let section: 'header' | 'threads-open' | 'threads' | 'comments-open' | 'comments' | 'done' = 'header';
  let batch: ImportRecord[] = [];
  try {
    for await (const raw of lines) {
      n++;
      const line = raw.trim();
      const where = `line ${n}`;
      if (section === 'header') {
        if (!line.startsWith('{') || !line.endsWith(',') || line === '{') {
          stream.destroy();
          yield* readWhole(file);
          return;
        }
        checkHeader(parseObject(`${line.slice(0, -1)}}`, where), where);
        section = 'threads-open';
      } else if (section === 'threads-open' || section === 'comments-open') {
        const expected = section === 'threads-open' ? '"threads":[' : '"comments":[';
        if (line !== expected) throw new ImportError(where, `expected ${expected}`);
        section = section === 'threads-open' ? 'threads' : 'comments';
      } else if (section === 'threads' || section === 'comments') {
        if (line === (section === 'threads' ? '],' : ']}')) {
          section = section === 'threads' ? 'comments-open' : 'done';
          continue;
        }
        const record = parseObject(line.endsWith(',') ? line.slice(0, -1) : line, where);
        batch.push(section === 'threads' ? toThread(record, where) : toComment(record, `${where} (comment ${String(record.id)})`));
        if (batch.length >= 500) {
          onProgress?.(stream.bytesRead);
          yield batch;
          batch = [];
        }
      } else if (line !== '') {
        throw new ImportError(where, 'text after the end of the export');
      }
    }
    if (section !== 'done') throw new ImportError(`line ${n}`, 'the file ends before the export does: it is truncated');
    onProgress?.(stream.bytesRead);
    if (batch.length > 0) yield batch;
  } finally {
    lines.close();
    stream.destroy();
  }
}

async function* readWhole(file: string): AsyncGenerator<ImportRecord[]> {
  if ((await stat(file)).size > WHOLE_FILE_LIMIT) {
    throw new ImportError(file, 'a large export must keep the one-record-per-line layout Backtalk writes');
  }
  const doc = parseObject(await readFile(file, 'utf8'), file);
  checkHeader(doc, file);
  const threads = Array.isArray(doc.threads) ? doc.threads : [];
  const comments = Array.isArray(doc.comments) ? doc.comments : [];
  yield threads.map((t, i) => toThread(t as Obj, `threads[${i}]`));
  yield comments.map((c, i) => toComment(c as Obj, `comments[${i}] (comment ${String((c as Obj).id)})`));
}
