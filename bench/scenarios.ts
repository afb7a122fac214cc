/**
 * What is measured. To add a scenario, append an object to SCENARIOS: the autocannon request list
 * for each side (a function, so it can close over a counter for unique bodies), the status every
 * response must have, and a probe that checks one response by hand before the load starts.
 * Each scenario runs against freshly started, freshly seeded servers, so scenarios don't see each
 * other's writes.
 */
import type { Request } from 'autocannon';
import { SEED_COMMENTS, SITE, TARGET, seed, type SideName } from './sides.js';

export interface Scenario {
  name: string;
  description: string;
  /** Every response must have this status; anything else is counted as an error. */
  expectStatus: number;
  requests: Record<SideName, () => Request[]>;
  /** Needs the linking pages of bench/source-server.ts (see setSources). */
  needsSources?: boolean;
  /** More seeding or setup after the common seed, before the probe. */
  prepare?(side: SideName, url: string): Promise<void>;
  /** One request made by hand on a fresh server; returns what is wrong, or undefined. */
  probe(side: SideName, url: string): Promise<string | undefined>;
  /**
   * After the load: checks that the work was really done (e.g. every answered ping stored), given how
   * many responses had the expected status in total (probe, warm-up and run) and how many requests may
   * have been cut off unanswered when a load ended (the server may still have done them); returns what is wrong.
   */
  check?(side: SideName, url: string, answered: number, unanswered: number): Promise<string | undefined>;
}

/** The public comment shape of the contract, key for key. */
/** A comment object's keys in GET /api/comments (contract v1.1), on both sides. */
const COMMENT_KEYS = ['id', 'parent', 'type', 'author', 'url', 'avatar', 'body_html', 'created', 'edited', 'source', 'title', 'owner', 'pinned', 'edited_by', 'likes', 'dislikes'];

const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded' };
const commentsPath = `/api/comments?target=${encodeURIComponent(TARGET)}`;

// Unique within this run, so Backtalk never answers 409 duplicate.
const runTag = Date.now().toString(36);
let formCounter = 0;
/**
 * The posts' own thread, not the seeded one the reads read: rss-after-load runs every scenario on one
 * server, and posting into the read thread grew it by the write rate (16,000 comments at 3,000 POST/s),
 * so the later GETs measured a thread of that size instead of the 100 comments issue 15 names.
 */
const POST_TARGET = `${SITE}/bench/posted`;

function nextForm(): string {
  formCounter += 1;
  return new URLSearchParams({
    target: POST_TARGET,
    author: 'Bench Reader',
    email: 'bench@mail.example',
    body: `Benchmark comment ${runTag}-${formCounter}: a short plain-text reply, no links, posted by the load generator.`,
  }).toString();
}

const getComments = (): Request[] => [{ method: 'GET', path: commentsPath }];
const postCommentForm = (): Request[] => [{
  method: 'POST',
  path: '/comments',
  headers: FORM_HEADERS,
  setupRequest: (req) => ({ ...req, body: nextForm() }),
}];

// --- linkbacks: every ping names a new page on one of the loopback source hosts ---

let sourceBases: string[] = [];
/** The base URLs printed by bench/source-server.ts. */
export function setSources(bases: string[]): void {
  sourceBases = bases;
}
let sourceCounter = 0;
function nextSource(): string {
  sourceCounter += 1;
  return `${sourceBases[sourceCounter % sourceBases.length]}/2026/11/post-${runTag}-${sourceCounter}`;
}

const TRACKBACK_HEADERS = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
const trackbackPath = `/trackback?target=${encodeURIComponent(TARGET)}`;
const trackbackBody = () => new URLSearchParams({
  url: nextSource(), title: 'Thoughts on the benchmark post', blog_name: 'Bench Writer',
  excerpt: 'As this post explains, a comment server must be fast.',
}).toString();
const postTrackback = (): Request[] => [{
  method: 'POST', path: trackbackPath, headers: TRACKBACK_HEADERS, setupRequest: (req) => ({ ...req, body: trackbackBody() }),
}];

const XML_HEADERS = { 'content-type': 'text/xml' };
const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const pingbackBody = () => '<?xml version="1.0"?><methodCall><methodName>pingback.ping</methodName><params>' +
  `<param><value><string>${escapeXml(nextSource())}</string></value></param>` +
  `<param><value><string>${escapeXml(TARGET)}</string></value></param></params></methodCall>`;
