/**
 * Configuration: every BACKTALK_* variable read once, validated, and frozen. All problems are
 * reported together, one line each naming the variable (contract: "Bad configuration stops it with
 * one clear line naming the variable"). Nothing else in src/ reads process.env.
 */
import { isTimeZone } from './lib/time-zone.js';
import { originOf, parseHttpUrl } from './lib/url.js';
import { MAIL_LANGS } from './mail/mail-strings.js';

export type ModerationMode = 'auto' | 'first-time' | 'all';

/** Webhook event groups (README, "Webhook"): `created` new items, `status` moderation status changes, `deleted` deletions. */
export type WebhookEvent = 'created' | 'status' | 'deleted';
export const WEBHOOK_EVENTS: readonly WebhookEvent[] = ['created', 'status', 'deleted'];

export interface Config {
  host: string;
  /** 0 means "any free port"; main.ts resolves the real one after listening. */
  port: number;
  dbPath: string;
  /** Explicit BACKTALK_PUBLIC_URL without a trailing slash, or undefined for `http://HOST:PORT`. */
  publicUrl: string | undefined;
  /** Explicit BACKTALK_SITES origins, or undefined for "the public URL's origin". */
  sites: readonly string[] | undefined;
  adminToken: string | undefined;
  moderation: ModerationMode;
  /** New submissions per minute per client IP; 0 = unlimited. */
  rateLimit: number;
  /** POST /api/preview requests per minute per client IP; 0 = unlimited. */
  previewRateLimit: number;
  /** Time limit of one worker-thread task (a source page's parse, a long comment's render), in ms. */
  workerTimeoutMs: number;
  /** Refused admin tokens per client address per 10 minutes before it gets 429; 0 = no lock-out. */
  adminAttempts: number;
  /** Seconds a client has to send a request's headers, and the whole request (408 after). */
  headerTimeout: number;
  requestTimeout: number;
  /** Seconds an idle keep-alive connection stays open. */
  keepAliveTimeout: number;
  /** Open connections in all, and per client address (IPv6: per /64; trusted proxies exempt). */
  maxConnections: number;
  maxConnectionsPerClient: number;
  akismetKey: string | undefined;
  akismetUrl: string;
  allowPrivateFetch: boolean;
  /** TrackBack sources are fetched and must link to the target; off → such pings are held. */
  verifyTrackbacks: boolean;
  /** A thread whose post title the widget did not send fetches the post page once for it (issue 16.5). */
  fetchPostTitles: boolean;
  trackbacksEnabled: boolean;
  pingbacksEnabled: boolean;
  webmentionsEnabled: boolean;
  /** Linkbacks accepted per thread per hour (Movable Type's OneHourMaxPings); 0 = unlimited. */
  linkbacksPerThreadHour: number;
  /** Outbound verification fetches per source host per minute, and in all; so we never flood a site. */
  fetchPerHostPerMinute: number;
  /** Webmentions waiting in the queue per client (IPv6 per /64) and per source host; over it, 429. */
  webmentionQueuePerClient: number;
  webmentionQueuePerSourceHost: number;
  fetchPerMinute: number;
  /** Accept linkbacks whose source is on one of our own sites. */
  allowSelfPings: boolean;
  blockedWords: readonly string[];
  /** A comment with more links than this is held for moderation. */
  maxLinks: number;
  /** Keep full client IPs instead of reducing them to /24 (IPv4) or /48 (IPv6) after the spam check. */
  keepIp: boolean;
  /** BACKTALK_TIMEZONE: the blog's IANA time zone, for formats that carry local time (WXR's post_date, comment_date). */
  timeZone: string;
  editWindowMinutes: number;
  /** Gravatar images for authors with an e-mail address (a third-party request per reader); off = identicons only. */
  gravatar: boolean;
  /** Express "trust proxy" value; false ignores X-Forwarded-For entirely. */
  trustProxy: boolean | number | string;
  logLevel: string;
  /** A second port serving only GET /metrics, without the admin token (keep it off the internet); undefined = none. */
  metricsPort: number | undefined;
  /** smtp:// or smtps:// URL of the mail relay; unset = no e-mail at all. */
  smtpUrl: string | undefined;
  /** The site owner's address for new-item mails; unset = no owner mails. */
  notifyEmail: string | undefined;
  /** From: of every mail; undefined = `Backtalk <backtalk@HOST-of-public-url>`. */
  mailFrom: string | undefined;
  /** POST target for signed JSON events; unset = no webhook. */
  webhookUrl: string | undefined;
  webhookSecret: string | undefined;
  /** Which events the webhook gets (BACKTALK_WEBHOOK_EVENTS): new items always by default; status changes and deletions on request. */
  webhookEvents: readonly WebhookEvent[];
  /** BACKTALK_ADMIN_SESSION: how long a sign-in on the admin page lasts (its cookie's Max-Age), in seconds. */
  adminSessionSeconds: number;
  /** Language of mails about items that carry none (linkbacks, older comments): a key of LOCALES. */
  mailLang: string;
  /** BACKTALK_SEND=off: no linkback is sent at all (staging copies of a site must not ping the world). */
  sendEnabled: boolean;
  /** Feeds of the owner's blog whose new and updated entries get linkbacks sent. */
  feeds: readonly string[];
  /** Seconds between two polls of each feed. */
  feedIntervalSeconds: number;
  /** Time limit of one outbound request while sending (discovery GET or ping POST), in seconds. */
  sendTimeoutSeconds: number;
  /** Requests per minute, and at once, to any one host while sending. */
  sendPerHostPerMinute: number;
  sendPerHostConcurrent: number;
  /** Tries of one link before a transient failure becomes final. */
  sendAttempts: number;
  /**
   * BACKTALK_OWNER_NAME: the author name of the owner's own comments (admin replies, issue 17.3);
   * undefined = the host name of the first site.
   */
  ownerName: string | undefined;
  /** BACKTALK_VOTES=off: no likes or dislikes (the vote API answers 403, no buttons are shown). */
  votesEnabled: boolean;
  /** Votes accepted per minute per client (IPv6 per /64); 0 = unlimited. */
  voteRateLimit: number;
  /** Different voters of one network (an IPv4 address, an IPv6 /64) that may hold a vote on one comment. */
  votesPerNetwork: number;
}

