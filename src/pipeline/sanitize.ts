/**
 * The one place untrusted text becomes HTML, and the only importer of sanitize-html.
 *
 * Every comment body and linkback excerpt ends in BODY_POLICY, an allow-list: the tags below, `href`
 * on links and `cite` on quotes, absolute http(s)/mailto URLs only, and `rel="nofollow ugc"` forced on
 * every link. Anything else — other tags, event handlers, `style`, other URL schemes — is dropped.
 * Plain text (a comment with no markup at all, plain-body.ts; a linkback excerpt) is written directly
 * as this policy would write it, byte for byte, without the parse: tests/unit/plain-body.test.ts
 * holds both ways to the same output.
 *
 * Invariants the rest of the code relies on:
 * - the output contains only allow-listed tags, with `&`, `<`, `>` escaped in text and `"` also in
 *   attribute values, so a browser parses it into the same tree the sanitizer saw (no raw-text
 *   element is allowed, which is what mutation XSS needs);
 * - sanitizing the output again yields the same string (see sanitizeCommentHtml);
 * - links are serialized as `<a href="…" rel="nofollow ugc">`, which countLinks depends on.
 */
import sanitizeHtml from 'sanitize-html';
import { stripControlChars } from '../lib/text.js';
import { markdownToUnsafeHtml } from './markdown.js';
import { plainBodyHtml } from './plain-body.js';

/** WordPress-style inline tags commenters know, plus what our Markdown produces. */
const ALLOWED_TAGS = [
  'a', 'b', 'strong', 'i', 'em', 'code', 'blockquote', 'q', 'del', 's',
  'p', 'br', 'pre', 'ul', 'ol', 'li',
];

/**
 * Disallowed elements whose content is dropped too, not just the tags: sanitize-html's defaults
 * (script, style, textarea, option, xmp) plus the other elements a browser does not parse as normal
 * markup — title (RCDATA), iframe, noembed, noframes and noscript (raw text in the HTML parser's
 * "in body" rules) — and template, whose content is inert markup, not prose.
 */
const DROP_CONTENT_TAGS = [
  'script', 'style', 'textarea', 'option', 'xmp', 'title',
  'noscript', 'noembed', 'noframes', 'iframe', 'template',
];

const LINK_PROTOCOLS: ReadonlySet<string> = new Set(['http:', 'https:', 'mailto:']);
const CITE_PROTOCOLS: ReadonlySet<string> = new Set(['http:', 'https:']);

/**
 * Returns the canonical form of an absolute URL with an allowed scheme, or undefined.
 *
 * The value arrives entity-decoded from the parser (`javascript&#58;` is already `javascript:`).
 * Parsing with WHATWG URL — the algorithm browsers use — strips the tabs, newlines and leading
 * control characters browsers ignore (`jav&#x09;ascript:`, ` javascript:`), and anything that is not
 * absolute (relative paths, protocol-relative `//evil`, schemes hidden behind other control
 * characters) fails to parse without a base. The serialized href we emit is then exactly what the
 * browser will resolve. URLs with credentials are refused: `https://bank.example@evil.example/` is
 * a phishing pattern, not something a commenter needs.
 */
function allowedUrl(value: string | undefined, protocols: ReadonlySet<string>): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (!protocols.has(url.protocol)) return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  return url.href;
}

/**
 * Rebuilds a link's attributes from scratch: the author's `rel`, `target`, `on*` and everything else
 * never reach the output, and the fixed attribute order is what countLinks relies on.
 */
