/**
 * Facts about a stored `body_html`, which pipeline/sanitize.ts alone produces. Kept here, below every
 * layer, so a spam rule can read a body without importing the pipeline that made it.
 */

/**
 * Number of links in a sanitized body (spam rules use it). A regex is enough, and cheap, because the
 * input is the sanitizer's output: every surviving link is serialized exactly as `<a href="`, and a
 * literal `<a href="` typed by a commenter is escaped to `&lt;a href=`. Do not use it on HTML from
 * anywhere else.
 */
export function countLinks(html: string): number {
  return html.match(/<a href="/g)?.length ?? 0;
}
