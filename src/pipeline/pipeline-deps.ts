import type { ModerationMode } from '../config.js';
import type { LinkbackKind } from '../domain/comment.js';
import type { Clock } from '../lib/clock.js';
import type { NotifyQueue } from '../notify/notifier.js';
import type { SpamChecker } from '../spam/spam-checker.js';
import type { SubmissionLimiter } from '../spam/submission-limiter.js';
import type { Store } from '../store/repository.js';
import type { TitleLearner } from './post-title.js';
import type { SourceVerifier } from './verify-source.js';

export interface PipelineSettings {
  sites: readonly string[];
  moderation: ModerationMode;
  keepIp: boolean;
  verifyTrackbacks: boolean;
  allowSelfPings: boolean;
  /** Site-wide switches; a closed protocol is closed for existing posts too. */
  linkbacksOpen: Readonly<Record<LinkbackKind, boolean>>;
  /** How long an author may edit or delete their own comment. */
  editWindowMinutes: number;
  /** BACKTALK_OWNER_NAME: the author name of the owner's own comments (issue 17.3). */
  ownerName: string;
}

export interface PipelineDeps {
  settings: PipelineSettings;
  store: Store;
  /** Submissions per client address, applied at the door. */
  limiter: SubmissionLimiter;
  /** New linkbacks per thread, so one post cannot be flooded from many addresses. */
  threadLimiter: SubmissionLimiter;
  verifier: SourceVerifier;
  spamCheckers: readonly SpamChecker[];
  notifier: NotifyQueue;
  clock: Clock;
  /** Learns the post's title after the first stored item; absent: threads keep the titles they have. */
  titles?: TitleLearner;
}
