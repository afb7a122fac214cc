/**
 * Readers' votes (contract v1.1 "Votes"): who a reader is without an account, and what keeps one
 * person from voting a hundred times.
 *
 * A reader is recognised by a voter id: a random id the widget keeps in localStorage and sends with
 * each vote (`voter`), or, for the no-JavaScript form, a first-party cookie. A client that sends
 * neither is recognised by its address (an IPv4 address, an IPv6 /64), so repeating a plain API call
 * replaces the vote instead of adding one. Against ballot stuffing with fresh ids: every vote counts
 * against a per-client rate limit, and one network may hold at most `perNetwork` different voters
 * on one comment. Ids and networks are stored only as keyed hashes (HMAC with a secret kept in the
 * settings table), so the votes table names neither a reader's id nor their address.
 */
import { createHmac } from 'node:crypto';
import { AppError, ForbiddenError, NotFoundError, ValidationError } from '../domain/errors.js';
import type { Clock } from '../lib/clock.js';
import { clientLimitKey } from '../lib/ip.js';
import type { SubmissionLimiter } from '../spam/submission-limiter.js';
import type { VoteRepository, VoteValue } from '../store/repository.js';

export interface VoteInput {
  commentId: number;
  /** The request's `value`, unchecked. */
  value: unknown;
  /** The reader's voter id as sent (body or cookie), unchecked; undefined when none came. */
  voterId: string | undefined;
  ip: string;
}

export interface VoteResult {
  id: number;
  likes: number;
  dislikes: number;
  /** The comment's thread, for the form's way back. */
  target: string;
}

export interface Voting {
  readonly enabled: boolean;
  cast(input: VoteInput): Promise<VoteResult>;
}

export interface VotingDeps {
  enabled: boolean;
  votes: VoteRepository;
  secret: string;
  limiter: SubmissionLimiter;
  perNetwork: number;
  clock: Clock;
}

/** What a voter id looks like: the widget's 22-character base64url id, or the cookie's 43. */
const VOTER_ID = /^[A-Za-z0-9_-]{16,64}$/;

export function isVoterId(value: unknown): value is string {
  return typeof value === 'string' && VOTER_ID.test(value);
}

/** `value` as JSON (a number) or as a form field (a string): exactly 1, -1 or 0. */
export function parseVoteValue(value: unknown): VoteValue {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?[01]$/.test(value.trim()) ? Number(value) : NaN;
  if (n === 1 || n === -1 || n === 0) return n === 0 ? 0 : n;
  throw new ValidationError('invalid-body', 'vote-value-invalid', 'value');
}

export function createVoting(deps: VotingDeps): Voting {
  const mac = (purpose: string, data: string) => createHmac('sha256', deps.secret).update(`${purpose}\n${data}`).digest('base64url').slice(0, 32);
  return {
    enabled: deps.enabled,
    async cast(input) {
      if (!deps.enabled) throw new ForbiddenError('forbidden', 'votes-off');
      const value = parseVoteValue(input.value);
      const client = clientLimitKey(input.ip);
      await deps.limiter.consume(client);
      const voter = isVoterId(input.voterId) ? mac('voter', input.voterId) : mac('address', client);
      const outcome = await deps.votes.cast({
        commentId: input.commentId, voter, network: mac('network', client), value, perNetwork: deps.perNetwork, now: deps.clock.now(),
      });
      switch (outcome.kind) {
        case 'counted': return { id: input.commentId, likes: outcome.likes, dislikes: outcome.dislikes, target: outcome.target };
        case 'no-comment': throw new NotFoundError('no-such-comment');
        case 'network-full': throw new AppError('rate-limited', 429, 'vote-network-full');
      }
    },
  };
}
