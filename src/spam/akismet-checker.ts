/**
 * Akismet adapter over `akismet-api@6.0.0` as patched in `patches/akismet-api+6.0.0.patch` (base URL
 * with the key as the `api_key` form field, a request timeout, and the `X-akismet-pro-tip` header).
 * Akismet being down must never lose a comment or answer 5xx: every failure becomes `unknown`, which
 * holds the item for moderation.
 */
import { AkismetClient, type Comment as AkismetComment } from 'akismet-api';

import type { CommentKind } from '../domain/comment.js';
import type { SpamCheckInput, SpamChecker, SpamFeedback, SpamVerdict } from './spam-checker.js';

export interface AkismetOptions {
  key: string;
  /** Base URL of an Akismet-compatible API (contract: BACKTALK_AKISMET_URL). */
  baseUrl?: string;
  /** The site's URL, sent as `blog`. */
  blog: string;
  /** Upper bound for each call, connect to last byte. */
  timeoutMs?: number;
  /** Sent as `blog_lang`, e.g. `en` or `en, fr_ca`. */
  lang?: string;
  logger?: { warn(obj: object, msg: string): void };
}

export type AkismetKeyStatus = 'valid' | 'invalid' | 'unavailable';

export type AkismetService = SpamChecker &
  SpamFeedback & {
    /** Asks `/1.1/verify-key` about the configured key; never throws. */
    verifyKey(): Promise<AkismetKeyStatus>;
  };

export const DEFAULT_AKISMET_URL = 'https://rest.akismet.com';
const DEFAULT_TIMEOUT_MS = 5000;

// AK-SPEC CommentType lists `trackback` and `pingback`; `webmention` is a custom type, which the spec allows.
const COMMENT_TYPES: Record<CommentKind, string> = {
  comment: 'comment',
  trackback: 'trackback',
  pingback: 'pingback',
  webmention: 'webmention',
};

/** Builds the Akismet spam checker and the moderator feedback reporter for one site. */
export function createAkismet(options: AkismetOptions): AkismetService {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const client = new AkismetClient({
    key: options.key,
    blog: options.blog,
    baseUrl: options.baseUrl ?? DEFAULT_AKISMET_URL,
    timeout: timeoutMs,
    charset: 'UTF-8',
    ...(options.lang ? { lang: options.lang } : {}),
  });
  const warn = (obj: object, msg: string): void => options.logger?.warn(obj, msg);

  async function report(call: 'submitSpam' | 'submitHam', input: SpamCheckInput): Promise<void> {
    try {
      await client[call](toAkismetComment(input));
    } catch (err) {
      warn({ err: describeFailure(err, timeoutMs), target: input.target }, `akismet ${call} failed`);
    }
  }

  return {
    name: 'akismet',

    async check(input: SpamCheckInput): Promise<SpamVerdict> {
      try {
        const { spam, discard } = await client.checkSpamDetailed(toAkismetComment(input));
        return spam ? { kind: 'spam', reason: 'akismet', discard } : { kind: 'ham' };
      } catch (err) {
        const cause = describeFailure(err, timeoutMs);
        warn({ err: cause, target: input.target }, 'akismet comment-check failed; holding for moderation');
        return { kind: 'unknown', reason: `akismet-unavailable: ${cause}` };
      }
    },

    reportSpam: (input) => report('submitSpam', input),
    reportHam: (input) => report('submitHam', input),

    async verifyKey(): Promise<AkismetKeyStatus> {
      try {
        return (await client.verifyKey()) ? 'valid' : 'invalid';
      } catch (err) {
        warn({ err: describeFailure(err, timeoutMs) }, 'akismet verify-key failed');
        return 'unavailable';
      }
    },
  };
}

/** Every field Akismet's comment-check uses; `blog`, `blog_lang`, `blog_charset` come from the client. */
function toAkismetComment(input: SpamCheckInput): AkismetComment {
  const isLinkback = input.kind !== 'comment';
  return {
    user_ip: input.client.ip,
    user_agent: input.client.userAgent,
    referrer: input.client.referrer,
    permalink: input.target,
    comment_type: COMMENT_TYPES[input.kind],
    comment_author: input.author,
    comment_author_email: input.email,
    // A linkback's "author URL" is the page that links to us (protocols.md §6.2).
    comment_author_url: isLinkback && input.source ? input.source : input.url,
    comment_content: input.bodyRaw,
    // akismet-api sends this as honeypot_field_name plus the field itself; empty means a human.
    ...(input.honeypot ? { honeypot: input.honeypot } : {}),
  };
}

/** One short line for the verdict reason and the log: timeout, HTTP status, or the error message. */
function describeFailure(err: unknown, timeoutMs: number): string {
  const e = err as { timeout?: unknown; status?: unknown; message?: unknown } | null;
  if (e && typeof e.timeout === 'number') return `timeout after ${timeoutMs} ms`;
  if (e && typeof e.status === 'number') return `HTTP ${e.status}`;
  if (e && typeof e.message === 'string' && e.message !== '') return e.message;
  return String(err);
}
