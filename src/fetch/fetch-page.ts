/**
 * The one way Backtalk fetches a URL somebody else chose (TrackBack, Pingback and Webmention sources).
 * Guards, in the order they apply (protocols.md §3.5, P7-P14, W16-W18): http(s) only, no credentials,
 * standard ports, no refused IP literal → rate and concurrency budgets → the resolved address, checked at
 * connect time → one deadline for everything → a body cap. Every redirect hop goes through all of it again.
 * `fetch` never throws: every result, good or bad, is a FetchOutcome.
 */
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import type { LookupFunction } from 'node:net';
import { AddressRefusedError, createAddressCheck, createGuardedLookup } from './address-policy.js';
import type { AddressCheck } from './address-policy.js';
import { declaredCharsetOf, decodeBody } from './charset-sniff.js';
import { FetchLimits } from './fetch-limits.js';

export interface FetchPolicy {
  /** BACKTALK_ALLOW_PRIVATE_FETCH: allow loopback/private addresses and any port (tests, closed networks). */
  allowPrivate: boolean;
  /** Ports a URL may name when allowPrivate is off. */
  allowedPorts: readonly number[];
  /** CIDRs (or single addresses) re-admitted although in a refused range; ports are still enforced. */
  allowAddresses: readonly string[];
  /** Budget for the whole fetch: DNS, connect, every redirect hop, headers and body. */
  timeoutMs: number;
  /** Body bytes read before the socket is dropped and the outcome marked truncated. */
  maxBytes: number;
  maxRedirects: number;
  perHostPerMinute: number;
  globalPerMinute: number;
  perHostConcurrent: number;
  globalConcurrent: number;
  userAgent: string;
}

export const DEFAULT_FETCH_POLICY: FetchPolicy = Object.freeze({
  allowPrivate: false,
  allowedPorts: Object.freeze([80, 443, 8080]),
  allowAddresses: Object.freeze([]),
  timeoutMs: 10_000,
  maxBytes: 1024 * 1024,
  maxRedirects: 5,
  perHostPerMinute: 30,
  globalPerMinute: 300,
  perHostConcurrent: 2,
  globalConcurrent: 16,
  userAgent: 'Backtalk/0.1 (linkback verification)',
});

export const DEFAULT_ACCEPT = 'text/html, application/xhtml+xml, application/json;q=0.9, text/plain;q=0.8, */*;q=0.1';

export type FetchOutcome =
  | {
      kind: 'ok';
      status: number;
      /** Final URL, after redirects. */
      url: string;
      /** Lower-cased media type without parameters; '' when the response had none. */
      contentType: string;
      /** Lower-cased names; repeated headers joined with ', '. */
      headers: Record<string, string>;
      body: string;
      /** The charset the response declared (BOM, Content-Type, then `<meta>`), as an iconv-lite label; undefined when it named none. */
      charset?: string;
      truncated: boolean;
    }
  /** Policy said no before any connection was made. */
  | { kind: 'refused'; reason: string; cause: FetchProblem }
  /** The network or the server let us down; `temporary` when a later retry might succeed. */
  | { kind: 'failed'; reason: string; temporary: boolean; cause: FetchProblem };

/**
 * Why a fetch was refused or failed, as a category that callers put into words for people outside
 * (pipeline/verify-source.ts). `reason` carries the details — resolved addresses, resolver and socket
 * errors — which would let a sender map internal host names: it is for our own logs only.
 */
export type FetchProblem = 'url' | 'port' | 'address' | 'limit' | 'dns' | 'timeout' | 'connection' | 'redirects' | 'other';

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME']);

export interface FetchOptions {
  accept?: string;
  headers?: Record<string, string>;
  /**
   * POST is for the linkback sender (Webmention, Pingback, TrackBack requests): the body goes out with
   * `contentType`. A POST follows only 307 and 308 (which keep method and body); any other redirect is
   * answered as the response it is, since re-sending a ping as a GET would mean nothing.
   */
  method?: 'GET' | 'POST';
  body?: string;
  contentType?: string;
}

export interface PageFetcher {
  /** GETs (or POSTs) `url`. Non-2xx responses are `ok` too: callers tell 410 from 404 from 5xx themselves. */
  fetch(url: string, options?: FetchOptions): Promise<FetchOutcome>;
}

