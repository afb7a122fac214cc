/** What the moderation search looks in, the same on both backends. */
import type { CommentSearchField } from './repository.js';

/**
 * Which columns (of comments `c`) each search field looks in. Fixed strings: nothing from the request
 * reaches the SQL text.
 */
export const SEARCH_COLUMNS: Record<CommentSearchField, readonly string[]> = {
  text: ['c.body_raw', "coalesce(c.title, '')"],
  author: ['c.author', 'c.url'],
  email: ['c.email'],
  ip: ['c.ip'],
  source: ["coalesce(c.source_url, '')"],
};

/** `LIKE` treats % and _ as wildcards; searches are for the literal text (used with ESCAPE '\'). */
export function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}
