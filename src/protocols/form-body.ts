/**
 * application/x-www-form-urlencoded bodies in any charset, read from the raw bytes.
 *
 * TrackBack senders declare their charset in the Content-Type (TrackBack 1.2), in a `charset` form
 * field (Movable Type, WordPress), or not at all. Express's urlencoded parser answers 415 to
 * `charset=Shift_JIS` and leaves escapes that are not UTF-8 undecoded (`%93%FA`), so TrackBack reads
 * the body itself: split the bytes, percent-decode to bytes, and only then decode text.
 */
import iconv from 'iconv-lite';
import { ValidationError } from '../domain/errors.js';

export interface DecodedForm {
  /**
   * Field name → decoded value: every value when the charset is known, else only the ASCII ones
   * (ASCII reads the same in every charset a form can be sent in). Names are read as ASCII; a
   * repeated name keeps its first value.
   */
  fields: Map<string, string>;
  /** The charset the values were decoded with, as a lower-case label (`utf-8`, `shift_jis`, …); undefined while `undecoded` is not empty. */
  charset: string | undefined;
  /**
   * Values that are neither ASCII nor UTF-8 in a body that names no charset, percent-decoded to
   * bytes. They wait for a hint (the linking page's charset) and then go to decodeUndeclared
   * (undeclared-charset.ts), so every value of one body is read in one charset.
   */
  undecoded: Map<string, Buffer>;
}

export interface Pair {
  name: string;
  value: Buffer;
}

export interface Charset {
  name: string;
  /** Decodes with U+FFFD for bytes the charset does not define. */
  decode(bytes: Buffer): string;
  /** Decodes, or undefined when some bytes are not valid in the charset. */
  decodeStrict(bytes: Buffer): string | undefined;
}

/**
 * Decodes a form body. The charset is the Content-Type's, else the `charset` field's, else
 * ISO-2022-JP when its escape sequences are there, else UTF-8 when every value is valid UTF-8. A
 * declared charset is trusted: bytes it does not define become U+FFFD rather than a refusal. When
 * none of these applies, the values that are not ASCII stay undecoded (see DecodedForm.undecoded).
 * @throws ValidationError('invalid-charset') for an unknown charset, for UTF-7 and for charsets that
 *   cannot carry a form body (UTF-16/32).
 */
export function decodeFormBody(raw: Buffer, contentType: string | undefined): DecodedForm {
  const pairs = readPairs(raw);
  const declared = charsetFromContentType(contentType) ?? charsetFromField(pairs);
  if (declared !== undefined) {
    const charset = resolveCharset(declared);
    const fields = new Map(pairs.map((pair) => [pair.name, charset.decode(pair.value)]));
    return { fields, charset: charset.name, undecoded: new Map() };
  }
  // ISO-2022-JP is 7-bit, so it always passes as UTF-8; its escape sequences give it away.
  const recognizable = pairs.some((pair) => pair.value.includes(0x1b)) ? [resolveCharset('iso-2022-jp')] : [];
  for (const charset of [...recognizable, resolveCharset('utf-8')]) {
    const fields = decodeStrictly(pairs, charset, false);
    if (fields) return { fields, charset: charset.name, undecoded: new Map() };
  }
  const fields = new Map<string, string>();
  const undecoded = new Map<string, Buffer>();
  for (const pair of pairs) {
    if (pair.value.some((byte) => byte > 0x7f)) undecoded.set(pair.name, pair.value);
    else fields.set(pair.name, pair.value.toString('latin1'));
  }
  return { fields, charset: undefined, undecoded };
}

/** Splits on `&` and the first `=`, percent-decoding names and values to bytes; first value per name wins. */
function readPairs(raw: Buffer): Pair[] {
  const pairs: Pair[] = [];
  const seen = new Set<string>();
  let start = 0;
  while (start <= raw.length) {
    let end = raw.indexOf(0x26, start);
    if (end === -1) end = raw.length;
    if (end > start) {
      const piece = raw.subarray(start, end);
      const eq = piece.indexOf(0x3d);
      // Names are ASCII in every protocol we speak; reading them byte-per-character means a name
      // with other bytes can never collide with one we accept.
      const name = percentDecode(eq === -1 ? piece : piece.subarray(0, eq)).toString('latin1');
      if (!seen.has(name)) {
        seen.add(name);
        pairs.push({ name, value: percentDecode(eq === -1 ? Buffer.alloc(0) : piece.subarray(eq + 1)) });
      }
    }
    start = end + 1;
  }
  return pairs;
}

/** `+` → space and `%XX` → byte; a `%` not followed by two hex digits stays literal. */
function percentDecode(bytes: Buffer): Buffer {
  const out = Buffer.allocUnsafe(bytes.length);
  let length = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    const high = byte === 0x25 ? hexValue(bytes[i + 1]) : -1;
    const low = high === -1 ? -1 : hexValue(bytes[i + 2]);
    if (low !== -1) {
      out[length++] = high * 16 + low;
      i += 2;
    } else {
      out[length++] = byte === 0x2b ? 0x20 : byte;
    }
  }
  return out.subarray(0, length);
}

function hexValue(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

function charsetFromContentType(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))/i.exec(contentType ?? '');
  if (!match) return undefined;
  const label = (match[1]?.replace(/\\(.)/g, '$1') ?? match[2] ?? '').trim();
  return label === '' ? undefined : label;
}

