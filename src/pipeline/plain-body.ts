/**
 * The plain-text fast path of comment rendering (issue 15.3). Most comments are a few sentences in
 * which no character means anything to Markdown, to linkify or to the sanitizer; for those the HTML
 * of markdown-it + sanitize-html (sanitize.ts, renderCommentBody) is known in advance and is built
 * here directly, byte for byte the same: paragraphs split at blank lines, `<br />` and a newline for
 * each line break, `>` escaped. Anything else is declined (undefined) and takes the full path.
 *
 * The rules follow the dialect in markdown.ts (headings, tables, rules and setext headings are
 * switched off there, fuzzy links too) and are deliberately coarse: declining costs only the full
 * path. tests/unit/plain-body.test.ts runs both paths on a corpus and on random text and compares.
 */

/**
 * Declined anywhere in the text: Markdown's inline syntax (escapes, code, emphasis, strikethrough,
 * links and images), a tag or an entity, CR and tab, and any whitespace other than space and line
 * feed (markdown-it trims and splits on Unicode whitespace, so NBSP or U+2028 at a line's edge
 * would be dropped).
 */
const INLINE_SYNTAX = /[\\`*_~[\]<&\r\t]|[^\S \n]/;

/** The schemes markdown.ts links without markup (explicit http(s) and mailto: only). */
const LINK_SCHEME = /(?:https?|mailto):/i;

/**
 * Declined at the start of a line: indentation (trimmed, or a code block from four spaces), a
 * blockquote, or a list item (bullet or number, then a space or the end of the line).
 */
const BLOCK_START = /^(?: |>|[-+](?: |$)|\d{1,9}[.)](?: |$))/m;

/** Trailing spaces of each line: markdown-it drops them before a line break and at a paragraph's end. */
const TRAILING_SPACES = / +$/gm;

/**
 * The sanitized HTML of a comment body, when it is plain text; undefined when it needs the full
 * renderer. `text` has had its control characters removed (as renderCommentBody does first).
 */
export function plainBodyHtml(text: string): string | undefined {
  if (INLINE_SYNTAX.test(text) || BLOCK_START.test(text) || LINK_SCHEME.test(text)) return undefined;
  const paragraphs = text.replace(TRAILING_SPACES, '').split(/\n{2,}/);
  let html = '';
  for (const paragraph of paragraphs) {
    const lines = paragraph.replace(/^\n+|\n+$/g, '');
    if (lines === '') continue;
    if (html !== '') html += '\n';
    html += `<p>${lines.replace(/>/g, '&gt;').replace(/\n/g, '<br />\n')}</p>`;
  }
  return html;
}
