/**
 * The Markdown dialect of comment bodies: CommonMark emphasis, links, inline code and code blocks,
 * blockquotes and lists, plus `~~strike~~`, hard line breaks on single newlines and bare URLs made
 * links. Headings, images, horizontal rules and tables are switched off, so `# x`, `![a](b)` and
 * `---` stay literal text instead of becoming markup the sanitizer would then throw away.
 *
 * The output of this module is NOT safe: `html: true` lets inline HTML through untouched, because the
 * single allow-list policy in pipeline/sanitize.ts decides what survives. Only sanitize.ts calls it.
 */
import MarkdownIt from 'markdown-it';

function createCommentMarkdown() {
  const md = new MarkdownIt('default', {
    html: true,
    breaks: true,
    linkify: true,
    typographer: false,
    // The commonmark preset's limit; deeper nesting is left as text rather than 100 levels of <blockquote>.
    maxNesting: 20,
  });
  md.disable(['heading', 'lheading', 'image', 'hr', 'table']);
  // Only explicit http://, https:// and mailto: text becomes a link. Fuzzy matching would turn
  // "setup.py" or "v1.2.io" into links (and the default changed between linkify-it versions, so it
  // is set explicitly); ftp: and protocol-relative "//host" links would be unlinked by the sanitizer
  // anyway, so they are not made in the first place.
  md.linkify.set({ fuzzyLink: false, fuzzyEmail: false, fuzzyIP: false });
  md.linkify.add('ftp:', null).add('//', null);
  return md;
}

const commentMarkdown = createCommentMarkdown();

/**
 * Renders a comment body's Markdown to HTML that still contains whatever inline HTML the author
 * wrote. Never store or display the result without passing it through the sanitizer.
 */
export function markdownToUnsafeHtml(raw: string): string {
  return commentMarkdown.render(raw);
}
