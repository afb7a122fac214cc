/**
 * A post URL that comments and linkbacks may be attached to: an absolute http(s) URL on one of the
 * configured sites (BACKTALK_SITES), normalized so that one post has one thread. Every door resolves
 * the target it was given with this before anything else uses it.
 */
import { ForbiddenError, ValidationError } from './errors.js';
import { isOnSites, MAX_TARGET_LENGTH, normalizeUrl, parseHttpUrl } from '../lib/url.js';
import type { SiteTarget } from './comment.js';

export type { SiteTarget };

/**
 * `raw` as a SiteTarget, or a ValidationError (missing, not http(s), too long) / ForbiddenError
 * (another site) about `field`. The length is checked as sent and as stored, since a Unicode path
 * grows when escaped.
 */
export function resolveTarget(raw: unknown, sites: readonly string[], field = 'target'): SiteTarget {
  if (typeof raw !== 'string' || raw.trim() === '') throw new ValidationError('missing-field', 'A target URL is required.', field);
  if (raw.trim().length > MAX_TARGET_LENGTH) throw targetTooLong(field);
  const url = parseHttpUrl(raw);
  if (!url) throw new ValidationError('invalid-target', 'The target must be an absolute http(s) URL.', field);
  if (!isOnSites(url, sites)) throw new ForbiddenError('target-not-allowed', `${url.origin} is not one of the sites served here.`, field);
  const target = normalizeUrl(url);
  if (target.length > MAX_TARGET_LENGTH) throw targetTooLong(field);
  return target as SiteTarget;
}

function targetTooLong(field: string): ValidationError {
  return new ValidationError('target-too-long', `The target URL is longer than ${MAX_TARGET_LENGTH.toLocaleString('en')} characters.`, field);
}