const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
const BODY_KEEPING_REDIRECTS: ReadonlySet<number> = new Set([307, 308]);
// Worth retrying later: the host may come back, the resolver may recover, the network may heal.
const TEMPORARY_CODES = new Set([
  'ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT',
  'EPIPE', 'EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH', 'ENETDOWN',
]);

type Hop =
  | { kind: 'redirect'; location: string }
  | { kind: 'response'; status: number; headers: Record<string, string>; body: Buffer; truncated: boolean }
  | { kind: 'error'; error: unknown };

interface Fetcher {
  policy: FetchPolicy;
  check: AddressCheck;
  lookup: LookupFunction | undefined;
  limits: FetchLimits;
}

/**
 * Builds a fetcher with its own rate and concurrency counters (share one per process). `options.lookup`
 * replaces dns.lookup, so tests can make names resolve to private addresses; it is still guarded.
 * Throws only on a malformed `policy.allowAddresses` entry.
 */
export function createPageFetcher(policy: FetchPolicy, options: { lookup?: LookupFunction } = {}): PageFetcher {
  const check = createAddressCheck(policy.allowAddresses);
  const lookup = policy.allowPrivate ? options.lookup : createGuardedLookup(check, options.lookup);
  const fetcher: Fetcher = { policy, check, lookup, limits: new FetchLimits(policy) };
  return {
    async fetch(url, fetchOptions = {}) {
      try {
        return await fetchFollowingRedirects(fetcher, url, fetchOptions);
      } catch (err) {
        return { kind: 'failed', reason: `unexpected error: ${describe(err)}`, temporary: false, cause: 'other' };
      }
    },
  };
}

async function fetchFollowingRedirects(f: Fetcher, input: string, options: FetchOptions): Promise<FetchOutcome> {
  const { policy } = f;
  const headers: OutgoingHttpHeaders = {
    'user-agent': policy.userAgent,
    accept: options.accept ?? DEFAULT_ACCEPT,
    // Bodies are not decompressed (that would need its own output cap against zip bombs), so ask for none.
    'accept-encoding': 'identity',
  };
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
  const method = options.method ?? 'GET';
  const body = method === 'POST' ? Buffer.from(options.body ?? '', 'utf8') : undefined;
  if (body) {
    headers['content-type'] = options.contentType ?? 'application/x-www-form-urlencoded';
    headers['content-length'] = body.length;
  }
  const followed = method === 'POST' ? BODY_KEEPING_REDIRECTS : REDIRECT_STATUSES;

  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), policy.timeoutMs);
  try {
    let current = input;
    for (let redirects = 0; ; redirects += 1) {
      const target = checkUrl(f, current);
      if (!(target instanceof URL)) {
        return { kind: 'refused', reason: redirects > 0 ? `redirect to ${current}: ${target.reason}` : target.reason, cause: target.cause };
      }
      const grant = await f.limits.acquire(target.hostname, deadline.signal);
      if (!grant.granted) return { kind: 'refused', reason: grant.reason, cause: 'limit' };
      let hop: Hop;
      try {
        hop = await requestOnce(target, { method, headers, body, redirects: followed }, f.lookup, deadline.signal, policy.maxBytes);
      } finally {
        grant.release();
      }
      if (hop.kind === 'error') {
        if (hop.error instanceof AddressRefusedError) return { kind: 'refused', reason: hop.error.message, cause: 'address' };
        if (deadline.signal.aborted) return { kind: 'failed', reason: `timed out after ${policy.timeoutMs} ms`, temporary: true, cause: 'timeout' };
        const code = (hop.error as NodeJS.ErrnoException | undefined)?.code ?? '';
        const cause = DNS_CODES.has(code) ? 'dns' : code === 'ETIMEDOUT' ? 'timeout' : TEMPORARY_CODES.has(code) ? 'connection' : 'other';
        return { kind: 'failed', reason: describe(hop.error), temporary: TEMPORARY_CODES.has(code), cause };
      }
      if (hop.kind === 'response') {
        const contentType = hop.headers['content-type'] ?? '';
        const mediaType = (contentType.split(';')[0] ?? '').trim().toLowerCase();
        const body = decodeBody(contentType, hop.body);
        const charset = declaredCharsetOf(contentType, hop.body);
        return {
          kind: 'ok', status: hop.status, url: target.href, contentType: mediaType, headers: hop.headers, body,
          ...(charset ? { charset } : {}), truncated: hop.truncated,
        };
      }
      // W16: chains and loops end at the limit; the hop that would exceed it is never requested.
      if (redirects >= policy.maxRedirects) return { kind: 'failed', reason: `too many redirects (limit ${policy.maxRedirects})`, temporary: false, cause: 'redirects' };
      try {
        current = new URL(hop.location, target).href;
      } catch {
        return { kind: 'failed', reason: `redirect with an unusable Location: ${hop.location.slice(0, 200)}`, temporary: false, cause: 'url' };
      }
    }
  } finally {
    clearTimeout(timer);
  }
}

