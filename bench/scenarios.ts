/**
 * What is measured. To add a scenario, append an object to SCENARIOS: the autocannon request list
 * for each side (a function, so it can close over a counter for unique bodies), the status every
 * response must have, and a probe that checks one response by hand before the load starts.
 * Each scenario runs against freshly started, freshly seeded servers, so scenarios don't see each
 * other's writes.
 */
import type { Request } from 'autocannon';
import { SEED_COMMENTS, TARGET, type SideName } from './sides.js';

export interface Scenario {
  name: string;
  description: string;
  /** Every response must have this status; anything else is counted as an error. */
  expectStatus: number;
  requests: Record<SideName, () => Request[]>;
  /** One request made by hand on a fresh server; returns what is wrong, or undefined. */
  probe(side: SideName, url: string): Promise<string | undefined>;
}

/** The public comment shape of the contract, key for key. */
const COMMENT_KEYS = ['id', 'parent', 'type', 'author', 'url', 'avatar', 'body_html', 'created', 'edited', 'source', 'title'];

const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded' };
const commentsPath = `/api/comments?target=${encodeURIComponent(TARGET)}`;

// Unique within this run, so Backtalk never answers 409 duplicate.
const runTag = Date.now().toString(36);
let formCounter = 0;
function nextForm(): string {
  formCounter += 1;
  return new URLSearchParams({
    target: TARGET,
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
      if (!location.startsWith(`${TARGET}#comment-`)) return `redirects to ${JSON.stringify(location)}`;
      return undefined;
    },
  },
];