const postPingback = (): Request[] => [{
  method: 'POST', path: '/xmlrpc', headers: XML_HEADERS, setupRequest: (req) => ({ ...req, body: pingbackBody() }),
}];

const webmentionBody = () => new URLSearchParams({ source: nextSource(), target: TARGET }).toString();
const postWebmention = (): Request[] => [{
  method: 'POST', path: '/webmention', headers: FORM_HEADERS, setupRequest: (req) => ({ ...req, body: webmentionBody() }),
}];

/** Approved comments of TARGET as /api/counts reports them. */
async function countOf(url: string, target = TARGET): Promise<number> {
  const res = await fetch(`${url}/api/counts?target=${encodeURIComponent(target)}`);
  return ((await res.json()) as Record<string, number>)[target] ?? -1;
}

/** Every answered ping is stored and approved (plus at most the requests cut off when a load stopped). */
async function checkStored(url: string, answered: number, unanswered: number): Promise<string | undefined> {
  const stored = (await countOf(url)) - SEED_COMMENTS;
  return stored >= answered && stored <= answered + unanswered
    ? undefined
    : `${answered} pings answered (and up to ${unanswered} cut off), but the thread holds ${stored} linkbacks`;
}

// --- counts: 50 targets, one of them the seeded thread, 49 with one comment each ---

const COUNT_TARGETS = 50;
const countTargets = [TARGET, ...Array.from({ length: COUNT_TARGETS - 1 }, (_, i) => `${SITE}/bench/other-${i + 1}`)];
const countsPath = `/api/counts?${countTargets.map((t) => `target=${encodeURIComponent(t)}`).join('&')}`;
const getCounts = (): Request[] => [{ method: 'GET', path: countsPath }];

// --- conditional GET: the ETag each side gave for the thread, sent back as If-None-Match ---

