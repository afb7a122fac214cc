/** A linkback's source URL, checked before anything is fetched. */
import type { LinkbackSubmission } from '../domain/comment.js';
import { ForbiddenError, ValidationError } from '../domain/errors.js';
import { isOnSites, linkKey, parseHttpUrl } from '../lib/url.js';

export interface SourceRules {
  sites: readonly string[];
  /** BACKTALK_ALLOW_SELF_PINGS: links between the site's own posts. */
  allowSelfPings: boolean;
}

/** The source's key (its normalized URL: one linkback per source and thread), or a refusal. */
export function checkLinkbackSource(input: LinkbackSubmission, rules: SourceRules): string {
  const sourceKey = linkKey(input.source);
  const sourceUrl = parseHttpUrl(input.source);
  if (!sourceKey || !sourceUrl) throw new ValidationError('invalid-url', `Invalid URL '${input.source}'`, 'url');
  if (sourceKey === input.target) throw new ValidationError('same-source-and-target', 'The source and the target are the same page.', 'source');
  if (!rules.allowSelfPings && isOnSites(sourceUrl, rules.sites)) {
    throw new ForbiddenError('forbidden', 'Linkbacks from this site to itself are not accepted.', 'source');
  }
  return sourceKey;
}
