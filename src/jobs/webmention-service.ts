/**
 * Webmention: synchronous request checks and a durable queue (POST answers 201 + status URL), then
 * verification in the background (Webmention §3.2.2), with updates and deletes (§3.2.4).
 */
import type { LinkbackSubmission, WebmentionJob } from '../domain/comment.js';
import { AppError, ValidationError } from '../domain/errors.js';
import type { Clock } from '../lib/clock.js';
import { clientLimitKey } from '../lib/ip.js';
import { newToken } from '../lib/tokens.js';
import { linkKey } from '../lib/url.js';
import { normalizeLinkback, resolveTarget } from '../pipeline/normalize.js';
import type { Pipeline } from '../pipeline/receive.js';
import { renderPlainText } from '../pipeline/sanitize.js';
import type { SourceVerifier } from '../pipeline/verify-source.js';
import type { SubmissionLimiter } from '../spam/submission-limiter.js';
import type { Store } from '../store/repository.js';

export interface WebmentionServiceDeps {
  store: Store;
  pipeline: Pipeline;
  verifier: SourceVerifier;
  limiter: SubmissionLimiter;
  clock: Clock;
  sites: readonly string[];
  enabled: boolean;
  /** Called after a job is queued, so the worker starts at once instead of at its next poll. */
  onQueued?: () => void;
}

/** Tries per job before a temporarily unreachable source is given up; back-off doubles from 30 s. */
export const MAX_ATTEMPTS = 5;
const FIRST_RETRY_MS = 30_000;
const BUSY_RETRY_MS = 5_000;

export type JobResult =
  | { kind: 'done'; status: 'accepted' | 'rejected'; reason: string; commentId: number | null }
  | { kind: 'retry'; reason: string; busy?: boolean };

export function createWebmentionService(deps: WebmentionServiceDeps) {
  const { store, clock } = deps;

  /** Synchronous part (§3.2.1): checks, rate limit, then a durable job. Refusals are 400s, and logged. */
  async function submit(input: LinkbackSubmission): Promise<WebmentionJob> {
    try {
      return await enqueue(input);
    } catch (err) {
      if (err instanceof AppError && err.code !== 'rate-limited') {
        await store.linkbackLog.record({
          kind: 'webmention', source: input.source, target: input.target, outcome: 'refused',
          reason: `${err.code}: ${err.message}`, ip: input.client.ip, commentId: null, created: clock.now(),
        });
      }
      throw err;
    }
  }

  async function enqueue(input: LinkbackSubmission): Promise<WebmentionJob> {
    if (!deps.enabled) throw new AppError('closed', 400, 'Webmentions are not accepted here.');
    let target: string;
    try {
      target = resolveTarget(input.target, deps.sites);
    } catch (err) {
      // Webmention wants 400 for "target does not accept webmentions", whatever the reason.
      if (err instanceof AppError) throw new ValidationError(err.code, err.message, 'target');
      throw err;
    }
    if (new URL(target).pathname === '/' && !new URL(target).search) {
      throw new ValidationError('invalid-target', 'Webmentions to the home page are not accepted.', 'target');
    }
    await deps.limiter.consume(clientLimitKey(input.client.ip));
    const job = await store.webmentions.enqueue({
      token: newToken().slice(0, 22), source: input.source, target, clientIp: input.client.ip, userAgent: input.client.userAgent, now: clock.now(),
    });
    deps.onQueued?.();
    return job;
  }

  /** One verification attempt. Never throws for expected outcomes; those are values. */
  async function process(job: WebmentionJob): Promise<JobResult> {
    const input: LinkbackSubmission = {
      kind: 'webmention', source: job.source, target: job.target, client: { ip: job.clientIp, userAgent: job.userAgent, referrer: '' },
    };
    const thread = await store.threads.ensure(job.target, clock.now());
    const existing = await store.comments.findLinkback(thread.id, linkKey(job.source) ?? job.source);
    const outcome = await deps.verifier.verify('webmention', job.source, job.target);
    const log = (outcome: 'updated' | 'deleted' | 'refused', reason: string, commentId: number | null) =>
      store.linkbackLog.record({ kind: 'webmention', source: job.source, target: job.target, outcome, reason, ip: job.clientIp, commentId, created: clock.now() });

    switch (outcome.kind) {
      case 'verified': {
        if (existing) {
          const f = normalizeLinkback(input, outcome.source);
          await store.comments.updateLinkback(existing.id, {
            author: f.author, url: f.url, title: f.title, bodyRaw: f.excerpt, bodyHtml: renderPlainText(f.excerpt),
            mentionType: f.mentionType, authorPhoto: f.authorPhoto, edited: clock.now(),
          });
          await log('updated', 'source re-verified', existing.id);
          return { kind: 'done', status: 'accepted', reason: 'updated', commentId: existing.id };
        }
        try {
          const result = await deps.pipeline.receive(input, { admitted: true, verified: outcome.source });
          const comment = result.kind === 'stored' ? result.comment : result.existing;
          return { kind: 'done', status: 'accepted', reason: comment.status === 'approved' ? 'published' : 'held for moderation', commentId: comment.id };
        } catch (err) {
          if (err instanceof AppError) return { kind: 'done', status: 'rejected', reason: err.message, commentId: null };
          throw err;
        }
      }
      case 'gone':
      case 'no-link': {
        const why = outcome.kind === 'gone' ? 'the source is gone (410)' : 'the source does not link to the target';
        if (existing) {
          // §3.2.4: a 410 or a 200 without the link deletes the earlier mention; that is success, not an error.
          await store.comments.remove(existing.id);
          await log('deleted', why, existing.id);
          return { kind: 'done', status: 'accepted', reason: `mention deleted: ${why}`, commentId: null };
        }
        await log('refused', why, null);
        return { kind: 'done', status: 'rejected', reason: why, commentId: null };
      }
      case 'busy':
        return { kind: 'retry', reason: outcome.reason, busy: true };
      case 'unreachable':
        if (outcome.temporary) return { kind: 'retry', reason: outcome.reason };
        await log('refused', outcome.reason, null);
        return { kind: 'done', status: 'rejected', reason: outcome.reason, commentId: null };
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
      await store.linkbackLog.record({ kind: 'webmention', source: job.source, target: job.target, outcome: 'refused', reason: result.reason, ip: job.clientIp, commentId: null, created: now });
    } else {
      const delay = FIRST_RETRY_MS * 2 ** (job.attempts - 1);
      await store.webmentions.retryLater(job.id, { reason: `retrying: ${result.reason}`, nextAttemptAt: new Date(now.getTime() + delay), now });
    }
  }

  return { submit, process, run };
}

export type WebmentionService = ReturnType<typeof createWebmentionService>;
