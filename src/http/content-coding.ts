/**
 * Content negotiation of the response's content coding (RFC 9110 §12.5.3, Accept-Encoding) for the
 * public reads that are served compressed: `br` or `gzip` when the client accepts them, else identity.
 */

export type ContentCoding = 'br' | 'gzip' | 'identity';

/** Compressed codings in order of preference on equal q: br is smaller at the same speed. */
const COMPRESSED: readonly Exclude<ContentCoding, 'identity'>[] = ['br', 'gzip'];

const memo = new Map<string, ContentCoding>();
const MEMO_ENTRIES = 200;

/**
 * The coding to answer with: the accepted compressed coding with the highest q-value (br on a tie),
 * unless the client ranks identity explicitly higher. No header, or nothing acceptable, is identity:
 * RFC 9110 lets a server send identity when none of the listed codings suits, and a missing header
 * is better answered uncompressed than with a guess (some old clients never send one).
 */
export function negotiateCoding(header: string | undefined): ContentCoding {
  if (header === undefined || header === '') return 'identity';
  // Browsers send the same few header values all day: parse each once.
  let coding = memo.get(header);
  if (coding === undefined) {
    coding = pick(header);
    if (memo.size >= MEMO_ENTRIES) memo.delete(memo.keys().next().value!);
    memo.set(header, coding);
  }
  return coding;
}

function pick(header: string): ContentCoding {
  const q = new Map<string, number>();
  for (const item of header.split(',')) {
    const [name = '', ...params] = item.split(';');
    const coding = name.trim().toLowerCase();
    if (coding === '') continue;
    let weight = 1;
    for (const param of params) {
      const [key = '', value = ''] = param.split('=');
      if (key.trim().toLowerCase() === 'q') weight = qValue(value.trim());
    }
    // "x-gzip" is an alias of gzip (RFC 9110 §8.4.1.3).
    q.set(coding === 'x-gzip' ? 'gzip' : coding, weight);
  }
  const star = q.get('*');
  const weightOf = (coding: string): number => q.get(coding) ?? star ?? 0;
  let best: ContentCoding = 'identity';
  let bestQ = 0;
  for (const coding of COMPRESSED) {
    const w = weightOf(coding);
    if (w > bestQ) {
      best = coding;
      bestQ = w;
    }
  }
  // Identity competes only when the client named it: unnamed, it is merely "not refused".
  const identity = q.get('identity');
  if (identity !== undefined && identity > bestQ) return 'identity';
  return best;
}

/** RFC 9110 §12.4.2: 0 to 1 with at most three decimals; anything else counts as not acceptable. */
function qValue(raw: string): number {
  if (!/^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(raw)) return 0;
  return Number(raw);
}