/** Settings after listening: the public URL and sites are known for sure. */
export interface RuntimeConfig extends Config {
  port: number;
  publicUrl: string;
  sites: readonly string[];
  ownerName: string;
  /** False when BACKTALK_SITES is unset and the public URL's origin stands in (the start-up output says so). */
  sitesFromEnv: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): Readonly<Config> {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[`BACKTALK_${name}`];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`BACKTALK_${name}: expected a whole number from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return n;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = read(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    problems.push(`BACKTALK_${name}: expected true or false, got "${raw}"`);
    return fallback;
  };
  // "30d", "12h", "90m" or plain seconds.
  const duration = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    const match = /^(\d+)\s*(d|h|m|s)?$/.exec(raw);
    const seconds = match ? Number(match[1]) * { d: 86400, h: 3600, m: 60, s: 1 }[(match[2] ?? 's') as 'd' | 'h' | 'm' | 's'] : NaN;
    if (!(seconds >= min && seconds <= max)) {
      problems.push(`BACKTALK_${name}: expected a duration such as 30d, 12h or 90m, from ${min / 60} minutes to ${Math.floor(max / 86400)} days, got "${raw}"`);
      return fallback;
    }
    return seconds;
  };
  const list = (name: string): string[] | undefined =>
    read(name)?.split(',').map((s) => s.trim()).filter((s) => s !== '');

  const host = read('HOST') ?? '127.0.0.1';
  const port = int('PORT', 8080, 0, 65535);
  const dbPath = read('DB') ?? './data/backtalk.db';

  let publicUrl = read('PUBLIC_URL');
  if (publicUrl !== undefined) {
    if (!parseHttpUrl(publicUrl)) problems.push(`BACKTALK_PUBLIC_URL: expected an absolute http(s) URL, got "${publicUrl}"`);
    publicUrl = publicUrl.replace(/\/+$/, '');
  }

  let sites: string[] | undefined;
  const siteList = list('SITES');
  if (siteList) {
    sites = [];
    for (const site of siteList) {
      const origin = originOf(site);
      if (origin) sites.push(origin);
      else problems.push(`BACKTALK_SITES: "${site}" is not an absolute http(s) origin`);
    }
  }

  const moderationRaw = read('MODERATION') ?? 'auto';
  const moderation = (['auto', 'first-time', 'all'] as const).find((m) => m === moderationRaw);
  if (!moderation) problems.push(`BACKTALK_MODERATION: expected auto, first-time or all, got "${moderationRaw}"`);

  const akismetUrl = (read('AKISMET_URL') ?? 'https://rest.akismet.com').replace(/\/+$/, '');
  if (!parseHttpUrl(akismetUrl)) problems.push(`BACKTALK_AKISMET_URL: expected an absolute http(s) URL, got "${akismetUrl}"`);

  const adminToken = read('ADMIN_TOKEN');
  if (adminToken !== undefined && adminToken.length < 16) {
    problems.push('BACKTALK_ADMIN_TOKEN: must be at least 16 characters long');
  }

  const trustProxyRaw = read('TRUST_PROXY');
  let trustProxy: boolean | number | string = false;
  if (trustProxyRaw !== undefined) {
    const lower = trustProxyRaw.toLowerCase();
    if (['0', 'false', 'no', 'off'].includes(lower)) trustProxy = false;
    else if (['true', 'yes', 'on'].includes(lower)) trustProxy = true;
    else if (/^\d+$/.test(lower)) trustProxy = Number(lower);
    else trustProxy = trustProxyRaw; // addresses or subnets, as Express's "trust proxy" accepts them
  }

  const logLevel = read('LOG_LEVEL') ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    problems.push(`BACKTALK_LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "${logLevel}"`);
  }

  const smtpUrl = read('SMTP_URL');
  if (smtpUrl !== undefined && !/^smtps?:\/\/[^/]/i.test(smtpUrl)) {
    problems.push('BACKTALK_SMTP_URL: expected smtp://[user:pass@]host[:port] or smtps://…');
  }
  const notifyEmail = read('NOTIFY_EMAIL');
  if (notifyEmail !== undefined && !/^[^\s@<>]+@[^\s@<>]+$/.test(notifyEmail)) {
    problems.push(`BACKTALK_NOTIFY_EMAIL: expected one e-mail address, got "${notifyEmail}"`);
  }
  if (notifyEmail !== undefined && smtpUrl === undefined) problems.push('BACKTALK_NOTIFY_EMAIL: needs BACKTALK_SMTP_URL to send through');
  const webhookUrl = read('WEBHOOK_URL');
  if (webhookUrl !== undefined && !parseHttpUrl(webhookUrl)) problems.push(`BACKTALK_WEBHOOK_URL: expected an absolute http(s) URL, got "${webhookUrl}"`);
  const webhookSecret = read('WEBHOOK_SECRET');
  if (webhookUrl !== undefined && (webhookSecret === undefined || webhookSecret.length < 16)) {
    problems.push('BACKTALK_WEBHOOK_SECRET: required with BACKTALK_WEBHOOK_URL, at least 16 characters');
  }

  const ownerName = read('OWNER_NAME');
  // The same limit as any author name (pipeline/normalize.ts LIMITS.author).
  if (ownerName !== undefined && [...ownerName].length > 100) problems.push('BACKTALK_OWNER_NAME: at most 100 characters');

  const webhookEvents: WebhookEvent[] = [];
  for (const name of list('WEBHOOK_EVENTS') ?? ['created']) {
    const event = WEBHOOK_EVENTS.find((e) => e === name.toLowerCase());
    if (event) webhookEvents.push(event);
    else problems.push(`BACKTALK_WEBHOOK_EVENTS: expected a list of ${WEBHOOK_EVENTS.join(', ')}, got "${name}"`);
  }
  const adminSessionSeconds = duration('ADMIN_SESSION', 30 * 86400, 300, 366 * 86400);

  const timeZone = read('TIMEZONE') ?? 'UTC';
  if (!isTimeZone(timeZone)) problems.push(`BACKTALK_TIMEZONE: expected an IANA time zone name such as Europe/Moscow or UTC, got "${timeZone}"`);

  const mailLang = read('MAIL_LANG')?.toLowerCase() ?? 'en';
  if (!Object.hasOwn(MAIL_LANGS, mailLang)) problems.push(`BACKTALK_MAIL_LANG: expected one of ${Object.keys(MAIL_LANGS).join(', ')}, got "${mailLang}"`);

  const feeds: string[] = [];
  for (const feed of list('FEEDS') ?? []) {
    if (parseHttpUrl(feed)) feeds.push(feed);
    else problems.push(`BACKTALK_FEEDS: "${feed}" is not an absolute http(s) URL`);
  }
  // Values and reasons: README, "Slow and idle clients".
  const headerTimeout = int('HEADER_TIMEOUT', 20, 1, 3600);
  const requestTimeout = int('REQUEST_TIMEOUT', 60, 1, 3600);
  if (requestTimeout < headerTimeout) problems.push('BACKTALK_REQUEST_TIMEOUT: must be at least BACKTALK_HEADER_TIMEOUT (the headers are part of the request)');

  const config: Config = {
    host,
    port,
    dbPath,
    publicUrl,
    sites,
    adminToken,
    moderation: moderation ?? 'auto',
    rateLimit: int('RATE_LIMIT', 5, 0, 1_000_000),
    previewRateLimit: int('PREVIEW_RATE_LIMIT', 60, 0, 1_000_000),
    workerTimeoutMs: int('WORKER_TIMEOUT_MS', 5000, 10, 600_000),
    adminAttempts: int('ADMIN_ATTEMPTS', 5, 0, 1_000_000),
    headerTimeout,
    requestTimeout,
    keepAliveTimeout: int('KEEPALIVE_TIMEOUT', 5, 1, 3600),
    maxConnections: int('MAX_CONNECTIONS', 512, 1, 1_000_000),
    maxConnectionsPerClient: int('MAX_CONNECTIONS_PER_CLIENT', 32, 1, 1_000_000),
    akismetKey: read('AKISMET_KEY'),
    akismetUrl,
    allowPrivateFetch: bool('ALLOW_PRIVATE_FETCH', false),
    verifyTrackbacks: bool('VERIFY_TRACKBACKS', true),
    fetchPostTitles: bool('FETCH_POST_TITLES', true),
    trackbacksEnabled: bool('TRACKBACKS', true),
    pingbacksEnabled: bool('PINGBACKS', true),
    webmentionsEnabled: bool('WEBMENTIONS', true),
    linkbacksPerThreadHour: int('LINKBACKS_PER_THREAD_HOUR', 20, 0, 1_000_000),
    allowSelfPings: bool('ALLOW_SELF_PINGS', false),
    fetchPerHostPerMinute: int('FETCH_PER_HOST_PER_MINUTE', 30, 1, 1_000_000),
    // Enough for a site announcing a post with a few dozen links; too few for one client to fill the queue.
    webmentionQueuePerClient: int('WEBMENTION_QUEUE_PER_CLIENT', 50, 1, 1_000_000),
    webmentionQueuePerSourceHost: int('WEBMENTION_QUEUE_PER_SOURCE_HOST', 50, 1, 1_000_000),
    fetchPerMinute: int('FETCH_PER_MINUTE', 300, 1, 1_000_000),
    blockedWords: (list('BLOCKED_WORDS') ?? []).map((w) => w.toLowerCase()),
    maxLinks: int('MAX_LINKS', 3, 0, 1000),
    keepIp: bool('KEEP_IP', false),
    timeZone,
    editWindowMinutes: int('EDIT_MINUTES', 15, 0, 24 * 60),
    gravatar: bool('GRAVATAR', false),
    trustProxy,
    logLevel,
    metricsPort: read('METRICS_PORT') === undefined ? undefined : int('METRICS_PORT', 0, 0, 65535),
    smtpUrl,
    notifyEmail,
    mailFrom: read('MAIL_FROM'),
    webhookUrl,
    webhookSecret,
    webhookEvents,
    adminSessionSeconds,
    mailLang,
    sendEnabled: bool('SEND', true),
    feeds,
    feedIntervalSeconds: int('FEED_INTERVAL', 900, 1, 7 * 24 * 3600),
    sendTimeoutSeconds: int('SEND_TIMEOUT', 15, 1, 300),
    sendPerHostPerMinute: int('SEND_PER_HOST_PER_MINUTE', 20, 1, 1_000_000),
    sendPerHostConcurrent: int('SEND_PER_HOST_CONCURRENCY', 2, 1, 64),
    sendAttempts: int('SEND_ATTEMPTS', 6, 1, 100),
    ownerName,
    votesEnabled: bool('VOTES', true),
    voteRateLimit: int('VOTE_RATE_LIMIT', 30, 0, 1_000_000),
    votesPerNetwork: int('VOTES_PER_NETWORK', 10, 1, 1_000_000),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

/** Fills in what depends on the listening port: the public URL and the default site. */
export function resolveRuntimeConfig(config: Config, actualPort: number): Readonly<RuntimeConfig> {
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  const publicUrl = config.publicUrl ?? `http://${hostForUrl === '0.0.0.0' ? '127.0.0.1' : hostForUrl}:${actualPort}`;
  const sites = config.sites ?? [new URL(publicUrl).origin];
  const ownerName = config.ownerName ?? new URL(sites[0] ?? publicUrl).host;
  return Object.freeze({ ...config, port: actualPort, publicUrl, sites: Object.freeze([...sites]), sitesFromEnv: config.sites !== undefined, ownerName });
}
