/**
 * Akismet end to end: the app configured with BACKTALK_AKISMET_KEY / BACKTALK_AKISMET_URL against
 * the local fake (tests/helpers/fake-akismet.ts), over real sockets on both sides.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it, type TestContext } from 'node:test';

import { FAKE_AKISMET_KEY, startFakeAkismet, type FakeAkismet } from '../helpers/fake-akismet.js';
import { POST, startTestServer, type TestServer } from '../helpers/test-server.js';
import { adminFind, adminList, listIds, moderate, postComment, reasonText, sleep, waitFor } from './http-support.js';

const CHECK = '/1.1/comment-check';
const USER_AGENT = 'Mozilla/5.0 (BacktalkTest; rv:1.0)';
const REFERRER = 'http://blog.example/2026/11/hello/';

describe('Akismet through the comment API', () => {
  let fake: FakeAkismet;

  before(async () => {
    fake = await startFakeAkismet();
  });
  after(() => fake.close());
  beforeEach(() => fake.reset());

  async function start(t: TestContext, env: Record<string, string> = {}): Promise<TestServer> {
    const server = await startTestServer({ BACKTALK_AKISMET_KEY: FAKE_AKISMET_KEY, BACKTALK_AKISMET_URL: fake.url, ...env });
    t.after(() => server.close());
    return server;
  }

  const checks = () => fake.requests.filter((r) => r.path === CHECK);

  it('publishes a comment Akismet calls ham', async (t) => {
    const server = await start(t);
    const c = await postComment(server, { body: 'A thoughtful remark', author: 'Ann' });
    assert.equal(c.status, 'approved');
    assert.equal(checks().length, 1);
    assert.deepEqual(await listIds(server), [c.id]);
  });

  it('files a comment from viagra-test-123 as spam', async (t) => {
    const server = await start(t);
    const c = await postComment(server, { body: 'Buy now', author: 'viagra-test-123' });
    assert.equal(c.status, 'pending');
    assert.deepEqual(await listIds(server), []);
    const spam = (await adminList(server, 'spam')).find((x) => x.id === c.id);
    assert.ok(spam, 'not in the spam list');
    assert.match(reasonText(spam), /akismet/);
  });

  it('sends Akismet every field comment-check uses', async (t) => {
    const server = await start(t);
    await postComment(
      server,
      { body: 'Checking the *fields*', author: 'Ann Example', email: 'ann@mail.example', url: 'https://ann.example/' },
      { 'user-agent': USER_AGENT, referer: REFERRER },
    );
    assert.equal(checks().length, 1);
    const form = checks()[0]!.form;
    assert.equal(form.api_key, FAKE_AKISMET_KEY);
    assert.equal(form.user_ip, '127.0.0.1', 'Akismet must see the full IP, not the reduced one');
    assert.equal(form.user_agent, USER_AGENT);
    assert.equal(form.referrer, REFERRER);
    assert.equal(form.permalink, POST);
    assert.equal(form.comment_type, 'comment');
    assert.equal(form.comment_author, 'Ann Example');
    assert.equal(form.comment_author_email, 'ann@mail.example');
    assert.equal(form.comment_author_url, 'https://ann.example/');
    assert.equal(form.comment_content, 'Checking the *fields*');
    assert.match(form.blog_charset ?? '', /^utf-8$/i);
    assert.ok(form.blog, 'blog is required by comment-check');
  });

  it('stores a pro-tip discard as spam with its reason and never lists it', async (t) => {
    const server = await start(t);
    fake.respondWith(CHECK, { body: 'true', headers: { 'X-akismet-pro-tip': 'discard' } });
    const c = await postComment(server, { body: 'Blatant spam', author: 'Spammer' });
    assert.equal(c.status, 'pending');
    assert.deepEqual(await listIds(server), []);
    const stored = await adminFind(server, c.id);
    assert.ok(stored, 'a discarded comment is still stored for the record');
    assert.equal(stored.status, 'spam');
    assert.match(reasonText(stored), /discard|akismet/);
    const counts = await server.request(`/api/counts?target=${encodeURIComponent(POST)}`);
    assert.deepEqual(await counts.json(), { [POST]: 0 });
  });

  it('holds the comment (201 pending) when Akismet answers 500', async (t) => {
    const server = await start(t);
    fake.respondWith(CHECK, { status: 500, body: 'Internal Server Error' });
    await assertHeldNotLost(server, 'Akismet is down');
  });

  it('holds the comment (201 pending) when Akismet answers invalid', async (t) => {
    const server = await start(t);
    fake.respondWith(CHECK, { body: 'invalid', headers: { 'X-akismet-debug-help': 'bad key' } });
    await assertHeldNotLost(server, 'Key went bad');
  });

  it('holds the comment (201 pending) when Akismet never answers, once the timeout fires', { timeout: 60_000 }, async (t) => {
    const server = await start(t);
    fake.respondWith(CHECK, { body: '', hang: true });
    await assertHeldNotLost(server, 'Akismet hangs');
    // The request ended because the default 5 s limit fired, as the moderator's reason shows (only
    // akismet-api's own timeout words it so), not because the connection failed some other way.
    const [held] = await adminList(server, 'pending');
    assert.match(reasonText(held!), /timeout after 5000 ms/);
  });

  it('reports an admin spam decision to submit-spam and a ham decision to submit-ham', async (t) => {
    const server = await start(t);
    const c = await postComment(server, { body: 'Looks fine to Akismet', author: 'Sneaky', email: 'sneaky@mail.example' });
    assert.equal(c.status, 'approved');

    assert.equal((await moderate(server, c.id, 'spam')).status, 200);
    await waitFor(() => fake.requests.some((r) => r.path === '/1.1/submit-spam'), undefined, 'submit-spam');
    const spamReport = fake.requests.find((r) => r.path === '/1.1/submit-spam')!.form;
    assert.equal(spamReport.api_key, FAKE_AKISMET_KEY);
    assert.equal(spamReport.comment_author, 'Sneaky');
    assert.equal(spamReport.comment_author_email, 'sneaky@mail.example');
    assert.equal(spamReport.comment_content, 'Looks fine to Akismet');
    assert.deepEqual(await listIds(server), []);

    assert.equal((await moderate(server, c.id, 'ham')).status, 200);
    await waitFor(() => fake.requests.some((r) => r.path === '/1.1/submit-ham'), undefined, 'submit-ham');
    const hamReport = fake.requests.find((r) => r.path === '/1.1/submit-ham')!.form;
    assert.equal(hamReport.comment_author, 'Sneaky');
    assert.equal(hamReport.comment_content, 'Looks fine to Akismet');
    assert.deepEqual(await listIds(server), [c.id]);
  });

  it('does not report approve or trash decisions to Akismet', async (t) => {
    const server = await start(t, { BACKTALK_MODERATION: 'all' });
    const c = await postComment(server, { body: 'Held then approved' });
    assert.equal((await moderate(server, c.id, 'approve')).status, 200);
    assert.equal((await moderate(server, c.id, 'trash')).status, 200);
    await sleep(200);
    assert.deepEqual(fake.requests.filter((r) => r.path !== CHECK && r.path !== '/1.1/verify-key'), []);
  });

  it('sends Akismet nothing without BACKTALK_AKISMET_KEY', async (t) => {
    const server = await startTestServer({ BACKTALK_AKISMET_URL: fake.url });
    t.after(() => server.close());
    const c = await postComment(server, { body: 'No Akismet here', author: 'viagra-test-123' });
    assert.equal(c.status, 'approved');
    assert.equal((await moderate(server, c.id, 'spam')).status, 200);
    assert.equal((await moderate(server, c.id, 'ham')).status, 200);
    await sleep(300);
    assert.deepEqual(fake.requests, []);
  });

  async function assertHeldNotLost(server: TestServer, body: string): Promise<void> {
    const res = await server.postJson('/comments', { target: POST, body, author: 'Ann' });
    assert.equal(res.status, 201, `answered ${res.status}: Akismet trouble must never become a 5xx`);
    const c = (await res.json()) as { id: number; status: string };
    assert.equal(c.status, 'pending');
    assert.equal(checks().length, 1, 'Akismet was not asked');
    assert.deepEqual(await listIds(server), []);
    const stored = await adminFind(server, c.id);
    assert.ok(stored, 'the comment was lost');
    assert.equal(stored.status, 'pending');
    assert.match(reasonText(stored), /akismet/, 'the moderator should see why it was held');
  }
});
