/**
 * Reply subscriptions: double opt-in, mail only for approved replies by others, never for spam,
 * and RFC 8058 one-click unsubscribe.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ADMIN_TOKEN, POST } from '../helpers/test-server.js';
import { linkAfter, postComment, startWithMail, useMailSetup, type MailSetup } from './support.js';

const READER = 'reader@example.org';

const pathOf = (link: string) => new URL(link).pathname + new URL(link).search;

async function confirmSubscription(setup: MailSetup, address: string): Promise<void> {
  const mail = setup.smtp.to(address).at(-1);
  assert.ok(mail, `a confirmation mail went to ${address}`);
  const link = linkAfter(mail.text, 'To confirm, open this link and press the button');
  const page = await setup.app.request(pathOf(link));
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<form method="post"/);
  const url = new URL(link);
  const res = await setup.app.postForm('/subscriptions/confirm', { id: url.searchParams.get('id')!, token: url.searchParams.get('token')! });
  assert.equal(res.status, 200);
}

describe('reply subscriptions (moderation: auto)', () => {
  const setup = useMailSetup({ BACKTALK_NOTIFY_EMAIL: '' });

  test('double opt-in: nothing but the confirmation mail until the address confirms', async () => {
    // A plain form post, the way the widget's checkbox sends it.
    const form = await setup.app.postForm('/comments', { target: POST, author: 'Reader', email: READER, body: 'First!', subscribe: '1' });
    assert.equal(form.status, 303);
    await setup.flush();
    const confirm = setup.smtp.to(READER);
    assert.equal(confirm.length, 1);
    assert.match(confirm[0]!.subject, /^Confirm: replies on http:\/\/blog\.example\/2026\/11\/hello\//);

    await postComment(setup.app, { author: 'Bob', email: 'bob@example.org', body: 'a reply before confirming' });
    await setup.flush();
    assert.equal(setup.smtp.to(READER).length, 1, 'no reply mail before confirmation');

    // A GET of the confirmation link (a mail scanner) confirms nothing.
    await setup.app.request(pathOf(linkAfter(confirm[0]!.text, 'To confirm, open this link and press the button')));
    await postComment(setup.app, { author: 'Bob', email: 'bob@example.org', body: 'still unconfirmed' });
    await setup.flush();
    assert.equal(setup.smtp.to(READER).length, 1, 'GET did not confirm');

    await confirmSubscription(setup, READER);
    const reply = await postComment(setup.app, { author: 'Bob', email: 'bob@example.org', body: 'now you hear me' });
    await setup.flush();
    const mails = setup.smtp.to(READER);
    assert.equal(mails.length, 2);
    const mail = mails[1]!;
    assert.match(mail.subject, /New reply by Bob/);
    assert.match(mail.text, /now you hear me/);
    assert.match(mail.text, new RegExp(`#comment-${reply.id}`));
    assert.match(mail.headers.get('list-unsubscribe') ?? '', /^<http:\/\/127\.0\.0\.1:\d+\/subscriptions\/unsubscribe\?id=\d+&token=[\w-]+&lang=en>$/);
    assert.equal(mail.headers.get('list-unsubscribe-post'), 'List-Unsubscribe=One-Click');
  });

  test("the subscriber's own comment is not mailed back to them; spam is never mailed", async () => {
    const before = setup.smtp.to(READER).length;
    await postComment(setup.app, { author: 'Reader', email: 'Reader@Example.org', body: 'my own words' });
    await setup.app.postJson('/comments', { target: POST, author: 'Bot', body: 'cheap pills', website2: 'filled' });
    await setup.flush();
    assert.equal(setup.smtp.to(READER).length, before);
  });

  test('asking again while confirmed sends no new confirmation and keeps the subscription', async () => {
    const before = setup.smtp.to(READER).length;
    await postComment(setup.app, { author: 'Reader', email: READER, body: 'again', subscribe: true });
    await setup.flush();
    assert.equal(setup.smtp.to(READER).length, before);
  });

  test('one-click unsubscribe: POST with List-Unsubscribe=One-Click stops the mails at once', async () => {
    const last = setup.smtp.to(READER).at(-1)!;
    const url = (last.headers.get('list-unsubscribe') ?? '').replace(/^<|>$/g, '');
    // A tampered token is refused and unsubscribes nobody.
    const bad = await setup.app.request(pathOf(url.replace(/token=[\w-]+/, 'token=AAAA')), {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click',
    });
    assert.equal(bad.status, 400);
    // GET shows a page and changes nothing.
    assert.equal((await setup.app.request(pathOf(url))).status, 200);
    await postComment(setup.app, { author: 'Bob', email: 'bob@example.org', body: 'still subscribed' });
    await setup.flush();
    const count = setup.smtp.to(READER).length;
    assert.match(setup.smtp.to(READER).at(-1)!.text, /still subscribed/);

    const res = await setup.app.request(pathOf(url), {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click',
    });
    assert.equal(res.status, 200);
    await postComment(setup.app, { author: 'Bob', email: 'bob@example.org', body: 'after unsubscribing' });
    await setup.flush();
    assert.equal(setup.smtp.to(READER).length, count, 'no mail after unsubscribing');
  });
});

describe('reply subscriptions (moderation: all)', () => {
  const setup = useMailSetup({ BACKTALK_NOTIFY_EMAIL: '', BACKTALK_MODERATION: 'all' });

  test('a held reply is mailed to subscribers only once a moderator approves it; a reply marked spam never', async () => {
    await postComment(setup.app, { author: 'Reader', email: READER, body: 'watching', subscribe: '1' });
    await setup.flush();
    await confirmSubscription(setup, READER);
    const base = setup.smtp.to(READER).length;

    const held = await postComment(setup.app, { author: 'Bob', email: 'bob@example.org', body: 'held reply' });
    const spam = await postComment(setup.app, { author: 'Carl', email: 'carl@example.org', body: 'spammy reply' });
    assert.equal(held.status, 'pending');
    await setup.flush();
    assert.equal(setup.smtp.to(READER).length, base, 'nothing while held');

    const act = (id: number, action: string) => setup.app.request(`/api/admin/comments/${id}`, {
      method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ action }),
    });
    assert.equal((await act(spam.id, 'spam')).status, 200);
    await setup.flush();
    assert.equal(setup.smtp.to(READER).length, base, 'nothing for spam');

    assert.equal((await act(held.id, 'approve')).status, 200);
    await setup.flush();
    const mails = setup.smtp.to(READER);
    assert.equal(mails.length, base + 1);
    assert.match(mails.at(-1)!.text, /held reply/);
    assert.ok(!setup.smtp.mails.some((m) => m.text.includes('spammy reply')), 'the spam text went out to nobody');
  });
});

describe('reply subscriptions: addresses', () => {
  test('an address that could be read as several recipients is never subscribed or mailed', async () => {
    const setup = await startWithMail({ BACKTALK_NOTIFY_EMAIL: '' });
    try {
      const res = await setup.app.postJson('/comments', { target: POST, author: 'X', email: 'a,victim@example.org', body: 'list trick', subscribe: true });
      assert.equal(res.status, 201);
      await setup.flush();
      assert.equal(setup.smtp.mails.length, 0);
      const thread = await setup.app.deps.store.threads.findByTarget(POST);
      assert.equal(await setup.app.deps.store.subscriptions.findByEmail('a,victim@example.org', thread!.id), undefined);
    } finally {
      await setup.close();
    }
  });
});
