import { createHash } from 'node:crypto';
import type { Comment } from '../domain/comment.js';

export const GRAVATAR_BASE = 'https://www.gravatar.com/avatar/';

/**
 * Gravatar for authors who gave an e-mail address, when the owner turned it on (BACKTALK_GRAVATAR):
 * it tells Gravatar who reads which post and publishes an unsalted hash of the address, so it is
 * off by default and the built-in identicons are used instead. Authors without an address keep them.
 */
export function withGravatar(identicon: (c: Comment) => string): (c: Comment) => string {
  return (c) => {
    const email = c.email.trim().toLowerCase();
    if (email === '' || c.kind !== 'comment') return identicon(c);
    return `${GRAVATAR_BASE}${createHash('md5').update(email).digest('hex')}?s=80&d=identicon`;
  };
}
