/**
 * A post URL that comments and linkbacks may be attached to: an absolute http(s) URL on one of the
 * configured sites (BACKTALK_SITES), normalized so that one post has one thread. Every door resolves
 * the target it was given with this before anything else uses it.
 */
import { ForbiddenError, ValidationError } from './errors.js';
import { isOnSites, normalizeUrl, parseHttpUrl } from '../lib/url.js';

import type { SiteTarget } from './comment.js';

export type { SiteTarget };

/** `raw` as a SiteTarget, or a ValidationError (missing, not http(s)) / ForbiddenError (another site) about `field`. */
export function resolveTarget(raw: unknown, sites: readonly string[], field = 'target'): SiteTarget {
  if (typeof raw !== 'string' || raw.trim() === '') throw new ValidationError('missing-field', 'A target URL is required.', field);
  const url = parseHttpUrl(raw);
  if (!url) throw new ValidationError('invalid-target', 'The target must be an absolute http(s) URL.', field);
  if (!isOnSites(url, sites)) throw new ForbiddenError('target-not-allowed', `${url.origin} is not one of the sites served here.`, field);
  return normalizeUrl(url) as SiteTarget;
}
