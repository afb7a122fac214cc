import type { SpamChecker, SpamCheckInput, SpamVerdict } from './spam-checker.js';
import { countLinks } from '../domain/body-html.js';

export interface RuleOptions {
  /**
   * Lower-cased words or phrases; a match anywhere in the author, e-mail, URL or body files the item as
   * spam. Asked on every check, so the owner's edits apply to the next submission without a restart.
   */
  blockedWords: () => Promise<readonly string[]>;
  /** More links than this in a comment body holds it for moderation. */
  maxLinks: number;
}

/**
 * Local rules that need no network: the honeypot, blocked words, and too many links. Ordered from the
 * most certain to the least so the recorded reason is the strongest one.
 */
export function createRuleChecker(options: RuleOptions): SpamChecker {
  return {
    name: 'rules',
    async check(input: SpamCheckInput): Promise<SpamVerdict> {
      // Humans never see the `website2` field (it is hidden with CSS and aria-hidden); bots fill it.
      if (input.honeypot.trim() !== '') return { kind: 'spam', reason: 'honeypot' };
      const words = await options.blockedWords();
      if (words.length > 0) {
        const haystack = [input.author, input.email, input.url, input.source ?? '', input.bodyRaw].join('\n').toLowerCase();
        const word = words.find((w) => w !== '' && haystack.includes(w));
        if (word !== undefined) return { kind: 'spam', reason: `blocked-word:${word}` };
      }
      if (input.kind === 'comment' && countLinks(input.bodyHtml) > options.maxLinks) {
        return { kind: 'hold', reason: 'too-many-links' };
      }
      return { kind: 'ham' };
    },
  };
}