function charsetFromField(pairs: readonly Pair[]): string | undefined {
  const value = pairs.find((pair) => pair.name === 'charset')?.value;
  if (value === undefined) return undefined;
  if (value.some((byte) => byte > 0x7f)) throw new ValidationError('invalid-charset', 'The charset field must be ASCII.');
  const label = value.toString('latin1').trim();
  return label === '' ? undefined : label;
}

// RFC 2978 mime-charset characters; anything else cannot be a charset name.
const LABEL = /^[A-Za-z0-9][A-Za-z0-9!#$%&'+\-^_`{}~.:]{0,39}$/;

/** UTF-7 spells `<` as `+ADw-`, the classic way to slip markup past filters (WordPress refuses it too). */
function isUtf7(label: string): boolean {
  return /utf7/.test(label.toLowerCase().replace(/[^0-9a-z]/g, ''));
}

/** A charset's name and decoders, or ValidationError('invalid-charset') when we will not decode it. */
function resolveCharset(label: string): Charset {
  const shown = label.length > 40 ? `${label.slice(0, 40)}…` : label;
  if (isUtf7(label)) {
    throw new ValidationError('invalid-charset', `Charset '${shown}' is not accepted.`);
  }
  const charset = LABEL.test(label) ? findCharset(label) : undefined;
  if (!charset) throw new ValidationError('invalid-charset', `Unknown charset '${shown}'.`);
  if (!carriesAscii(charset)) {
    throw new ValidationError('invalid-charset', `Charset '${shown}' cannot encode a form body.`);
  }
  return charset;
}

/**
 * iconv-lite decodes everything but UTF-8 and the charsets it lacks (ISO-2022-JP), which go to
 * Node's TextDecoder. Node 20's TextDecoder runs on ICU, which strays from the Encoding Standard
 * exactly where guessing needs it strict: its EUC-JP and EUC-KR accept lone bytes 80–9F as C1
 * controls (so Shift_JIS text passes as EUC-JP) and its windows-1252 is ISO-8859-1 (0x80 is not €).
 * For UTF-8 it is exact, and unlike a U+FFFD search it accepts a U+FFFD the sender really sent.
 */
function findCharset(label: string): Charset | undefined {
  const standardName = textDecoderName(label);
  if (standardName === 'utf-8') return textDecoderCharset(standardName);
  if (iconv.encodingExists(label)) return iconvCharset(label.toLowerCase());
  return standardName === undefined ? undefined : textDecoderCharset(standardName);
}

function textDecoderCharset(name: string): Charset {
  return {
    name,
    decode: (bytes) => new TextDecoder(name).decode(bytes),
    decodeStrict: (bytes) => {
      try {
        return new TextDecoder(name, { fatal: true }).decode(bytes);
      } catch {
        return undefined;
      }
    },
  };
}

/** iconv-lite substitutes U+FFFD for invalid bytes; no legacy charset encodes U+FFFD itself. */
function iconvCharset(name: string): Charset {
  return {
    name,
    decode: (bytes) => iconv.decode(bytes, name),
    decodeStrict: (bytes) => {
      const text = iconv.decode(bytes, name);
      return text.includes('\uFFFD') ? undefined : text;
    },
  };
}

/** The charset for a label when it can carry a form body; undefined otherwise (never throws). */
export function lookupCharset(label: string): Charset | undefined {
  if (isUtf7(label)) return undefined;
  const charset = LABEL.test(label) ? findCharset(label) : undefined;
  return charset && carriesAscii(charset) ? charset : undefined;
}

function textDecoderName(label: string): string | undefined {
  try {
    return new TextDecoder(label).encoding;
  } catch {
    return undefined;
  }
}

const PRINTABLE_ASCII = Buffer.from(Array.from({ length: 0x7f - 0x20 }, (_, i) => i + 0x20).concat([0x09, 0x0a, 0x0d]));

/**
 * A form body's structure is ASCII and our field names are too, so only a charset that reads ASCII
 * bytes as ASCII can carry one. This shuts out UTF-16/32, base64/hex and the like, whatever their label.
 */
function carriesAscii(charset: Charset): boolean {
  return charset.decodeStrict(PRINTABLE_ASCII) === PRINTABLE_ASCII.toString('latin1');
}

/** Every value decoded with `charset`, or undefined when one has an invalid byte (or, for a guess, an implausible character). */
export function decodeStrictly(pairs: Iterable<Pair>, charset: Charset, mustLookPlausible: boolean): Map<string, string> | undefined {
  const fields = new Map<string, string>();
  for (const pair of pairs) {
    const text = charset.decodeStrict(pair.value);
    if (text === undefined || (mustLookPlausible && IMPLAUSIBLE.test(text))) return undefined;
    fields.set(pair.name, text);
  }
  return fields;
}

/**
 * Characters real text does not contain, so a guess that yields them is the wrong guess: C1 controls
 * (Shift_JIS reads 0x80 as U+0080, so windows-1252 "5 €" would pass as Shift_JIS) and private use
 * (Shift_JIS maps leads F0–F9 there, so Latin-1 "öß", F6 DF, would pass as well).
 */
const IMPLAUSIBLE = /[\u0080-\u009F\uE000-\uF8FF]/;
