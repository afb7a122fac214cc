/** The composition root: builds every service from the runtime config and an open store. */
import type { RuntimeConfig } from './config.js';
import type { Comment } from './domain/comment.js';
import { memoizedAvatarHash } from './lib/avatar.js';
import { systemClock, type Clock } from './lib/clock.js';
import { createPageFetcher, DEFAULT_FETCH_POLICY, type PageFetcher } from './fetch/fetch-page.js';
import type { Logger } from './lib/logger.js';
import { newToken, sha256Hex } from './lib/tokens.js';
import { createModeration, type Moderate } from './moderation/moderate.js';
import { createBlockedWords, type BlockedWords } from './moderation/blocked-words.js';
import { createLogNotifier } from './notify/log-notifier.js';
import { NotifyQueue, type Notifier } from './notify/notifier.js';
import { createMailing, type OutboxTuning } from './notify/mailing.js';
import type { OutboxWorker } from './notify/outbox-worker.js';
import type { LinkSigner } from './mail/signed-links.js';
import { toCommentJson } from './protocols/comment-form.js';
import { createPipeline, type Pipeline } from './pipeline/receive.js';
import { createThreadReader, type ThreadReader } from './read/thread-reader.js';
import { createTitleLearner, type TitleLearner } from './pipeline/post-title.js';
import { createSourceVerifier } from './pipeline/verify-source.js';
import { createRuleChecker } from './spam/rule-checker.js';
import type { SpamChecker, SpamFeedback } from './spam/spam-checker.js';
import { createSubmissionLimiter, type LimiterBackend, type SubmissionLimiter } from './spam/submission-limiter.js';
import type { Store } from './store/repository.js';
import { settingOnce } from './store/setting-once.js';
import { createWebmentionService, type WebmentionService } from './jobs/webmention-service.js';
import { createJobWorker, type JobWorker } from './jobs/job-worker.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { countedSpamChecker, countedStore } from './metrics/instrument.js';
import { createSendService, type SendService } from './send/send-service.js';
import { createFeedWatcher, type FeedWatcher } from './send/feed-watcher.js';
import { DEFAULT_RETRY_TUNING, type RetryTuning } from './send/retry-policy.js';
import { createAdminAttempts, type AdminAttempts } from './http/middleware/admin-attempts.js';
import { createAdminSessions, type AdminSessions } from './auth/admin-sessions.js';
import { createRefusedOriginLog, type RefusedOriginLog } from './sites/refused-origins.js';
import { createVoting, type Voting } from './votes/voting.js';

export interface AppDeps {
  config: RuntimeConfig;
  logger: Logger;
  store: Store;
  clock: Clock;
  pipeline: Pipeline;
  /** The read side: how every reader of a thread reads it. */
  reader: ThreadReader;
  moderate: Moderate;
  /** The owner's blocked-words list (settings table, else BACKTALK_BLOCKED_WORDS), read by the rule checker on every check. */
  blockedWords: BlockedWords;
  notifier: NotifyQueue;
  fetcher: PageFetcher;
  /** The admin token's SHA-256 as it stands now: `backtalk admin-token` rotates it without a restart. */
  adminTokenHash: () => Promise<string>;
  /** Refused admin tokens per client: the lock-out, its log lines and its metric. */
  adminAttempts: AdminAttempts;
  /** The moderation page's sign-in cookies (BACKTALK_ADMIN_SESSION). */
  adminSessions: AdminSessions;
  /** Page origins refused for not being one of BACKTALK_SITES: logged once each, counted for the admin page. */
  refusedOrigins: RefusedOriginLog;
  avatarUrl: (c: Comment) => string;
  webmentions: WebmentionService;
  /** Background verification of queued Webmentions; main.ts starts it, tests drain it. */
  worker: JobWorker;
  /** Delivers queued mail and webhook calls; server.ts starts it, tests drain it. */
  outbox: OutboxWorker;
  /** Signs and checks the one-click links in mail. */
  mailLinks: LinkSigner;
  /** Prometheus metrics of this app (its own registry), served on /metrics. */
  metrics: Metrics;
  /** POST /api/preview per client (BACKTALK_PREVIEW_RATE_LIMIT). */
  previewLimiter: SubmissionLimiter;
  /** Linkbacks for the owner's own posts; server.ts starts its workers unless BACKTALK_SEND=off. */
  sends: SendService;
  /** Polls BACKTALK_FEEDS and queues new and updated entries; server.ts starts it. */
  feedWatcher: FeedWatcher;
  /** Post titles fetched in the background (issue 16.5); tests drain it. */
  titles: TitleLearner;
  /** Readers' likes and dislikes (contract v1.1), off with BACKTALK_VOTES=off. */
  voting: Voting;
}

