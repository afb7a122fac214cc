/**
 * Text whose sender named no charset and that is not UTF-8 (a TrackBack from a windows-1251
 * WordPress blog carries no charset at all, protocols.md §1.3-1.4). Tried in order:
 * 1. the charset the linking page declared (HTTP header, then `<meta>`), which the pipeline learns
 *    when it fetches the page to verify the link: the same blog wrote both;
 * 2. a statistical detector (jschardet 4, a port of Python's chardet 7) restricted to the encodings
 *    blogs of the TrackBack era used, so it cannot answer with an exotic code page;
 * 3. windows-1252, then ISO-8859-1, which decode (nearly) any byte: better a readable Latin guess
 *    than a refused ping.
 * Every guess must decode every value without an invalid byte and without characters real text
 * lacks (form-body.ts IMPLAUSIBLE); all values of one body are read in one charset.
 */
import { ValidationError } from '../domain/errors.js';
import { decodeStrictly, lookupCharset, type Charset, type Pair } from './form-body.js';

/** What the detector may answer (chardet's names; GB18030 covers GB2312 and GBK). */
export const DETECTABLE_CHARSETS: readonly string[] = [
  'windows-1251', 'koi8-r', 'iso-8859-5', 'cp866',
  'shift_jis', 'euc-jp', 'iso-2022-jp', 'gb18030', 'big5', 'euc-kr',
  'windows-1250', 'windows-1252', 'iso-8859-1', 'iso-8859-2',
];

/**
 * KOI8-U is KOI8-R plus the Ukrainian letters (і ї є ґ) in places KOI8-R gives to box drawing, which
 * no headline uses; the detector's statistics cannot tell the two apart, so KOI8-R text is read as
 * KOI8-U and Ukrainian KOI8 text comes out right as well.
 */
const DECODE_AS: Readonly<Record<string, string>> = { 'koi8-r': 'koi8-u' };

const LAST_RESORTS = ['windows-1252', 'iso-8859-1'];

/**
 * Words of Latin and Cyrillic letters together ("Cafй crиme") are what reading Latin-1 text as
 * windows-1251 gives: on short text the detector's statistics can rank that reading first. Real text
 * has such a word now and then ("iPhoneы"), so a reading is passed over only when at least half of
 * its words with letters outside ASCII mix the two scripts.
 */
function mostlyMixedScript(text: string): boolean {
  const words = (text.match(/\p{L}+/gu) ?? []).filter((word) => /[^\x00-\x7F]/.test(word));
  const mixed = words.filter((word) => /\p{Script=Latin}\p{Script=Cyrillic}|\p{Script=Cyrillic}\p{Script=Latin}/u.test(word));
  return mixed.length > 0 && mixed.length * 2 >= words.length;
}

export interface UndeclaredDecoding {
  fields: Map<string, string>;
  charset: string;
  /** Which rule chose the charset, for the log and the tests. */
  by: 'hint' | 'detector' | 'last-resort';
}

/**
 * Decodes `values` (field name → bytes) in the first charset that fits: `hint`, then the detector's
 * candidates in order of confidence, then the last resorts.
 * @throws ValidationError('invalid-charset') when no charset decodes every value.
 */
export async function decodeUndeclared(values: ReadonlyMap<string, Uint8Array>, hint?: string): Promise<UndeclaredDecoding> {
  const pairs: Pair[] = [...values].map(([name, value]) => ({ name, value: Buffer.from(value) }));
  const hinted = hint === undefined ? undefined : lookupCharset(hint);
  const fromHint = hinted && decodeStrictly(pairs, hinted, true);
  if (hinted && fromHint) return { fields: fromHint, charset: hinted.name, by: 'hint' };
  for (const charset of await detectedCharsets(pairs)) {
    const fields = decodeStrictly(pairs, charset, true);
    if (fields && !mostlyMixedScript([...fields.values()].join(' '))) return { fields, charset: charset.name, by: 'detector' };
  }
  for (const [index, label] of LAST_RESORTS.entries()) {
    const fields = decodeStrictly(pairs, lookupCharset(label)!, index < LAST_RESORTS.length - 1);
    if (fields) return { fields, charset: label, by: 'last-resort' };
  }
  throw new ValidationError('invalid-charset', 'The body is not UTF-8 and its charset could not be recognized; declare it in the Content-Type.');
}

/** The detector's candidates for all values read as one text, most confident first. */
async function detectedCharsets(pairs: readonly Pair[]): Promise<Charset[]> {
  // Loaded on first use: the module and its model cost 0.5–1 s once (measured on a busy 2-core
  // machine) and some 60 MB, which only servers that receive such pings should pay; then ~4 ms a ping.
  const { detectAll } = await import('jschardet');
  const text = Buffer.concat(pairs.flatMap((pair) => [pair.value, Buffer.from('\n')]));
  const candidates = detectAll(text, { detectEncodings: [...DETECTABLE_CHARSETS], minimumThreshold: 0 });
  const charsets: Charset[] = [];
  for (const { encoding } of candidates) {
    const label = encoding?.toLowerCase();
    const charset = label === undefined ? undefined : lookupCharset(DECODE_AS[label] ?? label);
    if (charset && !charsets.some((c) => c.name === charset.name)) charsets.push(charset);
  }
  return charsets;
}
