/**
 * The verify-source step, and the one place its outcome is mapped to what the pipeline does next:
 * evidence to store (or update) a linkback with, a retraction that removes an earlier Webmention
 * (§3.2.4), or a refusal.
 */
import type { LinkbackSubmission, SiteTarget, VerifiedSource } from '../domain/comment.js';
import { LinkbackSourceError } from '../domain/errors.js';
import type { SourceVerifier } from './verify-source.js';

export type Evidence =
  | { kind: 'verified'; source: VerifiedSource }
  /** A TrackBack with verification turned off: nothing was fetched, so it is held for a moderator. */
  | { kind: 'unverified' }
  /**
   * 410 Gone, or a page without the link: an earlier mention from this source is removed, and that
   * is a success; with nothing to remove it is the refusal in `error`.
   */
  | { kind: 'retracted'; why: string; error: LinkbackSourceError };

const UNREACHABLE = 'The source URL could not be fetched, so the link cannot be verified.';
const NO_LINK = 'The source URL does not contain a link to the target URL.';

export interface VerificationDeps {
  verifier: SourceVerifier;
  /** BACKTALK_VERIFY_TRACKBACKS: TrackBack 1.2 itself asks for no verification. */
  verifyTrackbacks: boolean;
}

/** @throws LinkbackSourceError when the source could not be checked (`retry` says whether later may help). */
export async function verifyLinkback(input: LinkbackSubmission, target: SiteTarget, deps: VerificationDeps): Promise<Evidence> {
  if (input.kind === 'trackback' && !deps.verifyTrackbacks) return { kind: 'unverified' };
  const outcome = await deps.verifier.verify(input.kind, input.source, target);
  switch (outcome.kind) {
    case 'verified':
      return { kind: 'verified', source: outcome.source };
    case 'gone': {
      const why = 'the source is gone (410)';
      return { kind: 'retracted', why, error: new LinkbackSourceError('source-unreachable', UNREACHABLE, why) };
    }
    case 'no-link': {
      const why = 'the source does not link to the target';
      return { kind: 'retracted', why, error: new LinkbackSourceError('source-missing-link', NO_LINK, why) };
    }
    case 'unreachable':
      throw new LinkbackSourceError('source-unreachable', UNREACHABLE, outcome.reason, outcome.temporary ? 'backoff' : null);
    case 'busy':
      throw new LinkbackSourceError('upstream-error', 'Too many verifications in flight; please try again later.', outcome.reason, 'busy');
  }
}

/** What an unverified item must wait for, whatever the spam checks say. */
export function holdsFor(evidence: Evidence): string[] {
  return evidence.kind === 'unverified' ? ['unverified-trackback'] : [];
}

export function verifiedSource(evidence: Evidence): VerifiedSource | undefined {
  return evidence.kind === 'verified' ? evidence.source : undefined;
}
