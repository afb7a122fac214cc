/**
 * A post URL that comments and linkbacks may be attached to: an absolute http(s) URL on one of the
 * configured sites (BACKTALK_SITES), normalized so that one post has one thread. Every door resolves
 * the target it was given with this before anything else uses it.
 */
import { ForbiddenError, msg, ValidationError } from './errors.js';
import { isOnSites, MAX_TARGET_LENGTH, normalizeUrl, parseHttpUrl } from '../lib/url.js';
import type { SiteTarget } from './comment.js';

export type { SiteTarget };

/**
 * `raw` as a SiteTarget, or a ValidationError (missing, not http(s), too long) / ForbiddenError
 * (another site) about `field`. The length is checked as sent and as stored, since a Unicode path
 * grows when escaped.
 */
export function resolveTarget(raw: unknown, sites: readonly string[], field = 'target'): SiteTarget {
  if (typeof raw !== 'string' || raw.trim() === '') throw new ValidationError('missing-field', 'target-required', field);
  if (raw.trim().length > MAX_TARGET_LENGTH) throw targetTooLong(field);
  const url = parseHttpUrl(raw);
  if (!url) throw new ValidationError('invalid-target', 'target-invalid', field);
  if (!isOnSites(url, sites)) throw new ForbiddenError('target-not-allowed', msg('target-not-allowed', { origin: url.origin }), field);
  const target = normalizeUrl(url);
  if (target.length > MAX_TARGET_LENGTH) throw targetTooLong(field);
  return target as SiteTarget;
}

function targetTooLong(field: string): ValidationError {
  return new ValidationError('target-too-long', msg('target-too-long', { max: MAX_TARGET_LENGTH }), field);
}
