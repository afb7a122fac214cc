/**
 * The pipeline step for TrackBack text sent in an unnamed legacy charset: once the source page has
 * been fetched, its declared charset is the best hint (issue 16 point 1), so decoding waits for it.
 */
import type { LinkbackSubmission } from '../domain/comment.js';
import { decodeUndeclared } from '../protocols/undeclared-charset.js';

/**
 * The submission with its undecoded claimed fields decoded, `charsetHint` (the verified source
 * page's charset) tried first; unchanged when there is nothing to decode.
 * @throws ValidationError('invalid-charset') when no charset fits the bytes.
 */
export async function decodeClaimedText(input: LinkbackSubmission, charsetHint: string | undefined): Promise<LinkbackSubmission> {
  if (!input.undecoded) return input;
  const { undecoded, ...decoded } = input;
  const { fields } = await decodeUndeclared(new Map(Object.entries(undecoded)), charsetHint);
  for (const [key, text] of fields) decoded[key as keyof typeof undecoded] = text;
  return decoded;
}
