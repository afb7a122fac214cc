/**
 * Shared pieces of the hostile-input tests: a real server whose linkback verification never leaves
 * the process (random and mutated URLs must not turn into DNS lookups or connections to other
 * machines), a row counter on the same SQLite file, and arbitraries for nasty text.
 *
 * Runs scale with FUZZ_SCALE (default 1; e.g. 10 for a long soak) and replay with FUZZ_SEED.
 */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import type { FetchOutcome, PageFetcher } from '../../src/fetch/fetch-page.js';
import { POST, startTestServer, type TestServer } from '../helpers/test-server.js';

export { POST };

/** Sources on this host "link" to whatever target the ping names; everything else is unreachable. */
export const LINKING_HOST = 'linking.example';

const scale = Number(process.env.FUZZ_SCALE ?? '1');
const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

export function runs(n: number): fc.Parameters<unknown> {
  return { numRuns: Math.max(1, Math.round(n * (Number.isFinite(scale) && scale > 0 ? scale : 1))), ...(seed === undefined ? {} : { seed }) };
}

/** In-memory source pages: never a socket. */
export function offlineFetcher(): PageFetcher & { calls: number } {
  const fetcher = {
    calls: 0,
    async fetch(url: string): Promise<FetchOutcome> {
      fetcher.calls += 1;
      let parsed: URL | undefined;
      try {
        parsed = new URL(url);
      } catch {
        return { kind: 'refused', reason: 'not a URL' };
      }
      if (parsed.hostname !== LINKING_HOST) return { kind: 'failed', reason: 'offline test fetcher', temporary: false };
      const target = parsed.searchParams.get('links-to') ?? POST;
      return {
        kind: 'ok', status: 200, url, contentType: 'text/html', headers: { 'content-type': 'text/html' }, truncated: false,
        body: `<html><head><title>A post</title></head><body><p>See <a href="${target.replace(/"/g, '&quot;')}">this</a>.</p></body></html>`,
      };
    },
  };
  return fetcher;
}

export interface FuzzServer extends TestServer {
  /** Rows in the tables a door can write to. */
  counts(): { comments: number; webmentions: number; threads: number };
  /** The server still answers its health check. */
  assertAlive(): Promise<void>;
  fetcher: ReturnType<typeof offlineFetcher>;
}

export async function startFuzzServer(env: Record<string, string> = {}): Promise<FuzzServer> {
  const fetcher = offlineFetcher();
  const server = await startTestServer({ BACKTALK_RATE_LIMIT: '0', ...env }, { fetcher });
  const db = new Database(server.dbPath, { readonly: true, fileMustExist: true });
  const count = db.prepare(`SELECT (SELECT count(*) FROM comments) AS comments, (SELECT count(*) FROM webmentions) AS webmentions, (SELECT count(*) FROM threads) AS threads`);
  return {
    ...server,
    fetcher,
    counts: () => count.get() as { comments: number; webmentions: number; threads: number },
    async assertAlive() {
      const res = await server.request('/healthz');
      assert.equal(res.status, 200, 'the server still answers /healthz');
    },
    async close() {
      db.close();
      await server.close();
    },
  };
}

/** Text a reader, a spammer or a broken client might send: any code point, lone surrogates, controls, RTL marks, NULs, emoji. */
export const nastyString = (maxLength = 80): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength }) },
    { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('\u0000', '\ud800', '\udfff', '\u202e', '\ufeff', '\u200b', '\r', '\n', '<', '&', '"', "'", '%', '+', '=', '\\', '\u{1F600}'), maxLength }) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', '<script>alert(1)</script>', 'javascript:alert(1)', '&#0;', '%00', '${7*7}', '{{7*7}}', '../../etc/passwd', 'null', 'undefined', '__proto__', 'constructor') },
  );

/** URL-ish strings: valid ones on and off the site, broken ones, odd schemes. */
export const urlish: fc.Arbitrary<string> = fc.oneof(
  fc.constant(POST),
  fc.constantFrom('http://blog.example/', 'HTTP://Blog.Example:80/2026/11/hello/#x', 'http://elsewhere.example/post', 'ftp://blog.example/x',
    'javascript:alert(1)', 'http://', 'http://[::1', 'http://blog.example:99999/', 'http://user:pw@blog.example/', '//blog.example/x', 'data:text/html,hi'),
  fc.webUrl().map((u) => u),
  fc.tuple(fc.constant('http://blog.example/'), nastyString(40)).map(([a, b]) => a + b),
  nastyString(40),
);

/** A JSON value of any shape, including deep nesting. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: nastyString() },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -1, 1e308, -0, 2 ** 53 + 1, true, false, null) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 40 }).map((d) => JSON.parse('['.repeat(d * 50) + ']'.repeat(d * 50)) as unknown) },
);

/** Percent-encodes every UTF-8 byte (unlike encodeURIComponent, never throws on a lone surrogate). */
export function pct(text: string): string {
  return [...Buffer.from(text)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
}

/** JSON text for an object with exactly these entries, duplicates and `__proto__` keys included (JSON.stringify cannot write those). */
export function jsonObjectText(entries: readonly (readonly [string, unknown])[]): string {
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`).join(',')}}`;
}

/** The JSON error shape of the API (contract): {"error": {"code", "message", "field"?}}. */
export function assertJsonError(text: string, status: number): void {
  let body: { error?: { code?: unknown; message?: unknown; field?: unknown } };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    assert.fail(`status ${status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  assert.equal(typeof body.error?.code, 'string', `error.code in ${text.slice(0, 200)}`);
  assert.match(body.error!.code as string, /^[a-z0-9]+(-[a-z0-9]+)*$/, 'kebab-case code');
  assert.equal(typeof body.error?.message, 'string');
  if (body.error?.field !== undefined) assert.equal(typeof body.error.field, 'string');
}

/** Byte-level mutations: flip, insert, delete, duplicate a slice, truncate. */
export const mutation = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ op: fc.constant('repeat' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }), times: fc.integer({ min: 2, max: 50 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
);
export type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

export function mutate(input: Buffer, mutations: readonly Mutation[]): Buffer {
  let b = input;
  for (const m of mutations) {
    const at = b.length === 0 ? 0 : m.at % (b.length + 1);
    switch (m.op) {
      case 'flip':
        if (b.length > 0) {
          b = Buffer.from(b);
          b[at % b.length] = m.byte;
        }
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.length)]);
        break;
      case 'repeat': {
        const slice = b.subarray(at, at + m.length);
        b = Buffer.concat([b.subarray(0, at), ...Array.from({ length: m.times }, () => slice), b.subarray(at)]);
        break;
      }
      case 'truncate':
        b = b.subarray(0, at);
        break;
    }
  }
  return b;
}
