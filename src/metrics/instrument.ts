/**
 * Metrics taken at existing seams instead of inside the pipeline: a spam checker is wrapped so each
 * verdict is counted, and the linkback log (where every door records every linkback outcome,
 * refusals included) is wrapped so each outcome is counted. The pipeline itself is unchanged.
 */
import type { SpamChecker } from '../spam/spam-checker.js';
import type { Store } from '../store/repository.js';
import type { Metrics } from './metrics.js';

export function countedSpamChecker(checker: SpamChecker, metrics: Metrics): SpamChecker {
  return {
    name: checker.name,
    async check(input) {
      const verdict = await checker.check(input);
      metrics.spamVerdict(checker.name, verdict.kind);
      return verdict;
    },
  };
}

/** The same store, whose linkback log also counts what it records. */
export function countedStore<S extends Store>(store: S, metrics: Metrics): S {
  const log = store.linkbackLog;
  return {
    ...store,
    linkbackLog: {
      list: (page) => log.list(page),
      record: (entry) => {
        metrics.linkback(entry.kind, entry.outcome);
        return log.record(entry);
      },
    },
  };
}
