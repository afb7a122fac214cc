/**
 * Sending linkbacks for the owner's own posts: the entry points (admin API, CLI, feed watcher) queue a
 * post; a worker reads it and records its links (plan-scan.ts); another sends each link
 * (deliver-link.ts). Both queues are durable, so a restart loses nothing.
 */
import type { SendLink, SendPost, SendProtocolName } from '../domain/send.js';
import { ForbiddenError, msg, NotFoundError, ValidationError } from '../domain/errors.js';
import type { PageFetcher } from '../fetch/fetch-page.js';
import type { Clock } from '../lib/clock.js';
import { createJobWorker, type JobWorker } from '../jobs/job-worker.js';
import type { Logger } from '../lib/logger.js';
import { isOnSites, linkKey, normalizeHttpUrl, parseHttpUrl } from '../lib/url.js';
import type { SendRepository } from '../store/repository.js';
import { deliverLink } from './deliver-link.js';
import { readPost } from './extract-links.js';
import { planScan, type PostReading } from './plan-scan.js';
import { nextAttempt, type RetryTuning } from './retry-policy.js';
import { answerWithoutResponse, clip, transientStatus } from './send-answer.js';

export interface SendSettings {
  enabled: boolean;
  sites: readonly string[];
  allowSelfPings: boolean;
  publicUrl: string;
  maxAttempts: number;
  /** The longest one outbound request may take; the job leases outlast a whole send. */
  timeoutMs: number;
}

export interface SendServiceDeps {
  sends: SendRepository;
  /** The sender's own safe fetcher (its own per-host limits and User-Agent). */
  fetcher: PageFetcher;
  clock: Clock;
  logger: Logger;
  settings: SendSettings;
  tuning: RetryTuning;
  count(protocol: SendProtocolName, outcome: string): void;
}

/** The contract's status document. */
export interface SendStatusJson {
  source: string;
  links: Array<{ target: string; protocol: SendProtocolName; state: string; response: string }>;
}

export interface SendService {
  /** Queues the post at `source` to be read and its links sent; answers the queued post. */
  request(source: unknown, feedVersion?: string): Promise<SendPost>;
  /** Sends one recorded link again (the admin's button): a Pingback or TrackBack that arrived is never repeated. */
  resendLink(id: number): Promise<SendLink>;
  status(postId: number): Promise<SendStatusJson | undefined>;
  /** The sender's fetcher, shared with the feed watcher (the same limits and User-Agent). */
  fetcher: PageFetcher;
  statusUrl(post: SendPost): string;
  scan(post: SendPost): Promise<void>;
  deliver(link: SendLink): Promise<void>;
  /** Starts both workers (the server does, unless BACKTALK_SEND=off). */
  start(): void;
  stop(): Promise<void>;
  /** Runs until nothing is due: every due post read and every due link sent (tests and the CLI). */
  drain(): Promise<void>;
  /** Posts and links waiting, for /metrics. */
  queueDepth(): Promise<number>;
}

