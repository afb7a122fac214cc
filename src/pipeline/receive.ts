/**
 * The one pipeline every door goes through (comment form, TrackBack, Pingback, Webmention):
 * admit → resolve target → verify source (linkbacks) → normalize → sanitize → spam-check → store → notify.
 */
import type { Comment, CommentSubmission, LinkbackKind, LinkbackOutcome, LinkbackSubmission, NewComment, Submission, Thread, VerifiedSource } from '../domain/comment.js';
import { AppError, ConflictError, ForbiddenError, ValidationError } from '../domain/errors.js';
import type { Clock } from '../lib/clock.js';
import { clientLimitKey, reduceIp } from '../lib/ip.js';
import { newToken, sha256Hex } from '../lib/tokens.js';
import { isOnSites, linkKey, parseHttpUrl } from '../lib/url.js';
import type { NotifyQueue } from '../notify/notifier.js';
import type { Store } from '../store/repository.js';
import type { SpamChecker } from '../spam/spam-checker.js';
import type { SubmissionLimiter } from '../spam/submission-limiter.js';
import type { ModerationMode } from '../config.js';
import { normalizeComment, normalizeLinkback, resolveTarget } from './normalize.js';
import { renderPlainText } from './sanitize.js';
import { renderCommentBodyOffThread } from '../lib/offload.js';
import { checkSpam, initialStatus } from './spam-check.js';
import { decodeClaimedText } from './decode-claimed-text.js';
import type { SourceVerifier } from './verify-source.js';

export interface PipelineSettings {
  sites: readonly string[];
  moderation: ModerationMode;
  keepIp: boolean;
  verifyTrackbacks: boolean;
  allowSelfPings: boolean;
  /** Site-wide switches; a closed protocol is closed for existing posts too. */
  linkbacksOpen: Readonly<Record<LinkbackKind, boolean>>;
}

export interface PipelineDeps {
  settings: PipelineSettings;
  store: Store;
  limiter: SubmissionLimiter;
  /** Linkbacks per thread, so one post cannot be flooded from many addresses. */
  threadLimiter: SubmissionLimiter;
  verifier: SourceVerifier;
  spamCheckers: readonly SpamChecker[];
  notifier: NotifyQueue;
  clock: Clock;
}

export type ReceiveResult =
  /** `editToken` is handed to a comment's author once; only its hash is stored. */
  | { kind: 'stored'; comment: Comment; editToken: string | null }
  /** A linkback from this source to this post exists already (one row, whatever the protocol). */
  | { kind: 'duplicate'; existing: Comment };

export interface ReceiveOptions {
  /** Rate limit already applied where the request arrived (Webmention: at POST time, not in the job). */
  admitted?: boolean;
  /** Source already fetched and checked (the Webmention job verifies before deciding what to do). */
  verified?: VerifiedSource;
}

export interface Pipeline {
  receive(input: Submission, options?: ReceiveOptions): Promise<ReceiveResult>;
}