export interface DepsOverrides {
  clock?: Clock;
  notifiers?: Notifier[];
  fetcher?: PageFetcher;
  /** Retry timing of the outbox (tests shorten it). */
  outboxTuning?: OutboxTuning;
  /** The sender's fetcher (tests give it a resolver); by default one built from the config. */
  sendFetcher?: PageFetcher;
  /** Retry timing of the send queue (tests shorten it). */
  sendTuning?: RetryTuning;
  /** Hears the admin token generated on a first start (server.ts prints it with the start-up output); by default it is printed at once. */
  onNewAdminToken?: (token: string) => void;
}

export async function createDeps(config: RuntimeConfig, store: Store, logger: Logger, overrides: DepsOverrides = {}): Promise<AppDeps> {
  const clock = overrides.clock ?? systemClock;
  let sends: SendService | undefined;
  const metrics = createMetrics({ ...metricsSources(store, clock), sendQueueDepth: () => sends?.queueDepth() ?? Promise.resolve(0) });
  store = countedStore(store, metrics);
  const mailing = await createMailing({
    config, store, clock, logger, tuning: overrides.outboxTuning,
    // Called only after createDeps has returned, when avatarUrl is set.
    publicJson: (c) => ({ ...toCommentJson(c, avatarUrl(c)) }),
  });
  const notifier = new NotifyQueue(overrides.notifiers ?? [createLogNotifier(logger.child({ component: 'notify' }))], logger, mailing.notifier);
  const fetcher = overrides.fetcher ?? createPageFetcher({
    ...DEFAULT_FETCH_POLICY,
    allowPrivate: config.allowPrivateFetch,
    perHostPerMinute: config.fetchPerHostPerMinute,
    globalPerMinute: config.fetchPerMinute,
    userAgent: `Backtalk/0.1 (linkback verification; +${config.publicUrl})`,
  });

  const blockedWords = createBlockedWords(store.settings, config.blockedWords);
  const rules = createRuleChecker({ blockedWords: async () => (await blockedWords.current()).words, maxLinks: config.maxLinks });
  const spamCheckers: SpamChecker[] = [countedSpamChecker(rules, metrics)];
  let feedback: SpamFeedback | undefined;
  if (config.akismetKey) {
    // Loaded only with a key: akismet-api and its promise library cost resident memory otherwise.
    const { createAkismet } = await import('./spam/akismet-checker.js');
    const akismet = createAkismet({
      key: config.akismetKey, baseUrl: config.akismetUrl, blog: config.sites[0] ?? config.publicUrl,
      logger: logger.child({ component: 'akismet' }),
    });
    spamCheckers.push(countedSpamChecker(akismet, metrics));
    feedback = akismet;
  }

  const verifier = createSourceVerifier(fetcher, { parseTimeoutMs: config.workerTimeoutMs });
  const titles = createTitleLearner({ store, fetcher: config.fetchPostTitles ? fetcher : undefined, logger: logger.child({ component: 'post-title' }) });
  // On PostgreSQL the counters are shared by every instance on the database; on SQLite, per process.
  const limits = (keyPrefix: string): LimiterBackend => (store.sharedPool ? { kind: 'postgres', pool: store.sharedPool, keyPrefix } : { kind: 'memory' });
  const limiter = createSubmissionLimiter(config.rateLimit, 60, limits('submission'));
  const pipeline = createPipeline({
    settings: {
      sites: config.sites, moderation: config.moderation, keepIp: config.keepIp,
      verifyTrackbacks: config.verifyTrackbacks, allowSelfPings: config.allowSelfPings,
      linkbacksOpen: { trackback: config.trackbacksEnabled, pingback: config.pingbacksEnabled, webmention: config.webmentionsEnabled },
      editWindowMinutes: config.editWindowMinutes, ownerName: config.ownerName,
    },
    store, clock, notifier, spamCheckers,
    limiter,
    threadLimiter: createSubmissionLimiter(config.linkbacksPerThreadHour, 3600, limits('thread-linkbacks')),
    verifier,
    titles,
  });
  let worker: JobWorker | undefined;
  const webmentions = createWebmentionService({
    store, pipeline, clock, sites: config.sites,
    caps: { perClient: config.webmentionQueuePerClient, perSourceHost: config.webmentionQueuePerSourceHost },
    onQueued: () => worker?.wake(),
  });
  worker = createJobWorker({
    repo: store.webmentions, run: webmentions.run, clock, logger: logger.child({ component: 'webmention' }),
    // The lease outlives one verification (fetch timeout 10 s) with room to spare; a crashed process's
    // jobs come back when it runs out.
    concurrency: 4, pollMs: 1000, leaseMs: 30_000,
  });
  sends = createSender(config, store, logger, clock, {
    fetcher: overrides.sendFetcher, tuning: overrides.sendTuning, count: (protocol, outcome) => metrics.sent(protocol, outcome),
  });
  const sendService = sends;
  const feedWatcher = createFeedWatcher({
    feeds: config.feeds, intervalMs: config.feedIntervalSeconds * 1000, fetcher: sends.fetcher, settings: store.settings, sends: store.sends,
    request: (source, version) => sendService.request(source, version), logger: logger.child({ component: 'feeds' }),
  });
  const moderate = createModeration({ store, notifier, feedback });
  const salt = await settingOnce(store, 'avatar_salt', newToken);
  const hashOf = memoizedAvatarHash(salt);
  const adminAttempts = createAdminAttempts({
    limit: config.adminAttempts, windowSeconds: 600, backend: limits('admin-attempts'), logger: logger.child({ component: 'admin-auth' }), metrics,
  });
  const announce = overrides.onNewAdminToken ?? ((token: string) => process.stdout.write(`Admin token (shown only this once, keep it safe): ${token}\n`));
  const tokenHash = currentAdminTokenHash(config, store, await adminTokenHash(config, store, logger, announce));
  const adminSessions = createAdminSessions({
    secret: await settingOnce(store, 'admin_session_secret', newToken), settings: store.settings, adminTokenHash: tokenHash,
    clock, maxAgeSeconds: config.adminSessionSeconds,
  });
  const avatarUrl = (c: Comment) => `${config.publicUrl}/avatar/${hashOf(c.email, c.author)}.svg`;

  return {
    config, logger, store, clock, pipeline, reader: createThreadReader(store), moderate, blockedWords, notifier, fetcher,
    adminTokenHash: tokenHash, adminAttempts, adminSessions, avatarUrl,
    refusedOrigins: createRefusedOriginLog({ settings: store.settings, sites: config.sites, clock, logger: logger.child({ component: 'sites' }) }), webmentions, worker, metrics,
    outbox: mailing.outbox, mailLinks: mailing.signer, sends: sendService, feedWatcher,
    previewLimiter: createSubmissionLimiter(config.previewRateLimit, 60, limits('preview')),
    titles,
    voting: createVoting({
      enabled: config.votesEnabled, votes: store.votes, clock, perNetwork: config.votesPerNetwork,
      secret: await settingOnce(store, 'vote_secret', newToken),
      limiter: createSubmissionLimiter(config.voteRateLimit, 60, limits('votes')),
    }),
  };
}