export function createSendService(deps: SendServiceDeps): SendService {
  const { sends, clock, settings, logger } = deps;
  const deliverDeps = { ...deps, maxAttempts: settings.maxAttempts };

  /** Throws unless sending is on and `source` is one of the owner's posts; answers the normalized URL. */
  function checkSource(source: unknown): string {
    if (!settings.enabled) throw new ForbiddenError('sending-off', 'sending-off');
    const url = parseHttpUrl(source);
    if (!url) throw new ValidationError('invalid-url', 'send-source-invalid', 'source');
    if (!isOnSites(url, settings.sites)) {
      throw new ForbiddenError('source-not-allowed', msg('send-source-not-allowed', { origin: url.origin }), 'source');
    }
    return normalizeHttpUrl(url.href)!;
  }

  const ownSite = (target: string): string | undefined => {
    if (settings.allowSelfPings) return undefined;
    const url = parseHttpUrl(target);
    return url && isOnSites(url, settings.sites) ? 'not sent: a link to one of our own sites (self-pings are off, BACKTALK_ALLOW_SELF_PINGS)' : undefined;
  };

  async function scan(post: SendPost): Promise<void> {
    const now = clock.now();
    const page = await deps.fetcher.fetch(post.source);
    const failed = answerWithoutResponse(page)
      ?? (page.kind === 'ok' && page.status !== 410 && (page.status < 200 || page.status >= 300)
        ? transientStatus(page.status, page.headers, now, '') ?? { kind: 'refused' as const, response: `the post answered HTTP ${page.status}` }
        : undefined);
    if (failed || page.kind !== 'ok') {
      const answer = failed ?? { kind: 'refused' as const, response: 'no response' };
      if (answer.kind === 'later') {
        return sends.retryPost(post.id, { error: answer.response, nextAttemptAt: new Date(now.getTime() + deps.tuning.laterDelayMs), now, refund: true });
      }
      if (answer.kind === 'transient' && post.attempts < settings.maxAttempts) {
        return sends.retryPost(post.id, { error: clip(answer.response), nextAttemptAt: nextAttempt(now, post.attempts, deps.tuning, answer.retryAfterMs), now });
      }
      const error = clip(answer.response);
      return sends.applyScan(post.id, now, () => ({
        post: { status: 'failed', title: post.title, excerpt: post.excerpt, fingerprint: post.fingerprint, gone: post.gone, lastError: error },
        insert: [], requeue: [], inPost: [],
      }));
    }
    let reading: PostReading;
    const content = page.status === 410 ? undefined : readPost(page.body, page.url);
    if (content === undefined || content.gone) {
      reading = { kind: 'gone' };
    } else {
      // The post itself, under the URL it was asked for as well as the one it was served from.
      const self = linkKey(post.source);
      reading = { kind: 'page', content: { ...content, links: content.links.filter((l) => linkKey(l) !== self) } };
    }
    await sends.applyScan(post.id, now, (links) => planScan(reading, post, links, ownSite));
    linkWorker.wake();
  }

  async function deliver(link: SendLink): Promise<void> {
    const post = await sends.findPost(link.postId);
    if (!post) return;
    await deliverLink(link, post, deliverDeps);
  }

  // A lease outlasts the whole job: a link's discovery GET and its ping, each up to the time limit,
  // and a wait for a per-host slot. A crashed process's jobs come back when their lease runs out.
  const leaseMs = 4 * settings.timeoutMs + 10_000;
  const postWorker: JobWorker = createJobWorker({ repo: sends.posts, run: scan, clock, logger: logger.child({ component: 'send-posts' }), concurrency: 2, pollMs: 1000, leaseMs });
  const linkWorker: JobWorker = createJobWorker({ repo: sends.links, run: deliver, clock, logger: logger.child({ component: 'send-links' }), concurrency: 4, pollMs: 1000, leaseMs });

  return {
    /** Queues the post at `source` to be read and its links sent; answers the queued post. */
    async request(source: unknown, feedVersion?: string): Promise<SendPost> {
      const post = await sends.request(checkSource(source), clock.now(), feedVersion);
      postWorker.wake();
      return post;
    },
    /** Sends one recorded link again (the admin's button): a Pingback or TrackBack that arrived is never repeated. */
    async resendLink(id: number): Promise<SendLink> {
      if (!settings.enabled) throw new ForbiddenError('sending-off', 'sending-off');
      const link = await sends.findLink(id);
      if (!link) throw new NotFoundError('no-such-link');
      if ((link.protocol === 'pingback' || link.protocol === 'trackback') && link.sentAt !== null) return link;
      const queued = (await sends.requeueLink(id, clock.now()))!;
      linkWorker.wake();
      return queued;
    },
    async status(postId: number): Promise<SendStatusJson | undefined> {
      const post = await sends.findPost(postId);
      if (!post) return undefined;
      const links = await sends.listLinks(post.id);
      return { source: post.source, links: links.map((l) => ({ target: l.target, protocol: l.protocol, state: l.state, response: l.response })) };
    },
    /** The sender's fetcher, shared with the feed watcher (the same limits and User-Agent). */
    fetcher: deps.fetcher,
    statusUrl: (post: SendPost) => `${settings.publicUrl}/api/admin/send/${post.id}`,
    scan,
    deliver,
    /** Starts both workers (the server does, unless BACKTALK_SEND=off). */
    start(): void {
      postWorker.start();
      linkWorker.start();
    },
    async stop(): Promise<void> {
      await Promise.all([postWorker.stop(), linkWorker.stop()]);
    },
    /** Runs until nothing is due: every due post read and every due link sent (tests and the CLI). */
    async drain(): Promise<void> {
      await postWorker.drain();
      await linkWorker.drain();
    },
    /** Posts and links waiting, for /metrics. */
    queueDepth: async () => (await postWorker.queueDepth()) + (await linkWorker.queueDepth()),
  };
}

