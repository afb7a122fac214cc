/**
 * Issue 14, point 1: a Webmention whose source changed is judged again when it is re-sent. The
 * update runs the spam checks and the moderation mode like a new mention, so it can be held or filed
 * as spam; it never stays approved just because its first version was.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { FAKE_AKISMET_KEY, startFakeAkismet, type FakeAkismet } from '../helpers/fake-akismet.js';
import { useSourceServer, withServer } from '../helpers/fixtures.js';
import { POST, type TestServer } from '../helpers/test-server.js';
import { adminFind, adminList, moderate, reasonText } from '../http/http-support.js';
import { OWNER, startWithMail } from '../notify/support.js';
import { linkingPage, mentionsFrom, PRIVATE_FETCH, submitAndProcess } from './support.js';

const source = useSourceServer();

/** Publishes a linking page at `path`, sends the Webmention, and returns the stored mention's id. */
async function sendFirst(server: TestServer, path: string, text: string): Promise<number> {
  source.set(path, linkingPage(POST, { text }));
  const status = await submitAndProcess(server, source.url(path));
  assert.equal(status.status, 'accepted', `first send: ${status.reason}`);
  const stored = [...(await adminList(server, 'pending')), ...(await adminList(server, 'approved'))].find((c) => c.source === source.url(path));
  assert.ok(stored, 'the first version is stored');
  return stored.id;
}

/** Changes the source page and sends the Webmention again. */
async function resend(server: TestServer, path: string, text: string): Promise<void> {
  source.set(path, linkingPage(POST, { text }));
  const status = await submitAndProcess(server, source.url(path));
  assert.equal(status.status, 'accepted', `second send: ${status.reason}`);
}

describe('a re-sent Webmention is judged again', () => {
  test('auto: a source that now carries a blocked word is filed as spam and leaves the thread', async () => {
    await withServer({ ...PRIVATE_FETCH, BACKTALK_BLOCKED_WORDS: 'casino' }, async (server) => {
      const id = await sendFirst(server, '/blocked', 'A thoughtful reply.');
      assert.equal((await mentionsFrom(server, source.url('/blocked'))).length, 1);
      await resend(server, '/blocked', 'Now with a casino bonus for you.');
      const stored = await adminFind(server, id);
      assert.equal(stored?.status, 'spam');
      assert.match(reasonText(stored!), /blocked-word:casino/);
      assert.equal((await mentionsFrom(server, source.url('/blocked'))).length, 0);
    });
  });

  test('all: an approved mention whose source changed goes back to the queue, hidden until approved', async () => {
    await withServer({ ...PRIVATE_FETCH, BACKTALK_MODERATION: 'all' }, async (server) => {
      const id = await sendFirst(server, '/reviewed', 'The reviewed version.');
      assert.equal((await moderate(server, id, 'approve')).status, 200);
      assert.equal((await mentionsFrom(server, source.url('/reviewed'))).length, 1);

      await resend(server, '/reviewed', 'The unreviewed version.');
      assert.equal((await adminFind(server, id))?.status, 'pending');
      assert.equal((await mentionsFrom(server, source.url('/reviewed'))).length, 0, 'hidden while held');

      assert.equal((await moderate(server, id, 'approve')).status, 200);
      const [shown] = await mentionsFrom(server, source.url('/reviewed'));
      assert.match(shown!.body_html, /unreviewed version/);
    });
  });

  test('a held mention is not released by a clean update', async () => {
    await withServer({ ...PRIVATE_FETCH, BACKTALK_MODERATION: 'all' }, async (server) => {
      const id = await sendFirst(server, '/held', 'Waiting for the owner.');
      await resend(server, '/held', 'Still waiting for the owner.');
      assert.equal((await adminFind(server, id))?.status, 'pending');
      assert.ok((await adminList(server, 'pending')).some((c) => c.id === id));
    });
  });
});

describe('Akismet judges a re-sent Webmention', () => {
  let fake: FakeAkismet;
  before(async () => {
    fake = await startFakeAkismet();
  });
  after(() => fake.close());
  beforeEach(() => fake.reset());

  test('the update is checked, and filed as spam when Akismet says so', async () => {
    await withServer({ ...PRIVATE_FETCH, BACKTALK_AKISMET_KEY: FAKE_AKISMET_KEY, BACKTALK_AKISMET_URL: fake.url }, async (server) => {
      const id = await sendFirst(server, '/akismet', 'A fine reply.');
      const checks = () => fake.requests.filter((r) => r.path === '/1.1/comment-check');
      assert.equal(checks().length, 1);
      assert.equal((await adminFind(server, id))?.status, 'approved');
      fake.respondWith('/1.1/comment-check', { body: 'true' });
      await resend(server, '/akismet', 'A fine reply, now selling things.');
      assert.equal(checks().length, 2, 'the update was checked');
      assert.match(checks()[1]!.form.comment_content ?? '', /selling things/);
      assert.equal((await adminFind(server, id))?.status, 'spam');
      assert.equal((await mentionsFrom(server, source.url('/akismet'))).length, 0);
    });
  });
});

describe('the owner hears of an update that was held', () => {
  test('all: an approved mention held again by its update mails the owner with the new text', async (t) => {
    const setup = await startWithMail({ ...PRIVATE_FETCH, BACKTALK_MODERATION: 'all' });
    t.after(() => setup.close());
    const id = await sendFirst(setup.app, '/mailed', 'The reviewed version.');
    assert.equal((await moderate(setup.app, id, 'approve')).status, 200);
    await setup.flush();
    const before = setup.smtp.to(OWNER).length;

    await resend(setup.app, '/mailed', 'The unreviewed version.');
    await setup.flush();
    const mails = setup.smtp.to(OWNER);
    assert.equal(mails.length, before + 1, 'one mail for the held update');
    assert.match(mails.at(-1)!.subject, /^\[held\]/);
    assert.match(mails.at(-1)!.text, /unreviewed version/);
  });
});
