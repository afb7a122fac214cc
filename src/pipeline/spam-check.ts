import type { SpamChecker, SpamCheckInput, SpamVerdict } from '../spam/spam-checker.js';

export interface SpamOutcome {
  verdict: SpamVerdict['kind'];
  reasons: string[];
  /** Akismet's "blatant spam" pro-tip: kept as spam for the record, never shown, purged first. */
  discard: boolean;
}

/**
 * Runs the checkers in order and combines them: spam beats hold/unknown beats ham. Once a checker
 * says spam, the rest (Akismet's network call among them) are skipped.
 */
export async function checkSpam(input: SpamCheckInput, checkers: readonly SpamChecker[]): Promise<SpamOutcome> {
  const reasons: string[] = [];
  let verdict: SpamVerdict['kind'] = 'ham';
  for (const checker of checkers) {
    const v = await checker.check(input);
    switch (v.kind) {
      case 'ham':
        break;
      case 'spam':
        // Recorded in the reasons too, so the admin view and the purge can tell blatant spam apart.
        reasons.push(v.discard ? `${v.reason}:discard` : v.reason);
        return { verdict: 'spam', reasons, discard: v.discard === true };
      case 'hold':
      case 'unknown':
        reasons.push(v.reason);
        verdict = 'hold';
        break;
    }
  }
  return { verdict, reasons, discard: false };
}
