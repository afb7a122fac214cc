/**
 * The Akismet adapter over real HTTP against tests/helpers/fake-akismet.ts, so the patched
 * akismet-api package is exercised end to end (protocols.md table 7.4, A1 and A3–A7).
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';

import { createAkismet, type AkismetOptions } from '../../src/spam/akismet-checker.js';
import type { SpamCheckInput } from '../../src/spam/spam-checker.js';
import { FAKE_AKISMET_KEY, startFakeAkismet, type FakeAkismet } from '../helpers/fake-akismet.js';

const BLOG = 'https://blog.example';
const POST = 'https://blog.example/2024/hello';

function aComment(overrides: Partial<SpamCheckInput> = {}): SpamCheckInput {
  return {
    kind: 'comment',
    threadId: 1,
    target: POST,
    author: 'Ada',
    email: 'ada@example.org',
    url: 'https://ada.example.org/',
    bodyRaw: 'Nice *post*, thanks.',
    bodyHtml: '<p>Nice <em>post</em>, thanks.</p>',
    source: null,
    honeypot: '',
    client: { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (test)', referrer: 'https://blog.example/' },
    ...overrides,
  };
}

function aLinkback(kind: 'trackback' | 'pingback' | 'webmention'): SpamCheckInput {
  return aComment({
    kind,
    author: 'Other Blog',
    email: '',
    url: 'https://other.example/about',
    bodyRaw: 'An excerpt that links to the post.',
    source: 'https://other.example/reply',
    client: { ip: '198.51.100.9', userAgent: 'WordPress/6.5', referrer: '' },
  });
}

function recordingLogger() {
  const warnings: Array<{ obj: object; msg: string }> = [];
  return { warnings, warn: (obj: object, msg: string) => void warnings.push({ obj, msg }) };
}

describe('createAkismet against a local Akismet', () => {
  let fake: FakeAkismet;
  let logger: ReturnType<typeof recordingLogger>;

  before(async () => {
    fake = await startFakeAkismet();
  });
  after(() => fake.close());
  beforeEach(() => {
    fake.reset();
    logger = recordingLogger();
  });

  const akismet = (overrides: Partial<AkismetOptions> = {}) =>
    createAkismet({ key: FAKE_AKISMET_KEY, baseUrl: fake.url, blog: BLOG, lang: 'en', logger, ...overrides });

  it('sends every field Akismet uses for a comment, with the key as api_key', async () => {
    assert.deepEqual(await akismet().check(aComment({ honeypot: 'filled by a bot' })), {
      kind: 'ham',
    });
    assert.equal(fake.requests.length, 1);
    const [request] = fake.requests;
    assert.equal(request?.path, '/1.1/comment-check');
    assert.deepEqual(request?.form, {
      api_key: FAKE_AKISMET_KEY,
      blog: BLOG,
      blog_lang: 'en',
      blog_charset: 'UTF-8',
      user_ip: '203.0.113.7',
      user_agent: 'Mozilla/5.0 (test)',
      referrer: 'https://blog.example/',
      permalink: POST,
      comment_type: 'comment',
      comment_author: 'Ada',
      comment_author_email: 'ada@example.org',
      comment_author_url: 'https://ada.example.org/',
      comment_content: 'Nice *post*, thanks.',
      honeypot_field_name: 'akismet_api_honeypot_field',
      akismet_api_honeypot_field: 'filled by a bot',
    });
  });

  for (const kind of ['trackback', 'pingback', 'webmention'] as const) {
    it(`sends a ${kind} as comment_type=${kind} with the source as comment_author_url`, async () => {
      assert.deepEqual(await akismet().check(aLinkback(kind)), { kind: 'ham' });
      const form = fake.requests[0]?.form;
      assert.equal(form?.comment_type, kind);
      assert.equal(form?.comment_author_url, 'https://other.example/reply');
      assert.equal(form?.user_ip, '198.51.100.9');
      assert.equal(form?.permalink, POST);
      assert.equal(form?.comment_content, 'An excerpt that links to the post.');
      assert.equal(form?.blog_charset, 'UTF-8');
      assert.equal(form?.api_key, FAKE_AKISMET_KEY);
    });
  }

  it('leaves blog_lang out when no language is configured', async () => {
    await akismet({ lang: undefined }).check(aComment());
    assert.equal(fake.requests[0]?.form.blog_lang, undefined);
  });

  it("treats Akismet's test author as spam, without discard", async () => {
    const verdict = await akismet().check(aComment({ author: 'viagra-test-123' }));
    assert.deepEqual(verdict, { kind: 'spam', reason: 'akismet', discard: false });
  });

  it("treats Akismet's test email as spam", async () => {
    const verdict = await akismet().check(aComment({ email: 'akismet-guaranteed-spam@example.com' }));
    assert.equal(verdict.kind, 'spam');
  });

  it('passes X-akismet-pro-tip: discard through as discard: true', async () => {
    fake.respondWith('/1.1/comment-check', { body: 'true', headers: { 'X-akismet-pro-tip': 'discard' } });
    assert.deepEqual(await akismet().check(aComment()), { kind: 'spam', reason: 'akismet', discard: true });
  });

  it('treats an invalid key as unknown and logs it', async () => {
    const verdict = await akismet({ key: 'wrong-key' }).check(aComment());
    assert.deepEqual(verdict, { kind: 'unknown', reason: 'akismet-unavailable: Invalid API key' });
    assert.equal(fake.requests[0]?.form.api_key, 'wrong-key');
    assert.equal(logger.warnings.length, 1);
  });

  it('treats HTTP 500 as unknown', async () => {
    fake.respondWith('/1.1/comment-check', { status: 500, body: 'Internal Server Error' });
    assert.deepEqual(await akismet().check(aComment()), {
      kind: 'unknown',
      reason: 'akismet-unavailable: HTTP 500',
    });
  });

  it('treats an unexpected answer as unknown, keeping the debug help', async () => {
    fake.respondWith('/1.1/comment-check', {
      body: 'maybe',
      headers: { 'X-akismet-debug-help': 'Empty "user_ip" value' },
    });
    assert.deepEqual(await akismet().check(aComment()), {
      kind: 'unknown',
      reason: 'akismet-unavailable: Empty "user_ip" value',
    });
  });

  // The time limit is seen by what it produces: only akismet-api's own timeout gives the
  // "timeout after N ms" reason (a refused or reset connection reads differently, see below).
  it('gives up on a server that never answers, once its time limit fires', { timeout: 30_000 }, async () => {
    fake.respondWith('/1.1/comment-check', { body: '', hang: true });
    const verdict = await akismet({ timeoutMs: 300 }).check(aComment());
    assert.deepEqual(verdict, { kind: 'unknown', reason: 'akismet-unavailable: timeout after 300 ms' });
    assert.equal(fake.requests.length, 1, 'the request reached the server');
  });

  it('waits for a slow answer that comes within the time limit', { timeout: 30_000 }, async () => {
    let release!: () => void;
    fake.respondWith('/1.1/comment-check', { body: 'true', until: new Promise<void>((resolve) => (release = resolve)) });
    const verdict = akismet({ timeoutMs: 20_000 }).check(aComment());
    while (fake.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    release();
    assert.deepEqual(await verdict, { kind: 'spam', reason: 'akismet', discard: false });
  });

  it('treats a refused connection as unknown', async () => {
    const verdict = await akismet({ baseUrl: await closedPortUrl() }).check(aComment());
    assert.equal(verdict.kind, 'unknown');
    assert.match(verdict.kind === 'unknown' ? verdict.reason : '', /^akismet-unavailable: .*ECONNREFUSED/);
  });

  it('reports spam and ham to submit-spam and submit-ham with the same fields', async () => {
    const checker = akismet();
    await checker.reportSpam(aComment());
    await checker.reportHam(aLinkback('pingback'));
    assert.deepEqual(
      fake.requests.map((r) => r.path),
      ['/1.1/submit-spam', '/1.1/submit-ham'],
    );
    assert.equal(fake.requests[0]?.form.comment_author, 'Ada');
    assert.equal(fake.requests[0]?.form.api_key, FAKE_AKISMET_KEY);
    assert.equal(fake.requests[1]?.form.comment_type, 'pingback');
    assert.deepEqual(logger.warnings, []);
  });

  it('never throws from reportSpam/reportHam, and logs the failure', async () => {
    fake.respondWith('/1.1/submit-spam', { status: 500, body: 'oops' });
    fake.respondWith('/1.1/submit-ham', { body: '', hang: true });
    const checker = akismet({ timeoutMs: 300 });
    await checker.reportSpam(aComment());
    await checker.reportHam(aComment());
    assert.deepEqual(
      logger.warnings.map((w) => w.msg),
      ['akismet submitSpam failed', 'akismet submitHam failed'],
    );
  });

  it('verifies the key: valid, invalid, unavailable', async () => {
    assert.equal(await akismet().verifyKey(), 'valid');
    assert.deepEqual(fake.requests[0], {
      path: '/1.1/verify-key',
      form: { api_key: FAKE_AKISMET_KEY, blog: BLOG },
    });
    assert.equal(await akismet({ key: 'nope' }).verifyKey(), 'invalid');
    assert.equal(await akismet({ baseUrl: await closedPortUrl() }).verifyKey(), 'unavailable');
  });
});

/** A base URL on 127.0.0.1 where nothing listens. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