/**
 * Stops the background work and lets what is in flight finish, in the order that loses nothing: the
 * queues that write first, then the notifier (its last rows are written), then the post-title fetches
 * (a fetch in flight ends within the fetch timeout and writes to the store). Used at shutdown
 * (server.ts), by test servers and by benches that build the deps themselves.
 */
export async function stopBackground(deps: AppDeps): Promise<void> {
  await deps.worker.stop();
  await deps.feedWatcher.stop();
  await deps.sends.stop();
  await deps.notifier.drain();
  await deps.titles.drain();
}

/**
 * The linkback sender with its own fetcher: its own per-host budgets (sending never eats the
 * verification budget), its own time limit, and a User-Agent that says who is pinging, so a
 * receiver's owner can find us. Shared by the server and `backtalk send`.
 */
export function createSender(
  config: RuntimeConfig, store: Store, logger: Logger, clock: Clock,
  options: { fetcher?: PageFetcher; tuning?: RetryTuning; count?: (protocol: string, outcome: string) => void } = {},
): SendService {
  const fetcher = options.fetcher ?? createPageFetcher({
    ...DEFAULT_FETCH_POLICY,
    allowPrivate: config.allowPrivateFetch,
    timeoutMs: config.sendTimeoutSeconds * 1000,
    perHostPerMinute: config.sendPerHostPerMinute,
    perHostConcurrent: config.sendPerHostConcurrent,
    globalPerMinute: Math.max(config.fetchPerMinute, config.sendPerHostPerMinute),
    userAgent: `Backtalk/0.1 (linkback sender; +${config.publicUrl})`,
  });
  return createSendService({
    sends: store.sends, fetcher, clock, logger,
    settings: {
      enabled: config.sendEnabled, sites: config.sites, allowSelfPings: config.allowSelfPings, publicUrl: config.publicUrl,
      maxAttempts: config.sendAttempts, timeoutMs: config.sendTimeoutSeconds * 1000,
    },
    tuning: options.tuning ?? DEFAULT_RETRY_TUNING,
    count: options.count ?? (() => undefined),
  });
}

