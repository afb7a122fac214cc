/**
 * URL parsing and normalization. Targets are compared, and threads keyed, by their normalized form
 * (contract, "Targets and threads"), and linkback sources by the same form, so every spelling of one
 * address is one thread and one linkback (issue 16 point 2).
 */

/** The longest target URL accepted (issue 14 point 8): far above any real permalink, the limit most browsers and proxies keep. */
export const MAX_TARGET_LENGTH = 2048;

/** Parses an absolute http(s) URL without credentials; undefined for anything else. */
export function parseHttpUrl(input: unknown): URL | undefined {
  if (typeof input !== 'string') return undefined;
  const trimmed = input.trim();
  if (trimmed === '' || /[\s"<>]/.test(trimmed)) return undefined;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  if (url.hostname === '') return undefined;
  return url;
}

/**
 * The one spelling of an http(s) URL. WHATWG URL parsing already lower-cases scheme and host, turns
 * a Unicode host into its punycode form (IDNA, with NFC: `кузбасс.рф` is `xn--80abrl2baj.xn--p1ai`),
 * drops the default port and percent-encodes non-ASCII as UTF-8 (an IRI becomes its URI, RFC 3987
 * §3.1). On top of that: the fragment is dropped, and in path and query percent-escapes are
 * upper-cased (RFC 3986 §6.2.2.1), escapes of unreserved characters decoded (§6.2.2.2), and text
 * escaped as UTF-8 is put in Unicode NFC (RFC 3987 §5.3.2.2), so `%d0%bf`, `%D0%BF` and `п` agree.
 */
export function normalizeUrl(url: URL): string {
  return `${url.origin}${canonicalEscapes(url.pathname)}${canonicalEscapes(url.search)}`;
}

/** parseHttpUrl + normalizeUrl; undefined when the input is not an acceptable URL. */
export function normalizeHttpUrl(input: unknown): string | undefined {
  const url = parseHttpUrl(input);
  return url ? normalizeUrl(url) : undefined;
}

/**
 * The key two link URLs are compared by (linkback sources, links found in source pages): the
 * normalized form, the same one targets are stored in.
 */
export function linkKey(input: string): string | undefined {
  return normalizeHttpUrl(input);
}

/** The origin (`scheme://host[:port]`) of a URL string; a Unicode host comes back in punycode. */
export function originOf(input: string): string | undefined {
  const url = parseHttpUrl(input);
  return url?.origin;
}

/** True when the URL's origin is one of the configured site origins (both in punycode, see originOf). */
export function isOnSites(url: URL, sites: readonly string[]): boolean {
  return sites.includes(url.origin);
}

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Path or query (WHATWG-serialized, so ASCII only) with escapes in their one canonical form. */
function canonicalEscapes(part: string): string {
  if (!part.includes('%')) return part;
  const decoded = part.replace(/(?:%[0-9A-Fa-f]{2})+/g, decodeEscapeRun);
  // NFC only across decoded text and the letter or digit right before it (a base a combining mark
  // may join): composing across `=` or `/` would change the URL's structure, not only its spelling.
  // The lookbehind keeps the hex digits of a kept escape (`%3B`) out of it.
  return decoded.replace(/(?:(?<!%[0-9A-F]?)[A-Za-z0-9])?[^\x00-\x7F]+/g, (text) => escapeText(text.normalize('NFC')));
}

/** A run of escapes: UTF-8 sequences become their characters, unreserved bytes their letter, anything else `%XX`. */
function decodeEscapeRun(run: string): string {
  const bytes = Buffer.from(run.replace(/%/g, ''), 'hex');
  // The usual case, a whole run of valid UTF-8, in one call.
  const whole = decodeUtf8(bytes);
  if (whole !== undefined) return whole.replace(/[\x00-\x7F]/g, (ch) => escapeByte(ch.charCodeAt(0)));
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const byte = bytes[i]!;
    const length = byte >= 0xf0 && byte <= 0xf4 ? 4 : byte >= 0xe0 && byte <= 0xef ? 3 : byte >= 0xc2 && byte <= 0xdf ? 2 : 1;
    const char = length > 1 && i + length <= bytes.length ? decodeUtf8(bytes.subarray(i, i + length)) : undefined;
    if (char !== undefined) {
      out += char;
      i += length;
    } else {
      out += escapeByte(byte);
      i += 1;
    }
  }
  return out;
}

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

function escapeByte(byte: number): string {
  const char = String.fromCharCode(byte);
  return UNRESERVED.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}

/** Back to ASCII: unreserved characters as they are, everything else as UTF-8 escapes. */
function escapeText(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) out += escapeByte(byte);
  return out;
}
