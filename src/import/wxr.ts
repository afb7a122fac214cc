/**
 * WordPress eXtended RSS (WXR 1.0–1.2, Tools → Export): one <item> per post, its comments as
 * <wp:comment> children. Comment ids are unique within the file; `wp:comment_parent` names the parent
 * by that id (0 for none). Linkbacks are comments whose `wp:comment_type` is trackback or pingback,
 * with the linking page as `wp:comment_author_url`.
 */
import type { CommentKind, CommentStatus } from '../domain/comment.js';
import type { TransferThread } from '../store/repository.js';
import { ImportError, targetOf, toTransferComment, type ForeignComment, type ImportOptions, type ImportRecord } from './record.js';
import { fromLocalDateTime } from '../lib/time-zone.js';
import { streamXmlRecords, type XmlProgress, type XmlVisitor } from './xml-stream.js';

const KINDS: Readonly<Record<string, CommentKind>> = {
  '': 'comment', comment: 'comment', trackback: 'trackback', pingback: 'pingback', webmention: 'webmention',
};

const STATUSES: Readonly<Record<string, CommentStatus>> = {
  '1': 'approved', approve: 'approved', '0': 'pending', hold: 'pending', spam: 'spam', trash: 'trash', 'post-trashed': 'trash',
};

/**
 * WordPress writes local and GMT times as `YYYY-MM-DD HH:MM:SS`; unset GMT times are all zeros. The
 * GMT time is the instant; without one, the local time is read in the blog's zone (BACKTALK_TIMEZONE).
 */
function wpDate(gmt: string | undefined, local: string | undefined, timeZone: string): Date | undefined {
  const wall = (value: string | undefined): number | undefined => {
    const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(value?.trim() ?? '');
    return m && m[1] !== '0000' ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : undefined;
  };
  const utc = wall(gmt);
  if (utc !== undefined) return new Date(utc);
  const localWall = wall(local);
  return localWall === undefined ? undefined : fromLocalDateTime(localWall, timeZone);
}

interface ItemState {
  fields: Record<string, string>;
  target?: string;
  threadSent: boolean;
  /** Comments read before the item's <link> (WordPress never writes that order, but a hand-made file may). */
  waiting: Array<{ fields: Record<string, string>; meta: Record<string, string>; line: number }>;
}

export function readWxr(file: string, options: ImportOptions, onProgress?: XmlProgress): AsyncGenerator<ImportRecord[]> {
  const timeZone = options.timeZone ?? 'UTC';
  let item: ItemState | undefined;
  let comment: Record<string, string> | undefined;
  let meta: Record<string, string> = {};
  let metaPair: Record<string, string> = {};

  const thread = (state: ItemState, target: string): TransferThread => ({
    target,
    title: state.fields.title?.trim() || null,
    commentsClosed: state.fields['wp:comment_status'] === 'closed',
    linkbacksClosed: state.fields['wp:ping_status'] === 'closed',
    created: wpDate(state.fields['wp:post_date_gmt'], state.fields['wp:post_date'], timeZone) ?? new Date(),
  });

  const toRecord = (target: string, f: Record<string, string>, m: Record<string, string>, line: number): ImportRecord | undefined => {
    const id = f['wp:comment_id']?.trim() ?? '';
    const where = `comment ${id || '(no id)'} of ${target} (line ${line})`;
    if (!/^\d+$/.test(id)) throw new ImportError(where, 'wp:comment_id is missing or not a number');
    const kind = KINDS[(f['wp:comment_type'] ?? '').trim()];
    // Other plugins' comment types (WooCommerce order notes, reviews' internals) are not comments on a post.
    if (!kind) return undefined;
    const approved = (f['wp:comment_approved'] ?? '1').trim();
    const status = STATUSES[approved];
    if (!status) throw new ImportError(where, `unknown wp:comment_approved "${approved}"`);
    const created = wpDate(f['wp:comment_date_gmt'], f['wp:comment_date'], timeZone);
    if (!created) throw new ImportError(where, 'wp:comment_date_gmt is missing or not a WordPress date');
    const parent = (f['wp:comment_parent'] ?? '0').trim();
    let body = f['wp:comment_content'] ?? '';
    let title = m.backtalk_title ?? null;
    // WordPress stores a received TrackBack as "<strong>title</strong>\n\nexcerpt" (wp-trackback.php).
    const tb = kind === 'trackback' && title === null ? /^<strong>([\s\S]*?)<\/strong>\s*/.exec(body) : null;
    if (tb) {
      title = tb[1]!;
      body = body.slice(tb[0].length);
    }
    const foreign: ForeignComment = {
      key: `wxr:${target}#${id}`,
      parentKey: parent !== '0' && parent !== '' ? `wxr:${target}#${parent}` : null,
      target, kind, status,
      author: f['wp:comment_author'] ?? '',
      email: f['wp:comment_author_email'] ?? '',
      url: f['wp:comment_author_url'] ?? '',
      ip: f['wp:comment_author_IP'] ?? '',
      userAgent: f['wp:comment_agent'] ?? '',
      body,
      bodyFormat: kind === 'comment' ? 'markdown' : 'text',
      created,
      // Written by our own WXR export, so placeholders and linkback titles survive a round trip.
      deleted: m.backtalk_deleted === '1',
      title,
    };
    return { type: 'comment', comment: toTransferComment(foreign, options) };
  };

  const visitor: XmlVisitor<ImportRecord> = {
    open(name, _attributes, path) {
      const parent = path[path.length - 1];
      if (name === 'item' && parent === 'channel') item = { fields: {}, threadSent: false, waiting: [] };
      else if (name === 'wp:comment' && parent === 'item') {
        comment = {};
        meta = {};
      } else if (name === 'wp:commentmeta' && comment) metaPair = {};
    },
    close(name, text, path, emit, line) {
      const parent = path[path.length - 1];
      if (!item) return;
      if (parent === 'item' && name !== 'wp:comment') {
        item.fields[name] = text;
      } else if (parent === 'wp:comment' && comment && name !== 'wp:commentmeta') {
        comment[name] = text;
      } else if (parent === 'wp:commentmeta') {
        metaPair[name] = text;
      } else if (name === 'wp:commentmeta' && comment) {
        if (metaPair['wp:meta_key']) meta[metaPair['wp:meta_key']] = metaPair['wp:meta_value'] ?? '';
      } else if (name === 'wp:comment' && comment) {
        if (item.fields.link !== undefined) {
          item.target ??= targetOf(item.fields.link.trim(), `item "${item.fields.title?.trim() ?? ''}" (line ${line})`);
          if (!item.threadSent) {
            emit({ type: 'thread', thread: thread(item, item.target) });
            item.threadSent = true;
          }
          const record = toRecord(item.target, comment, meta, line);
          if (record) emit(record);
        } else {
          item.waiting.push({ fields: comment, meta, line });
        }
        comment = undefined;
      } else if (name === 'item') {
        if (item.waiting.length > 0) {
          const target = targetOf(item.fields.link?.trim() ?? '', `item "${item.fields.title?.trim() ?? ''}" (line ${line})`);
          if (!item.threadSent) emit({ type: 'thread', thread: thread(item, target) });
          for (const w of item.waiting) {
            const record = toRecord(target, w.fields, w.meta, w.line);
            if (record) emit(record);
          }
        }
        item = undefined;
      }
    },
  };
  return streamXmlRecords(file, visitor, onProgress);
}
