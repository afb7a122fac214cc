/**
 * W3C Webmention request checks that need no I/O (§3.2.1): both URLs present, absolute http(s),
 * and not the same page. Pure; the target's site check happens at the pipeline's door.
 */
import type { Arriving, ClientInfo, LinkbackSubmission } from '../domain/comment.js';
import { ValidationError } from '../domain/errors.js';
import { linkKey, parseHttpUrl } from '../lib/url.js';

export function parseWebmention(fields: Record<string, unknown>, client: ClientInfo): Arriving<LinkbackSubmission> {
  const sourceRaw = fields.source;
  const targetRaw = fields.target;
  if (typeof sourceRaw !== 'string' || sourceRaw.trim() === '') throw new ValidationError('missing-field', 'The source parameter is missing.', 'source');
  if (typeof targetRaw !== 'string' || targetRaw.trim() === '') throw new ValidationError('missing-field', 'The target parameter is missing.', 'target');
  const source = parseHttpUrl(sourceRaw);
  if (!source) throw new ValidationError('invalid-url', 'The source must be an absolute http or https URL.', 'source');
  const target = parseHttpUrl(targetRaw);
  if (!target) throw new ValidationError('invalid-target', 'The target must be an absolute http or https URL.', 'target');
  // "The receiver MUST reject the request if the source URL is the same as the target URL" (§3.2.1).
  if (linkKey(source.href) === linkKey(target.href)) {
    throw new ValidationError('same-source-and-target', 'The source and the target are the same page.', 'source');
  }
  return { kind: 'webmention', source: source.href, target: target.href, client };
}

export interface WebmentionStatusJson {
  status: 'pending' | 'accepted' | 'rejected';
  reason: string | null;
  source: string;
  target: string;
  created: string;
  updated: string;
}