function transformLink(tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag {
  const href = allowedUrl(attribs.href, LINK_PROTOCOLS);
  return { tagName, attribs: href === undefined ? {} : { href, rel: 'nofollow ugc' } };
}

function transformQuote(tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag {
  const cite = allowedUrl(attribs.cite, CITE_PROTOCOLS);
  return { tagName, attribs: cite === undefined ? {} : { cite } };
}

const BODY_POLICY: sanitizeHtml.IOptions = {
  allowedTags: ALLOWED_TAGS,
  // `rel` is listed only so the forced value from transformLink survives the attribute filter;
  // the author's own `rel` has already been discarded there.
  allowedAttributes: { a: ['href', 'rel'], q: ['cite'] },
  // Second line of defence behind allowedUrl, in case a transform is ever loosened.
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { q: ['http', 'https'] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  nonTextTags: DROP_CONTENT_TAGS,
  transformTags: { a: transformLink, q: transformQuote },
  // A link whose href was refused is unwrapped to its text rather than left as a dead <a>.
  exclusiveFilter: (frame) => (frame.tag === 'a' && !frame.attribs.href ? 'excludeTag' : false),
};

/** Keeps text only. */
const TEXT_POLICY: sanitizeHtml.IOptions = {
  allowedTags: [],
  allowedAttributes: {},
  disallowedTagsMode: 'discard',
  nonTextTags: DROP_CONTENT_TAGS,
};

/**
 * Elements that separate words when a browser renders them. toPlainText keeps them (bare, without
 * attributes) through sanitize-html only to turn them into spaces, so `<p>One.</p><p>Two.</p>`
 * becomes "One. Two." and not "One.Two."; inline tags vanish without a trace ("<b>Ann</b>ie").
 */
const WORD_BREAK_TAGS = [
  'address', 'article', 'aside', 'blockquote', 'br', 'dd', 'div', 'dl', 'dt', 'figcaption', 'figure',
  'footer', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li', 'main', 'nav', 'ol', 'p', 'pre',
  'section', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'ul',
];

const WORD_BREAK_POLICY: sanitizeHtml.IOptions = { ...TEXT_POLICY, allowedTags: WORD_BREAK_TAGS };

/**
 * Re-sanitizing stops after this many passes. Fuzzing has never needed more than two (plus the one
 * that confirms): the first removes what is disallowed, the second re-parses the rest as plain HTML.
 */
const MAX_PASSES = 4;

/**
 * Applies the comment HTML policy to an HTML fragment. renderCommentBody and renderPlainText end
 * here; it is exported for callers that already hold HTML and for the idempotency tests.
 *
 * One pass is not always stable: htmlparser2 applies HTML's implied end tags only while the open
 * element is a plain HTML one, so in `<p><svg><ul>` (or `<p><select><ol>`) the <ul> does not close
 * the <p>; once the svg wrapper is dropped the output holds `<p><ul>`, which the next parse — and a
 * browser — reads as `<p></p><ul>`. So the policy is re-applied until the string no longer changes,
 * which makes the result idempotent by construction. Should that ever fail to converge, the markup
 * is given up and only the escaped text is returned, which is trivially stable.
 */
export function sanitizeCommentHtml(html: string): string {
  let out = sanitizeHtml(html, BODY_POLICY);
  for (let pass = 1; pass < MAX_PASSES; pass++) {
    const again = sanitizeHtml(out, BODY_POLICY);
    if (again === out) return out;
    out = again;
  }
  return sanitizeHtml(out, TEXT_POLICY);
}

/**
 * A comment body (Markdown with a little inline HTML, see markdown.ts) as safe HTML for `body_html`.
 * Links carry `rel="nofollow ugc"`; nothing in the result can run script. Control characters are
 * removed first: they have no business in a comment and HTML treats them as parse errors.
 */
export function renderCommentBody(raw: string): string {
  const text = stripControlChars(raw);
  const plain = plainBodyHtml(text);
  if (plain !== undefined) {
    bodyRenders.plain += 1;
    return plain;
  }
  bodyRenders.markdown += 1;
  return sanitizeCommentHtml(markdownToUnsafeHtml(text)).trim();
}

/** renderCommentBody without the plain-text fast path: what the fast path must equal (tests, bench). */
export function renderCommentBodyInFull(raw: string): string {
  return sanitizeCommentHtml(markdownToUnsafeHtml(stripControlChars(raw))).trim();
}

/**
 * Bodies rendered by this thread so far, by path: the tests prove with it that plain comments do
 * take the fast path (plain-body.ts), which equal output alone would not show.
 */
export const bodyRenders = { plain: 0, markdown: 0 };

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/**
 * Plain text (a linkback excerpt) as safe HTML: escaped, blank lines separate paragraphs, single
 * newlines become `<br />`, no links are made. Written exactly as the comment policy would write it
 * (`&`, `<`, `>` escaped in text, `"` not), so every `body_html` has one shape without a pass through
 * sanitize-html: the markup is ours and the text is escaped (tests/unit/plain-body.test.ts compares it
 * with renderPlainTextInFull).
 */
export function renderPlainText(text: string): string {
  return plainParagraphs(text, /[&<>]/g);
}

/** renderPlainText through the comment policy, as it was built before (the reference for the tests). */
export function renderPlainTextInFull(text: string): string {
  const html = plainParagraphs(text, /[&<>"]/g);
  return html === '' ? '' : sanitizeCommentHtml(html);
}

function plainParagraphs(text: string, escaped: RegExp): string {
  const normalized = stripControlChars(text.replace(/\r\n?/g, '\n')).trim();
  if (normalized === '') return '';
  return normalized
    .split(/\n[ \t]*\n\s*/)
    .map((p) => `<p>${p.replace(escaped, (ch) => TEXT_ESCAPES[ch]!).replace(/[ \t]*\n/g, '<br />\n')}</p>`)
    .join('\n');
}

/**
 * The escapes sanitize-html writes into text. With `parser.decodeEntities` (its default) every
 * entity in the input is decoded while parsing and only these four characters are re-escaped on
 * output, so undoing exactly these decodes the input's entities once: `&amp;lt;` ends as `&lt;`.
 */
const OUTPUT_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"' };

/**
 * Text that may contain tags and entities (names, titles, blog names, TrackBack excerpts) as plain
 * text: tags stripped (script/style content dropped), entities decoded once, control characters
 * removed, whitespace runs collapsed to one space, trimmed. Escape the result when rendering it.
 */
export function toPlainText(input: string): string {
  // Without a "<" or an "&" there is no tag to strip and no entity to decode: the sanitizer would
  // hand back the text with ">" and '"' escaped, which the decoding undoes (a name or a title
  // almost always; tests/unit/plain-body.test.ts compares both ways).
  return collapsed(/[<&]/.test(input) ? textOfHtml(input) : input);
}

/** toPlainText through the sanitizer whatever the input (what the shortcut above must equal). */
export function toPlainTextInFull(input: string): string {
  return collapsed(textOfHtml(input));
}

function textOfHtml(input: string): string {
  // The sanitizer's output escapes every "<" in text, so each one left starts a bare tag it wrote.
  const stripped = sanitizeHtml(input, WORD_BREAK_POLICY).replace(/<[^>]*>/g, ' ');
  return stripped.replace(/&(amp|lt|gt|quot);/g, (_, name: string) => OUTPUT_ENTITIES[name]!);
}

function collapsed(decoded: string): string {
  return stripControlChars(decoded)
    .replace(/[ \t\n\r\u2028\u2029]+/g, ' ')
    .trim();
}

/**
 * Inline styles for comment markup in an HTML mail: mail clients drop <style> blocks and external
 * stylesheets (Gmail, Outlook), so the look travels on each element. Fixed values, never the author's.
 */
const MAIL_STYLES: Readonly<Record<string, string>> = {
  a: 'color:#1a56c4;text-decoration:underline',
  blockquote: 'margin:8px 0;padding:0 0 0 12px;border-left:3px solid #c7ccd1;color:#4a5058',
  pre: 'white-space:pre-wrap;background:#f3f4f6;padding:8px;border-radius:4px;font-family:monospace',
  code: 'font-family:monospace;background:#f3f4f6',
  p: 'margin:0 0 8px',
};

function mailTransform(tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag {
  const base = tagName === 'a' ? transformLink(tagName, attribs).attribs : tagName === 'q' ? transformQuote(tagName, attribs).attribs : {};
  const style = MAIL_STYLES[tagName];
  return { tagName, attribs: style ? { ...base, style } : base };
}

/** BODY_POLICY with a fixed inline style on the tags above; every other attribute rebuilt as there. */
const MAIL_POLICY: sanitizeHtml.IOptions = {
  ...BODY_POLICY,
  allowedAttributes: Object.fromEntries(ALLOWED_TAGS.map((tag) => [tag, [...(tag === 'a' ? ['href', 'rel'] : tag === 'q' ? ['cite'] : []), 'style']])),
  transformTags: Object.fromEntries(ALLOWED_TAGS.map((tag) => [tag, mailTransform])),
};

/**
 * A stored `body_html` for an HTML mail: sanitized again with the same allow-list (so a row written
 * by an older policy, or an import, still cannot carry script into a mail client), absolute
 * http(s)/mailto links only, and inline styles instead of a stylesheet.
 */
export function commentHtmlForMail(bodyHtml: string): string {
  return sanitizeHtml(sanitizeCommentHtml(bodyHtml), MAIL_POLICY);
}
