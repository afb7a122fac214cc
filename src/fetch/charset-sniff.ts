/**
 * Turning a fetched page's bytes into text. Order of precedence, after the HTML standard's encoding
 * sniffing (https://html.spec.whatwg.org/multipage/parsing.html#determining-the-character-encoding),
 * simplified: byte-order mark, then the Content-Type charset, then a `<meta>` declaration (or an XML
 * declaration) in the first bytes, then UTF-8.
 */
import iconv from 'iconv-lite';

/** How far into the body a `<meta charset>` is looked for (the HTML standard's prescan uses 1024). */
export const META_SCAN_BYTES = 2048;

// WHATWG treats these labels as windows-1252, which is what browsers (and the pages' authors) mean by them.
const WINDOWS_1252_LABELS = new Set(['ascii', 'us-ascii', 'iso-8859-1', 'iso8859-1', 'latin1', 'l1', 'cp1252', 'cp819']);
// The HTML standard forbids UTF-7, CESU-8 and UTF-32; UTF-7 in particular spells `<script>` as
// `+ADw-script+AD4-`, slipping markup past anything that looked at the bytes. These fall back to UTF-8.
const REFUSED_LABELS = new Set([
  'utf-7', 'utf7', 'unicode-1-1-utf-7', 'csunicode11utf7', 'x-unicode20utf7',
  'cesu-8', 'cesu8', 'utf-32', 'utf32', 'utf-32le', 'utf-32be', 'utf32le', 'utf32be',
]);

/** The iconv-lite name for a charset label, or undefined when the label is unknown or not allowed. */
export function encodingForLabel(label: string): string | undefined {
  const name = label.trim().replace(/^["']|["']$/g, '').toLowerCase();
  if (name === '' || REFUSED_LABELS.has(name)) return undefined;
  if (WINDOWS_1252_LABELS.has(name)) return 'windows-1252';
  return iconv.encodingExists(name) ? name : undefined;
}

function charsetParam(contentType: string): string | undefined {
  const match = /;\s*charset\s*=\s*("[^"]*"|[^;\s]*)/i.exec(contentType);
  return match?.[1];
}

function byteOrderMark(body: Uint8Array): string | undefined {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return 'utf-8';
  if (body[0] === 0xfe && body[1] === 0xff) return 'utf-16be';
  if (body[0] === 0xff && body[1] === 0xfe) return 'utf-16le';
  return undefined;
}

function attributes(tag: string): Map<string, string> {
  const found = new Map<string, string>();
  const attr = /([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*)))?/g;
  for (const m of tag.slice('<meta'.length).matchAll(attr)) {
    const name = m[1]!.toLowerCase();
    if (!found.has(name)) found.set(name, m[2] ?? m[3] ?? m[4] ?? '');
  }
  return found;
}

/** Charset label declared by a `<meta>` tag or XML declaration near the start of a document. */
export function declaredCharset(prefix: string): string | undefined {
  const xml = /^\s*<\?xml\s[^>]*encoding\s*=\s*["']([^"']+)["']/i.exec(prefix);
  if (xml) return xml[1];
  const withoutComments = prefix.replace(/<!--[\s\S]*?(?:-->|$)/g, '');
  for (const tag of withoutComments.match(/<meta\b[^>]*>/gi) ?? []) {
    const attrs = attributes(tag);
    const charset = attrs.get('charset');
    if (charset) return charset;
    if (attrs.get('http-equiv')?.toLowerCase() === 'content-type') {
      const fromContent = charsetParam(`;${attrs.get('content') ?? ''}`);
      if (fromContent) return fromContent;
    }
  }
  return undefined;
}

/** The iconv-lite encoding to decode `body` with, given the response's Content-Type header value. */
export function sniffCharset(contentType: string, body: Uint8Array): string {
  return declaredCharsetOf(contentType, body) ?? 'utf-8';
}

/**
 * The encoding the response itself names (byte-order mark, Content-Type charset, `<meta>` or XML
 * declaration, in that order), or undefined when it names none and UTF-8 is only the default.
 */
export function declaredCharsetOf(contentType: string, body: Uint8Array): string | undefined {
  const bom = byteOrderMark(body);
  if (bom) return bom;
  const fromHeader = charsetParam(contentType);
  const headerEncoding = fromHeader === undefined ? undefined : encodingForLabel(fromHeader);
  if (headerEncoding) return headerEncoding;
  // latin1 maps every byte to one char, so ASCII markup survives whatever the real encoding is.
  const prefix = Buffer.from(body.buffer, body.byteOffset, Math.min(body.length, META_SCAN_BYTES)).toString('latin1');
  const declared = declaredCharset(prefix);
  const declaredEncoding = declared === undefined ? undefined : encodingForLabel(declared);
  // A document that could be prescanned as ASCII is not UTF-16, whatever it claims (HTML standard).
  if (declaredEncoding && !declaredEncoding.startsWith('utf-16') && !declaredEncoding.startsWith('utf16')) {
    return declaredEncoding;
  }
  return undefined;
}

/** Decodes a fetched body to text (never throws; invalid sequences become U+FFFD). */
export function decodeBody(contentType: string, body: Uint8Array): string {
  return iconv.decode(body, sniffCharset(contentType, body));
}
