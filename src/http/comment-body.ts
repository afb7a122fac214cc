/**
 * The body of POST /comments read the way the Express route's body parsers read it (body-parser 2:
 * `express.json()` strict, `express.urlencoded({ extended: false })`, which is qs with depth 0), for
 * the lane that answers without Express (comment-lane.ts). Only the common shapes are taken: one of
 * the two media types, UTF-8 (or ISO-8859-1 for a form), no Content-Encoding, a Content-Length; any
 * other request goes to Express untouched. tests/http/post-lane.test.ts sends the same bodies, odd
 * ones included, both ways and compares the answers.
 */
import qs from 'qs';
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
 * A form body parsed by qs with the options body-parser 2 gives it for `extended: false` (depth 0,
 * prototypes allowed, strict depth, its parameter limit), so both doors read every odd body alike by
 * construction rather than by imitation. The decoded text is handed over with the charset qs decodes
 * escapes in, as body-parser does.
 */
export function parseUrlencoded(text: string, charset: 'utf-8' | 'iso-8859-1'): Record<string, unknown> {
  if (text.length === 0) return {};
  let parts = 1;
  for (let i = text.indexOf('&'); i !== -1; i = text.indexOf('&', i + 1)) {
    if (++parts > PARAMETER_LIMIT) throw fromBodyParser({ type: 'parameters.too.many' });
  }
  return qs.parse(text, {
    allowPrototypes: true, arrayLimit: parts, depth: 0, charset, parameterLimit: PARAMETER_LIMIT, strictDepth: true,
  }) as Record<string, unknown>;
}
