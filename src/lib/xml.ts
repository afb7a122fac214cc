/**
 * Text for XML 1.0 documents we write by hand (TrackBack responses, RSS, XML-RPC values).
 * Every value placed in such a document goes through escapeXml; nothing else is needed to keep the
 * document well-formed.
 */

// XML 1.0 §2.2 `Char`: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
// With the `u` flag a lone surrogate is one code point in D800–DFFF, so it falls outside the ranges.
const INVALID_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // A literal CR would reach the reader as LF (XML 1.0 §2.11 end-of-line handling); the character
  // reference survives, so "a\r\nb" round-trips.
  '\r': '&#13;',
};

/**
 * Removes the characters XML 1.0 cannot carry at all, not even as character references: C0 controls
 * other than tab, LF and CR, lone surrogates, U+FFFE and U+FFFF.
 */
export function stripInvalidXmlChars(text: string): string {
  return text.replace(INVALID_XML_CHAR, '');
}

/**
 * Makes text safe for XML element content and for quoted attribute values: characters XML 1.0
 * cannot carry are removed, then `& < > " '` (and CR) become references.
 */
export function escapeXml(text: string): string {
  return stripInvalidXmlChars(text).replace(/[&<>"'\r]/g, (ch) => ENTITIES[ch] ?? ch);
}
