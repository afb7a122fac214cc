/**
 * Webmention: the door admits the request and a durable job is queued (POST answers 201 + status
 * URL, §3.2.1); the job hands the mention to the pipeline, which verifies it (§3.2.2) and stores,
 * updates or removes it (§3.2.4). The job only turns the pipeline's answer into the job's status
 * and schedules retries.
 */
import type { Arriving, LinkbackSubmission, WebmentionJob } from '../domain/comment.js';
import { AppError, LinkbackSourceError, msg, RateLimitedError, ValidationError } from '../domain/errors.js';
import type { Clock } from '../lib/clock.js';
import { newToken } from '../lib/tokens.js';
import { resolveTarget } from '../domain/target.js';
import type { Pipeline, ReceiveResult } from '../pipeline/receive.js';
import type { Store, WebmentionQueueCaps } from '../store/repository.js';

export interface WebmentionServiceDeps {
  store: Store;
  pipeline: Pipeline;
  clock: Clock;
  sites: readonly string[];
  /** Jobs that may wait per client and per source host (BACKTALK_WEBMENTION_QUEUE_PER_*). */
  caps: WebmentionQueueCaps;
  /** Called after a job is queued, so the worker starts at once instead of at its next poll. */
  onQueued?: () => void;
}

/** Tries per job before a temporarily unreachable source is given up; back-off doubles from 30 s. */
export const MAX_ATTEMPTS = 5;
const FIRST_RETRY_MS = 30_000;
const BUSY_RETRY_MS = 5_000;
/**
 * What a sender over a queue cap is told to wait: about the time the worker needs for a cap's worth
 * of jobs of one host (2 at a time, each bounded by the 10 s fetch deadline) to move on.
 */
const QUEUE_FULL_RETRY_S = 60;

export type JobResult =
  | { kind: 'done'; status: 'accepted' | 'rejected'; reason: string; commentId: number | null }
  | { kind: 'retry'; reason: string; busy?: boolean };

/** The Webmention door's queue side: admit and queue a mention, then let `receive` judge it. */
export interface WebmentionService {
  submit(arriving: Arriving<LinkbackSubmission>): Promise<WebmentionJob>;
  process(job: WebmentionJob): Promise<JobResult>;
  run(job: WebmentionJob): Promise<void>;
}

export function createWebmentionService(deps: WebmentionServiceDeps): WebmentionService {
  const { store, clock } = deps;

  /** Synchronous part (§3.2.1): the door's checks, then a durable job. */
  async function submit(arriving: Arriving<LinkbackSubmission>): Promise<WebmentionJob> {
    const input = await deps.pipeline.admit(arriving).catch((err: unknown) => {
      throw asBadRequest(err);
    });
    const queued = await store.webmentions.enqueueWithin({
      token: newToken().slice(0, 22), source: input.source, target: input.target, clientIp: input.client.ip, userAgent: input.client.userAgent, now: clock.now(),
    }, deps.caps);
    if (queued.kind === 'full') {
      throw new RateLimitedError(QUEUE_FULL_RETRY_S, msg(queued.scope === 'client' ? 'webmention-queue-client' : 'webmention-queue-host', { seconds: QUEUE_FULL_RETRY_S }));
    }
    deps.onQueued?.();
    return queued.job;
  }

  /** One attempt. Never throws for expected outcomes; those are values. */
  async function process(job: WebmentionJob): Promise<JobResult> {
    try {
      // The target was checked when the job was queued; checked again, since the sites may have changed since.
      const target = resolveTarget(job.target, deps.sites);
      const client = { ip: job.clientIp, userAgent: job.userAgent, referrer: '' };
      return done(await deps.pipeline.receive({ kind: 'webmention', source: job.source, target, client }));
    } catch (err) {
      if (err instanceof LinkbackSourceError && err.retry) return { kind: 'retry', reason: err.detail, busy: err.retry === 'busy' };
      if (err instanceof AppError) return { kind: 'done', status: 'rejected', reason: err instanceof LinkbackSourceError ? err.detail : err.message, commentId: null };
      throw err;
    }
  }

  /** Runs one leased job and records its result; a temporary failure is retried with back-off. */
  async function run(job: WebmentionJob): Promise<void> {
    const result = await process(job);
    const now = clock.now();
    if (result.kind === 'done') {
      await store.webmentions.finish(job.id, { status: result.status, reason: result.reason, commentId: result.commentId, now });
    } else if (result.busy) {
      // Our own outbound limits said wait: the source was never contacted, so the try is not counted.
      await store.webmentions.retryLater(job.id, { reason: `queued: ${result.reason}`, nextAttemptAt: new Date(now.getTime() + BUSY_RETRY_MS), now, refund: true });
    } else if (job.attempts >= MAX_ATTEMPTS) {
      await store.webmentions.finish(job.id, { status: 'rejected', reason: `gave up after ${job.attempts} attempts: ${result.reason}`, commentId: null, now });
    } else {
      const delay = FIRST_RETRY_MS * 2 ** (job.attempts - 1);
      await store.webmentions.retryLater(job.id, { reason: `retrying: ${result.reason}`, nextAttemptAt: new Date(now.getTime() + delay), now });
    }
  }

  return { submit, process, run };
}

function done(result: ReceiveResult): JobResult {
  switch (result.kind) {
    case 'stored':
    case 'duplicate': {
      const comment = result.kind === 'stored' ? result.comment : result.existing;
      return { kind: 'done', status: 'accepted', reason: comment.status === 'approved' ? 'published' : 'held for moderation', commentId: comment.id };
    }
    case 'updated':
      return { kind: 'done', status: 'accepted', reason: result.comment.status === 'approved' ? 'updated' : 'updated; held for moderation', commentId: result.comment.id };
    case 'removed':
      // §3.2.4: a 410 or a 200 without the link deletes the earlier mention; that is success, not an error.
      return { kind: 'done', status: 'accepted', reason: result.reason, commentId: null };
  }
}

/** Webmention answers 400 for a target it does not accept (§3.2.1), whatever the reason; 429 and 503 stay. */
function asBadRequest(err: unknown): unknown {
  if (!(err instanceof AppError) || err.status !== 403) return err;
  return new ValidationError(err.code, { key: err.messageKey, params: err.params }, err.field ?? 'target');
}