const etags: Partial<Record<SideName, string>> = {};
const conditionalGet: Record<SideName, () => Request[]> = {
  baseline: () => [{ method: 'GET', path: commentsPath, headers: { 'if-none-match': etags.baseline ?? '' } }],
  backtalk: () => [{ method: 'GET', path: commentsPath, headers: { 'if-none-match': etags.backtalk ?? '' } }],
};

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'get-comments',
    description: `GET /api/comments for a thread of ${SEED_COMMENTS} approved comments`,
    expectStatus: 200,
    requests: { baseline: getComments, backtalk: getComments },
    async probe(_side, url) {
      const res = await fetch(url + commentsPath);
      const text = await res.text();
      if (res.status !== 200) return `answered ${res.status}: ${text.slice(0, 300)}`;
      const json = JSON.parse(text) as { target?: unknown; total?: unknown; comments?: Array<Record<string, unknown>> };
      if (json.target !== TARGET) return `target is ${JSON.stringify(json.target)}`;
      if (json.total !== SEED_COMMENTS || json.comments?.length !== SEED_COMMENTS) {
        return `expected ${SEED_COMMENTS} comments, got total ${String(json.total)} and ${json.comments?.length} items`;
      }
      const keys = Object.keys(json.comments[0] ?? {});
      if (keys.join() !== COMMENT_KEYS.join()) return `comment keys are ${keys.join(', ')}`;
      return undefined;
    },
  },
  {
    name: 'post-comment-form',
    description: 'POST /comments as an HTML form (urlencoded), a unique body each time, answered 303',
    expectStatus: 303,
    requests: { baseline: postCommentForm, backtalk: postCommentForm },
    async probe(_side, url) {
      const res = await fetch(`${url}/comments`, { method: 'POST', headers: FORM_HEADERS, body: nextForm(), redirect: 'manual' });
      const text = await res.text();
      if (res.status !== 303) return `answered ${res.status}: ${text.slice(0, 300)}`;
      const location = res.headers.get('location') ?? '';
      if (!location.startsWith(`${POST_TARGET}#comment-`)) return `redirects to ${JSON.stringify(location)}`;
      return undefined;
    },
  },
  {
    name: 'get-counts',
    description: `GET /api/counts for ${COUNT_TARGETS} targets (one with ${SEED_COMMENTS} comments, ${COUNT_TARGETS - 1} with one each)`,
    expectStatus: 200,
    requests: { baseline: getCounts, backtalk: getCounts },
    async prepare(side, url) {
      await seed(side, url, COUNT_TARGETS - 1, (i) => ({
        target: countTargets[i]!, author: `Counter ${i}`, email: `counter${i}@mail.example`, body: `One comment on other post ${i}.`,
      }));
    },
    async probe(_side, url) {
      const res = await fetch(url + countsPath);
      const text = await res.text();
      if (res.status !== 200) return `answered ${res.status}: ${text.slice(0, 300)}`;
      const json = JSON.parse(text) as Record<string, number>;
      if (json[TARGET] !== SEED_COMMENTS) return `count of the seeded thread is ${json[TARGET]}`;
      if (Object.keys(json).length !== COUNT_TARGETS || countTargets.slice(1).some((t) => json[t] !== 1)) return `counts are ${text.slice(0, 300)}`;
      return undefined;
    },
  },
  {
    name: 'conditional-get',
    description: `GET /api/comments (${SEED_COMMENTS} comments) with the current ETag in If-None-Match, answered 304`,
    expectStatus: 304,
    requests: conditionalGet,
    async prepare(side, url) {
      // Identity, as autocannon asks: each content coding has its own ETag (src/http/encoded-body.ts).
      const res = await fetch(url + commentsPath, { headers: { 'if-none-match': '"none"', 'accept-encoding': 'identity' } });
      await res.arrayBuffer();
      const etag = res.headers.get('etag');
      if (!etag) throw new Error(`${side} sent no ETag`);
      etags[side] = etag;
    },
    async probe(side, url) {
      const res = await fetch(url + commentsPath, { headers: { 'if-none-match': etags[side] ?? '', 'accept-encoding': 'identity' } });
      const text = await res.text();
      if (res.status !== 304) return `answered ${res.status}: ${text.slice(0, 300)}`;
      if (text !== '') return 'a 304 with a body';
      return undefined;
    },
  },
  {
    name: 'trackback',
    description: 'POST /trackback?target=URL, a new source page each time, fetched and checked for the link (verification on), answered 200 <error>0</error>',
    expectStatus: 200,
    needsSources: true,
    requests: { baseline: postTrackback, backtalk: postTrackback },
    async probe(_side, url) {
      const res = await fetch(url + trackbackPath, { method: 'POST', headers: TRACKBACK_HEADERS, body: trackbackBody() });
      const text = await res.text();
      if (res.status !== 200 || !/<error>0<\/error>/.test(text)) return `answered ${res.status}: ${text.slice(0, 300)}`;
      return undefined;
    },
    check: (_side, url, answered, unanswered) => checkStored(url, answered, unanswered),
  },
  {
    name: 'pingback',
    description: 'POST /xmlrpc pingback.ping, a new source page each time, fetched and checked for the link, answered 200 methodResponse',
    expectStatus: 200,
    needsSources: true,
    requests: { baseline: postPingback, backtalk: postPingback },
    async probe(_side, url) {
      const res = await fetch(`${url}/xmlrpc`, { method: 'POST', headers: XML_HEADERS, body: pingbackBody() });
      const text = await res.text();
      if (res.status !== 200 || /<fault>/.test(text) || !/<methodResponse>/.test(text)) return `answered ${res.status}: ${text.slice(0, 300)}`;
      return undefined;
    },
    check: (_side, url, answered, unanswered) => checkStored(url, answered, unanswered),
  },
  {
    name: 'webmention',
    description: 'POST /webmention (source, target), a new source each time, accepted 201 with a status URL (verification runs later, off the request)',
    expectStatus: 201,
    needsSources: true,
    requests: { baseline: postWebmention, backtalk: postWebmention },
    async probe(_side, url) {
      const res = await fetch(`${url}/webmention`, { method: 'POST', headers: FORM_HEADERS, body: webmentionBody(), redirect: 'manual' });
      const text = await res.text();
      if (res.status !== 201 || !res.headers.get('location')) return `answered ${res.status}: ${text.slice(0, 300)}`;
      return undefined;
    },
  },
];
