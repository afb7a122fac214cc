/**
 * Paging and sorting a thread (contract v1.1): the orders, the page request, and the opaque keyset
 * cursor. A page is N top-level items, each followed by all of its replies; the cursor names the last
 * top-level item of a page by its sort keys, so the next page starts right after it however many
 * comments arrive meanwhile (no OFFSET: a new comment never shifts or repeats an item).
 */
import type { Comment } from './comment.js';
import { ValidationError, msg } from './errors.js';

export type ThreadSort = 'oldest' | 'newest' | 'liked';
export const THREAD_SORTS: readonly ThreadSort[] = ['oldest', 'newest', 'liked'];

/** The most top-level items one page may ask for; a larger `limit` is answered with this many. */
export const MAX_PAGE_LIMIT = 200;

/**
 * Where the next page starts: after the top-level item with these keys. `keys` are the order's keys
 * before the id, in the order the sort compares them (liked: [likes − dislikes]); an order that puts
 * another key first (pinned comments) adds it at the front.
 */
export interface PageCursor {
  sort: ThreadSort;
  keys: number[];
  id: number;
}

export interface ThreadPageRequest {
  sort: ThreadSort;
  limit: number;
  /** Null: the first page. */
  after: PageCursor | null;
}

export interface ThreadPage {
  /** Top-level items in the sort's order, each followed by its replies (oldest first). */
  items: Comment[];
  next: PageCursor | null;
}

/** The sort keys of a top-level item, as a cursor after it carries them. */
export function sortKeys(sort: ThreadSort, c: Pick<Comment, 'likes' | 'dislikes'>): number[] {
  return sort === 'liked' ? [(c.likes ?? 0) - (c.dislikes ?? 0)] : [];
}

/** The cursor's wire form: base64url of a JSON array `[sort, ...keys, id]`. Opaque to clients. */
export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, ...cursor.keys, cursor.id])).toString('base64url');
}

const KEY_COUNT: Readonly<Record<ThreadSort, number>> = { oldest: 0, newest: 0, liked: 1 };

/** Parses a cursor; anything that is not one this server wrote for `sort` is a 400 (contract v1.1). */
export function decodeCursor(raw: string, sort: ThreadSort): PageCursor {
  const invalid = () => new ValidationError('invalid-body', 'cursor-invalid', 'cursor');
  if (raw.length > 200 || !/^[A-Za-z0-9_-]+$/.test(raw)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed[0] !== sort || parsed.length !== KEY_COUNT[sort] + 2) throw invalid();
  const numbers = parsed.slice(1);
  if (!numbers.every((n) => Number.isSafeInteger(n))) throw invalid();
  const id = numbers.pop() as number;
  if (id <= 0) throw invalid();
  return { sort, keys: numbers as number[], id };
}

/** `?sort=`: one of THREAD_SORTS, `oldest` when absent. */
export function parseSort(raw: unknown): ThreadSort {
  if (raw === undefined || raw === '') return 'oldest';
  if (typeof raw === 'string' && (THREAD_SORTS as readonly string[]).includes(raw)) return raw as ThreadSort;
  throw new ValidationError('invalid-body', msg('must-be-one-of', { name: 'sort', values: THREAD_SORTS.join(', ') }), 'sort');
}

/** `?limit=`: a whole number from 1; above MAX_PAGE_LIMIT it is lowered to it. Undefined when absent. */
export function parseLimit(raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^\d{1,9}$/.test(raw) || Number(raw) < 1) {
    throw new ValidationError('invalid-body', msg('limit-invalid', { max: MAX_PAGE_LIMIT }), 'limit');
  }
  return Math.min(Number(raw), MAX_PAGE_LIMIT);
}

/**
 * What a query string asks for: a page (`limit`), or, without `limit`, the whole thread (v1) in the
 * asked order. A cursor without a limit is refused: it only means something for pages.
 */
export function parsePageQuery(query: { limit?: unknown; cursor?: unknown; sort?: unknown }, defaultLimit?: number): ThreadQuery {
  const sort = parseSort(query.sort);
  const limit = parseLimit(query.limit) ?? defaultLimit;
  const rawCursor = query.cursor;
  if (rawCursor !== undefined && typeof rawCursor !== 'string') throw new ValidationError('invalid-body', 'cursor-invalid', 'cursor');
  const after = rawCursor === undefined || rawCursor === '' ? null : decodeCursor(rawCursor, sort);
  if (limit === undefined && after !== null) throw new ValidationError('invalid-body', msg('limit-invalid', { max: MAX_PAGE_LIMIT }), 'limit');
  return { sort, limit, after };
}

/** A page (`limit` set) or the whole thread in `sort` order. */
export interface ThreadQuery {
  sort: ThreadSort;
  limit: number | undefined;
  after: PageCursor | null;
}