/** The URL to request, or why it is refused. WHATWG URL has already turned 2130706433 into 127.0.0.1. */
function checkUrl(f: Fetcher, input: string): URL | { cause: FetchProblem; reason: string } {
  const bad = (reason: string) => ({ cause: 'url' as const, reason });
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return bad(`not an absolute URL: ${String(input).slice(0, 200)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return bad(`scheme ${url.protocol} is not allowed (http and https only)`);
  if (url.username !== '' || url.password !== '') return bad('URLs with credentials (user:pass@) are not fetched');
  if (url.hostname === '') return bad('URL has no host');
  if (f.policy.allowPrivate) return url;
  // CVE-2013-0235: pingback made WordPress a port scanner for any host:port a sender named.
  const port = url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  if (!f.policy.allowedPorts.includes(port)) return { cause: 'port', reason: `port ${port} is not allowed (allowed: ${f.policy.allowedPorts.join(', ')})` };
  // IP literals never reach `lookup` (node connects to them directly), so they are checked here.
  const host = bareHost(url.hostname);
  const range = isIP(host) !== 0 ? f.check(host) : undefined;
  return range === undefined ? url : { cause: 'address', reason: `address ${host} is in a refused range (${range})` };
}

interface HopRequest {
  method: 'GET' | 'POST';
  headers: OutgoingHttpHeaders;
  body: Buffer | undefined;
  /** Statuses followed as redirects; any other is read as the response. */
  redirects: ReadonlySet<number>;
}

function requestOnce(url: URL, hopRequest: HopRequest, lookup: LookupFunction | undefined, signal: AbortSignal, maxBytes: number): Promise<Hop> {
  const { method, headers, body, redirects } = hopRequest;
  return new Promise((resolve) => {
    let done = false;
    let request: http.ClientRequest | undefined;
    const onAbort = (): void => finish({ kind: 'error', error: new Error('deadline reached') });
    const finish = (hop: Hop): void => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', onAbort);
      request?.destroy();
      resolve(hop);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });

    const transport = url.protocol === 'https:' ? https : http;
    request = transport.request({
      protocol: url.protocol,
      hostname: bareHost(url.hostname),
      port: url.port === '' ? undefined : Number(url.port),
      path: `${url.pathname}${url.search}`,
      method,
      headers,
      agent: false, // a fresh socket per hop, so every connection goes through the guarded lookup
      ...(lookup ? { lookup } : {}),
    });
    request.on('error', (error) => finish({ kind: 'error', error }));
    request.on('response', (res) => readResponse(res, redirects, maxBytes, finish));
    request.end(body);
  });
}

function readResponse(res: IncomingMessage, redirects: ReadonlySet<number>, maxBytes: number, finish: (hop: Hop) => void): void {
  const status = res.statusCode ?? 0;
  const location = res.headers.location;
  if (redirects.has(status) && location) return finish({ kind: 'redirect', location });
  const headers = Object.fromEntries(
    Object.entries(res.headers).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value]],
    ),
  ) as Record<string, string>;
  const chunks: Buffer[] = [];
  let size = 0;
  let stopped = false;
  const complete = (truncated: boolean): void => {
    stopped = true;
    finish({ kind: 'response', status, headers, body: Buffer.concat(chunks, size), truncated });
  };
  res.on('data', (chunk: Buffer) => {
    if (stopped) return;
    const room = maxBytes - size;
    if (chunk.length > room) {
      chunks.push(chunk.subarray(0, room));
      size += room;
      complete(true); // finish() destroys the request, so the rest is never downloaded (P14)
      return;
    }
    chunks.push(chunk);
    size += chunk.length;
  });
  res.on('end', () => complete(false));
  res.on('error', (error) => finish({ kind: 'error', error }));
  res.on('close', () => finish({ kind: 'error', error: Object.assign(new Error('connection closed mid-body'), { code: 'ECONNRESET' }) }));
}

function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as NodeJS.ErrnoException).code;
  return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
}