export function createPipeline(deps: PipelineDeps): Pipeline {
  const { settings, store } = deps;
  /** Linkback verifications under way, by thread and normalized source. */
  const inFlightLinkbacks = new Map<string, Promise<ReceiveResult>>();

  async function receive(input: Submission, options: ReceiveOptions = {}): Promise<ReceiveResult> {
    if (!options.admitted) await deps.limiter.consume(clientLimitKey(input.client.ip));
    if (input.kind === 'comment') {
      const thread = await store.threads.ensure(resolveTarget(input.target, settings.sites), deps.clock.now());
      return receiveComment(input, thread);
    }
    return logAttempt(input, async () => {
      const thread = await store.threads.ensure(resolveTarget(input.target, settings.sites), deps.clock.now());
      return receiveLinkback(input, thread, options.verified);
    });
  }

  /** Every linkback attempt lands in the owner's log with its outcome, refusals included. */
  async function logAttempt(input: LinkbackSubmission, run: () => Promise<ReceiveResult>): Promise<ReceiveResult> {
    const entry = (outcome: LinkbackOutcome, reason: string, comment?: Comment) =>
      store.linkbackLog.record({
        kind: input.kind, source: input.source, target: comment?.target ?? input.target, outcome, reason,
        ip: input.client.ip, commentId: comment?.id ?? null, created: deps.clock.now(),
      });
    try {
      const result = await run();
      if (result.kind === 'duplicate') await entry('duplicate', 'already registered', result.existing);
      else await entry(OUTCOME[result.comment.status], result.comment.reasons.join(', '), result.comment);
      return result;
    } catch (err) {
      if (err instanceof AppError) await entry('refused', `${err.code}: ${err.message}`);
      throw err;
    }
  }

  async function receiveComment(input: CommentSubmission, thread: Thread): Promise<ReceiveResult> {
    if (thread.commentsClosed) throw new ForbiddenError('closed', 'Comments are closed for this item.');
    const fields = normalizeComment(input);
    if (fields.parent !== null) {
      const parent = await store.comments.findById(fields.parent);
      if (!parent || parent.threadId !== thread.id || parent.status !== 'approved') {
        throw new ValidationError('invalid-parent', 'The comment you are replying to does not exist in this thread.', 'parent');
      }
    }
    // The indexed duplicate check first: a repeated comment need not be rendered in the worker pool.
    if (await store.comments.hasSameBody(thread.id, fields.author, fields.email, fields.bodyRaw)) {
      throw new ConflictError('duplicate', 'Duplicate comment: it looks as though you have already said that.');
    }
    const bodyHtml = await renderCommentBodyOffThread(fields.bodyRaw);
    const spam = await checkSpam(
      { kind: 'comment', threadId: thread.id, target: thread.target, ...pick(fields), bodyHtml, source: null, client: input.client },
      deps.spamCheckers,
    );
    const knownAuthor = settings.moderation === 'first-time' && (await store.comments.hasApprovedFrom(fields.email, fields.author));
    const editToken = newToken();
    return save(
      {
        threadId: thread.id, parent: fields.parent, kind: 'comment',
        status: initialStatus(spam, { mode: settings.moderation, isLinkback: false, knownAuthor }),
        author: fields.author, email: fields.email, url: fields.url, bodyRaw: fields.bodyRaw, bodyHtml,
        source: null, sourceKey: null, title: null, mentionType: null, authorPhoto: null,
        ...clientFields(input), reasons: spam.reasons, editTokenHash: sha256Hex(editToken), created: deps.clock.now(),
      },
      editToken,
      input.subscribe === true,
    );
  }

  async function receiveLinkback(input: LinkbackSubmission, thread: Thread, preVerified?: VerifiedSource): Promise<ReceiveResult> {
    if (thread.linkbacksClosed || !settings.linkbacksOpen[input.kind]) throw new ForbiddenError('closed', `${capitalize(input.kind)}s are closed for this item.`);
    const sourceKey = linkKey(input.source);
    const sourceUrl = parseHttpUrl(input.source);
    if (!sourceKey || !sourceUrl) throw new ValidationError('invalid-url', `Invalid URL '${input.source}'`, 'url');
    if (sourceKey === thread.target) throw new ValidationError('same-source-and-target', 'The source and the target are the same page.', 'source');
    if (!settings.allowSelfPings && isOnSites(sourceUrl, settings.sites)) {
      throw new ForbiddenError('forbidden', 'Linkbacks from this site to itself are not accepted.', 'source');
    }
    // Cheap check before any fetch; the unique index decides for real at insert time.
    const existing = await store.comments.findLinkback(thread.id, sourceKey);
    if (existing) return { kind: 'duplicate', existing };
    // The same ping arriving again while the first is still being verified (senders retry, attackers
    // repeat) waits for that one instead of fetching the source a second time (P26/P27: no amplification).
    const pairKey = `${thread.id} ${sourceKey}`;
    const earlier = inFlightLinkbacks.get(pairKey);
    if (earlier) {
      await earlier.catch(() => undefined);
      const stored = await store.comments.findLinkback(thread.id, sourceKey);
      if (stored) return { kind: 'duplicate', existing: stored };
    }
    const attempt = verifyAndSaveLinkback(input, thread, sourceKey, preVerified);
    inFlightLinkbacks.set(pairKey, attempt);
    try {
      return await attempt;
    } finally {
      if (inFlightLinkbacks.get(pairKey) === attempt) inFlightLinkbacks.delete(pairKey);
    }
  }

  async function verifyAndSaveLinkback(input: LinkbackSubmission, thread: Thread, sourceKey: string, preVerified?: VerifiedSource): Promise<ReceiveResult> {
    await deps.threadLimiter.consume(`thread:${thread.id}`);

    const skipVerification = input.kind === 'trackback' && !settings.verifyTrackbacks && !preVerified;
    const verified = preVerified ?? (skipVerification ? undefined : await verifyOrRefuse(input, thread.target));
    const fields = normalizeLinkback(await decodeClaimedText(input, verified?.charset), verified);
    const bodyHtml = renderPlainText(fields.excerpt);
    const spam = await checkSpam(
      {
        kind: input.kind, threadId: thread.id, target: thread.target, author: fields.author, email: '', url: fields.source,
        bodyRaw: fields.excerpt, bodyHtml, source: fields.source, honeypot: '', client: input.client,
      },
      deps.spamCheckers,
    );
    // With verification off, a trackback is unproven: never published without a moderator.
    if (skipVerification && spam.verdict === 'ham') {
      spam.verdict = 'hold';
      spam.reasons.push('unverified-trackback');
    }
    return save({
      threadId: thread.id, parent: null, kind: input.kind,
      status: initialStatus(spam, { mode: settings.moderation, isLinkback: true, knownAuthor: false }),
      author: fields.author, email: '', url: fields.url, bodyRaw: fields.excerpt, bodyHtml,
      source: fields.source, sourceKey, title: fields.title, mentionType: fields.mentionType, authorPhoto: fields.authorPhoto,
      ...clientFields(input), reasons: spam.reasons, editTokenHash: null, created: deps.clock.now(),
    });
  }

  async function verifyOrRefuse(input: LinkbackSubmission, target: string): Promise<VerifiedSource> {
    const outcome = await deps.verifier.verify(input.kind, input.source, target);
    switch (outcome.kind) {
      case 'verified':
        return outcome.source;
      case 'unreachable':
      case 'gone':
        throw new AppError('source-unreachable', 400, 'The source URL could not be fetched, so the link cannot be verified.');
      case 'busy':
        throw new AppError('upstream-error', 503, 'Too many verifications in flight; please try again later.');
      case 'no-link':
        throw new AppError('source-missing-link', 400, 'The source URL does not contain a link to the target URL.');
    }
  }

  async function save(comment: NewComment, editToken: string | null = null, subscribe = false): Promise<ReceiveResult> {
    const result = await deps.store.comments.insert(comment);
    if (result.kind === 'duplicate-linkback') return { kind: 'duplicate', existing: result.existing };
    deps.notifier.enqueue({ type: 'comment-received', comment: result.comment, subscribe });
    return { kind: 'stored', comment: result.comment, editToken };
  }

  function clientFields(input: Submission): { ip: string; userAgent: string } {
    // The spam checks above saw the full address; what is kept is reduced unless the owner opts out.
    return { ip: settings.keepIp ? input.client.ip : reduceIp(input.client.ip), userAgent: input.client.userAgent.slice(0, 254) };
  }

  return { receive };
}

const OUTCOME: Record<Comment['status'], LinkbackOutcome> = { approved: 'accepted', pending: 'pending', spam: 'spam', trash: 'refused' };

function pick(f: ReturnType<typeof normalizeComment>) {
  return { author: f.author, email: f.email, url: f.url, bodyRaw: f.bodyRaw, honeypot: f.honeypot };
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
