/**
 * The body of POST /comments read the way the Express route's body parsers read it (body-parser 2:
 * `express.json()` strict, `express.urlencoded({ extended: false })`, which is qs with depth 0), for
 * the lane that answers without Express (comment-lane.ts). Only the common shapes are taken: one of
 * the two media types, UTF-8 (or ISO-8859-1 for a form), no Content-Encoding, a Content-Length; any
 * other request goes to Express untouched. tests/http/post-lane.test.ts sends the same bodies, odd
 * ones included, both ways and compares the answers.
 */
import { fromBodyParser } from './classify-error.js';

export type LaneBodyType = 'form' | 'form-latin1' | 'json';

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
/** body-parser's default parameterLimit: more fields than this is its 413 "too many parameters". */
const PARAMETER_LIMIT = 1000;
const CHARSET_PARAM = /^[ \t]*charset=([A-Za-z0-9-]+)[ \t]*$/i;

/** The body type the lane reads itself, or undefined when Express should see the request. */
export function laneBodyType(contentType: string | undefined): LaneBodyType | undefined {
  if (contentType === undefined) return undefined;
  const semi = contentType.indexOf(';');
  const type = (semi < 0 ? contentType : contentType.slice(0, semi)).toLowerCase();
  let charset = 'utf-8';
  if (semi >= 0) {
    const m = CHARSET_PARAM.exec(contentType.slice(semi + 1));
    if (!m) return undefined;
    charset = m[1]!.toLowerCase();
  }
  if (type === FORM) return charset === 'utf-8' ? 'form' : charset === 'iso-8859-1' ? 'form-latin1' : undefined;
  if (type === JSON_TYPE) return charset === 'utf-8' ? 'json' : undefined;
  return undefined;
}

/** The parsed body, or the AppError body-parser's error maps to (classify-error.ts). */
export function parseLaneBody(bytes: Buffer, type: LaneBodyType): unknown {
  // iconv-lite (body-parser's decoder) drops a UTF-8 byte order mark.
  let text = type === 'form-latin1' ? bytes.toString('latin1') : bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return type === 'json' ? parseStrictJson(text) : parseUrlencoded(text, type === 'form' ? 'utf-8' : 'iso-8859-1');
}

/** body-parser's strict JSON: empty is `{}`, else an object or array only. */
function parseStrictJson(text: string): unknown {
  if (text.length === 0) return {};
  const first = /^[\x20\x09\x0a\x0d]*(.)/s.exec(text)?.[1];
  if (first !== '{' && first !== '[') throw fromBodyParser({ type: 'entity.parse.failed' });
  try {
    return JSON.parse(text);
  } catch {
    throw fromBodyParser({ type: 'entity.parse.failed' });
  }
}

/**
 * A form body as qs 6 parses it with body-parser's urlencoded options (depth 0, prototypes
 * allowed): `%5B`/`%5D` read as brackets first; a part splits at its first `]=`, else its first `=`;
 * `+` is a space; a key or value with a malformed escape stays as it came (UTF-8); one wrapping pair
 * of brackets is dropped from a key (`[body]` is `body`); `__proto__` is ignored; a name given twice
 * becomes a list (which the form reader refuses: protocols/comment-form.ts), except that an empty value for
 * a field named again through brackets is dropped, as qs's merge does. Keys that qs turns into
 * array indexes (`[]`, `[0]`) name no field the form reader reads, so only their presence differs.
 */
export function parseUrlencoded(text: string, charset: 'utf-8' | 'iso-8859-1'): Record<string, unknown> {
  if (text.length === 0) return {};
  let parts = 1;
  for (let i = text.indexOf('&'); i !== -1; i = text.indexOf('&', i + 1)) {
    if (++parts > PARAMETER_LIMIT) throw fromBodyParser({ type: 'parameters.too.many' });
  }
  const values = new Map<string, unknown>();
  const clean = text.includes('%') ? text.replace(/%5B/gi, '[').replace(/%5D/gi, ']') : text;
  for (const part of clean.split('&')) {
    const bracketEquals = part.indexOf(']=');
    const pos = bracketEquals === -1 ? part.indexOf('=') : bracketEquals + 1;
    const key = decode(pos === -1 ? part : part.slice(0, pos), charset);
    let value: unknown = pos === -1 ? '' : decode(part.slice(pos + 1), charset);
    if (pos > 1 && part.slice(pos - 2, pos) === '[]') value = [value];
    values.set(key, values.has(key) ? ([] as unknown[]).concat(values.get(key), value) : value);
  }
  const fields: Record<string, unknown> = {};
  for (const [key, value] of values) {
    if (key === '' || key === '[]') continue;
    const name = key.length > 1 && key.startsWith('[') && key.endsWith(']') ? key.slice(1, -1) : key;
    if (name === '__proto__') continue;
    if (!Object.hasOwn(fields, name)) fields[name] = value;
    // qs merges a second key that names the same field (`body` and `[body]`) with utils.merge, which
    // keeps the first when the second is empty (`if (!source) return target`).
    else if (value !== '') fields[name] = ([] as unknown[]).concat(fields[name], value);
  }
  return fields;
}

/** qs's decoder: `+` is a space; UTF-8 escapes all or nothing; ISO-8859-1 escapes one by one. */
function decode(text: string, charset: 'utf-8' | 'iso-8859-1'): string {
  const spaced = text.includes('+') ? text.replace(/\+/g, ' ') : text;
  if (!spaced.includes('%')) return spaced;
  if (charset === 'iso-8859-1') return spaced.replace(/%[0-9a-f]{2}/gi, (hex) => String.fromCharCode(parseInt(hex.slice(1), 16)));
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}
