/**
 * Issue 14, point 1: an author's edit of a published comment (body, name or URL) goes through the
 * same spam rules, Akismet and moderation mode as a new comment, and can never release a comment
 * that is held. Everything over HTTP against a real server, Akismet as a local fake.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it, type TestContext } from 'node:test';

import { FAKE_AKISMET_KEY, startFakeAkismet, type FakeAkismet } from '../helpers/fake-akismet.js';
import { OWNER, startWithMail } from '../notify/support.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { adminFind, adminList, listComments, listIds, moderate, postComment, reasonText, type PublicComment } from './http-support.js';

async function start(t: TestContext, env: Record<string, string> = {}): Promise<TestServer> {
  const server = await startTestServer(env);
  t.after(() => server.close());
  return server;
}

async function edit(server: TestServer, c: PublicComment, body: Record<string, string>): Promise<PublicComment> {
  const res = await server.request(`/api/comments/${c.id}`, {
    method: 'PUT', headers: { 'content-type': 'application/json', 'x-edit-token': c.edit_token! }, body: JSON.stringify(body),
  });
  const text = await res.text();
  assert.equal(res.status, 200, `PUT answered ${res.status}: ${text}`);
  return JSON.parse(text) as PublicComment;
}

async function statusOf(server: TestServer, id: number): Promise<string | undefined> {
  return (await adminFind(server, id))?.status;
}

describe('BACKTALK_MODERATION=auto: an edit a check flags is held or filed as spam', () => {
  it('adding a blocked word files the comment as spam and takes it off the page', async (t) => {
    const server = await start(t, { BACKTALK_BLOCKED_WORDS: 'casino' });
    const c = await postComment(server, { body: 'A fair point about caching.', author: 'Ann' });
    assert.equal(c.status, 'approved');
    const edited = await edit(server, c, { body: 'Play at my casino tonight!' });
    assert.equal(edited.status, 'pending', 'spam is answered like a held comment');
    assert.equal(await statusOf(server, c.id), 'spam');
    assert.match(reasonText((await adminFind(server, c.id))!), /blocked-word:casino/);
    assert.deepEqual(await listIds(server), [], 'no longer shown');
  });

  it('changing only the website to a blocked one is caught too', async (t) => {
    const server = await start(t, { BACKTALK_BLOCKED_WORDS: 'pills.example' });
    const c = await postComment(server, { body: 'Nice write-up.', author: 'Ann' });
    await edit(server, c, { body: 'Nice write-up.', url: 'https://pills.example/' });
    assert.equal(await statusOf(server, c.id), 'spam');
    assert.deepEqual(await listIds(server), []);
  });

  it('adding too many links holds the comment for moderation', async (t) => {
    const server = await start(t, { BACKTALK_MAX_LINKS: '1' });
    const c = await postComment(server, { body: 'No links at first.' });
    const edited = await edit(server, c, { body: 'Now: https://a.example/ https://b.example/ https://c.example/' });
    assert.equal(edited.status, 'pending');
    const held = (await adminList(server, 'pending')).find((x) => x.id === c.id);
    assert.ok(held, 'in the pending queue');
    assert.match(reasonText(held), /too-many-links/);
    assert.deepEqual(await listIds(server), []);
  });

  it('a clean edit of a published comment stays published', async (t) => {
    const server = await start(t);
    const c = await postComment(server, { body: 'tpyo' });
    const edited = await edit(server, c, { body: 'typo fixed' });
    assert.equal(edited.status, 'approved');
    assert.deepEqual(await listIds(server), [c.id]);
  });

  it('a clean edit never releases a held comment', async (t) => {
    const server = await start(t, { BACKTALK_MAX_LINKS: '0' });
    const c = await postComment(server, { body: 'see https://a.example/' });
    assert.equal(c.status, 'pending');
    const edited = await edit(server, c, { body: 'no links any more' });
    assert.equal(edited.status, 'pending');
    assert.equal(await statusOf(server, c.id), 'pending');
    assert.deepEqual(await listIds(server), []);
  });
});

describe('BACKTALK_MODERATION=all: an edit goes back to the queue', () => {
  it('an approved comment, once edited, is pending and hidden until approved again', async (t) => {
    const server = await start(t, { BACKTALK_MODERATION: 'all' });
    const c = await postComment(server, { body: 'Reviewed text.', author: 'Ann', email: 'ann@mail.example' });
    assert.equal((await moderate(server, c.id, 'approve')).status, 200);
    assert.deepEqual(await listIds(server), [c.id]);

    const edited = await edit(server, c, { body: 'Unreviewed text.' });
    assert.equal(edited.status, 'pending');
    assert.deepEqual(await listIds(server), [], 'hidden while held');
    assert.ok((await adminList(server, 'pending')).some((x) => x.id === c.id));

    assert.equal((await moderate(server, c.id, 'approve')).status, 200);
    const [shown] = (await listComments(server)).comments;
    assert.match(shown!.body_html, /Unreviewed text/);
  });
});

describe('BACKTALK_MODERATION=first-time: an edit is published only for a trusted author', () => {
  it('keeps a trusted author\'s edit published', async (t) => {
    const server = await start(t, { BACKTALK_MODERATION: 'first-time' });
    const first = await postComment(server, { body: 'first', author: 'Ann', email: 'ann@mail.example' });
    await moderate(server, first.id, 'approve');
    const second = await postComment(server, { body: 'second', author: 'Ann', email: 'ann@mail.example' });
    assert.equal(second.status, 'approved');
    const edited = await edit(server, second, { body: 'second, corrected' });
    assert.equal(edited.status, 'approved');
    assert.deepEqual(await listIds(server), [first.id, second.id]);
  });

  it('holds an edit that takes another commenter\'s name', async (t) => {
    const server = await start(t, { BACKTALK_MODERATION: 'first-time' });
    const bob = await postComment(server, { body: 'I am Bob', author: 'Bob', email: 'bob@mail.example' });
    await moderate(server, bob.id, 'approve');
    const ann = await postComment(server, { body: 'I am Ann', author: 'Ann', email: 'ann@mail.example' });
    await moderate(server, ann.id, 'approve');
    const edited = await edit(server, ann, { body: 'Bob here, buy my stuff', author: 'Bob' });
    assert.equal(edited.status, 'pending', 'name and e-mail no longer match one approved comment');
    assert.deepEqual(await listIds(server), [bob.id]);
  });

  it('holds an edit by an author without an e-mail address', async (t) => {
    const server = await start(t, { BACKTALK_MODERATION: 'first-time' });
    const c = await postComment(server, { body: 'anonymous thought', author: 'Ann' });
    await moderate(server, c.id, 'approve');
    const edited = await edit(server, c, { body: 'anonymous thought, changed' });
    assert.equal(edited.status, 'pending');
    assert.deepEqual(await listIds(server), []);
  });
});

describe('Akismet judges edits', () => {
  let fake: FakeAkismet;
  before(async () => {
    fake = await startFakeAkismet();
  });
  after(() => fake.close());
  beforeEach(() => fake.reset());
  const checks = () => fake.requests.filter((r) => r.path === '/1.1/comment-check');

  it('asks Akismet about the edited text and files it as spam when Akismet says so', async (t) => {
    const server = await start(t, { BACKTALK_AKISMET_KEY: FAKE_AKISMET_KEY, BACKTALK_AKISMET_URL: fake.url });
    const c = await postComment(server, { body: 'A thoughtful remark', author: 'Ann' });
    assert.equal(c.status, 'approved');
    assert.equal(checks().length, 1);
    // The fake's guaranteed-spam author (Akismet's documented test value).
    await edit(server, c, { body: 'A thoughtful remark', author: 'viagra-test-123' });
    assert.equal(checks().length, 2, 'the edit was checked');
    assert.equal(checks()[1]!.form.comment_author, 'viagra-test-123');
    assert.equal(await statusOf(server, c.id), 'spam');
    assert.deepEqual(await listIds(server), []);
  });
});

describe('the owner hears of an edit that was held', () => {
  it('mails the owner when an edit sends a published comment back to the queue, with the new text', async (t) => {
    const setup = await startWithMail({ BACKTALK_MODERATION: 'all' });
    t.after(() => setup.close());
    const c = await postComment(setup.app, { body: 'The reviewed version.', author: 'Mallory', email: 'm@mail.example' });
    assert.equal((await moderate(setup.app, c.id, 'approve')).status, 200);
    await setup.flush();
    const before = setup.smtp.to(OWNER).length;

    await edit(setup.app, c, { body: 'The unreviewed version with a new pitch.' });
    await setup.flush();
    const mails = setup.smtp.to(OWNER);
    assert.equal(mails.length, before + 1, 'one mail for the held edit');
    assert.match(mails.at(-1)!.subject, /^\[held\]/);
    assert.match(mails.at(-1)!.text, /unreviewed version with a new pitch/);
  });

  it('does not mail the owner about an edit that stays published', async (t) => {
    const setup = await startWithMail({ BACKTALK_MODERATION: 'auto' });
    t.after(() => setup.close());
    const c = await postComment(setup.app, { body: 'tpyo', author: 'Ann' });
    await setup.flush();
    const before = setup.smtp.to(OWNER).length;
    await edit(setup.app, c, { body: 'typo' });
    await setup.flush();
    assert.equal(setup.smtp.to(OWNER).length, before);
  });
});