/** Queue depths for /metrics. */
function metricsSources(store: Store, clock: Clock) {
  return {
    webmentionQueueDepth: () => store.webmentions.countDue(clock.now()),
    outboxDepth: () => store.outbox.countDue(clock.now()),
  };
}

/**
 * BACKTALK_ADMIN_TOKEN when set; otherwise a token generated on first start, printed once, and only
 * its hash kept (rotate it with `backtalk admin-token`).
 */
async function adminTokenHash(config: RuntimeConfig, store: Store, logger: Logger, announce: (token: string) => void): Promise<string> {
  if (config.adminToken) return sha256Hex(config.adminToken);
  const stored = await store.settings.get('admin_token_hash');
  if (stored) return stored;
  const token = newToken();
  const hash = sha256Hex(token);
  // Several instances starting on one new database: only the first one's token is kept and printed.
  const winner = await store.settings.setIfAbsent('admin_token_hash', hash);
  if (winner !== hash) return winner;
  announce(token);
  logger.info('generated a new admin token');
  return hash;
}

/**
 * Reads the stored hash again at most every few seconds, so a token rotated by the CLI (another
 * process, or another instance on PostgreSQL) takes effect without a restart, and a request does not
 * cost a settings read.
 */
function currentAdminTokenHash(config: RuntimeConfig, store: Store, initial: string): () => Promise<string> {
  if (config.adminToken) return async () => initial;
  const TTL_MS = 5000;
  let hash = initial;
  let readAt = Date.now();
  return async () => {
    if (Date.now() - readAt > TTL_MS) {
      readAt = Date.now();
      hash = (await store.settings.get('admin_token_hash').catch(() => undefined)) ?? hash;
    }
    return hash;
  };
}
