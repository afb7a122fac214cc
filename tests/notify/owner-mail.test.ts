/**
 * The owner's mail for each new item, and its one-click moderation links: GET only shows a
 * confirmation page, POST acts once, expired and tampered links are refused.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { linkAfter, OWNER, postComment, startWithMail, useMailSetup, type MailSetup } from './support.js';

async function status(setup: MailSetup, id: number): Promise<string | undefined> {
  return (await setup.app.deps.store.comments.findById(id))?.status;
}

const formPost = (setup: MailSetup, link: string, init: RequestInit = {}) => {
  const token = new URL(link).searchParams.get('token') ?? '';
  return setup.app.request('/mail/action', {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token }).toString(), ...init,
  });
};

describe('owner notification mail', () => {
  const setup = useMailSetup({ BACKTALK_MODERATION: 'all' });

  test('a held comment mails the owner with [held] first in the subject and the comment in the text', async () => {
    const c = await postComment(setup.app, { author: 'Mallory', email: 'm@example.org', body: 'Is this <script>held</script>?' });
    assert.equal(c.status, 'pending');
    // The request answered before any SMTP traffic: nothing is sent until the outbox runs.
    assert.equal(setup.smtp.to(OWNER).length, 0);
    await setup.flush();
    const [mail] = setup.smtp.to(OWNER);
    assert.ok(mail, 'the owner got a mail');
    assert.match(mail.subject, /^\[held\] New comment by Mallory on http:\/\/blog\.example\//);
    assert.equal(mail.from, 'backtalk@blog.example');
    assert.match(mail.text, /Is this <script>held<\/script>\?/);
    assert.match(mail.text, /E-mail: m@example\.org/);
    for (const label of ['Approve', 'Mark as spam', 'Delete']) assert.match(linkAfter(mail.text, label), /\/mail\/action\?token=/);
  });

  test('GET on a link shows an escaped confirmation page with a strict CSP and changes nothing', async () => {
    const c = await postComment(setup.app, { author: 'Eve', body: 'approve me <img src=x onerror=alert(1)>' });
    await setup.flush();
    const mail = setup.smtp.to(OWNER).at(-1)!;
    const approve = linkAfter(mail.text, 'Approve');
    const res = await setup.app.request(new URL(approve).pathname + new URL(approve).search);
    assert.equal(res.status, 200);
    const page = await res.text();
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    assert.match(page, /<form method="post"/);
    assert.ok(!page.includes('<img src=x'), 'the author name is escaped');
    assert.match(page, /by <strong><bdi>Eve<\/bdi><\/strong>/, 'the name is isolated in <bdi>');
    assert.match(page, /&lt;img src=x onerror=alert\(1\)&gt;/);
    assert.equal(await status(setup, c.id), 'pending', 'GET did not approve');

    const done = await formPost(setup, approve);
    assert.equal(done.status, 200);
    assert.equal(await status(setup, c.id), 'approved');

    const again = await formPost(setup, approve);
    assert.equal(again.status, 409, 'each link works once');
  });

  test('spam and delete links act through POST', async () => {
    const a = await postComment(setup.app, { body: 'spam me' });
    await setup.flush();
    await formPost(setup, linkAfter(setup.smtp.to(OWNER).at(-1)!.text, 'Mark as spam'));
    assert.equal(await status(setup, a.id), 'spam');

    const b = await postComment(setup.app, { body: 'delete me' });
    await setup.flush();
    const res = await formPost(setup, linkAfter(setup.smtp.to(OWNER).at(-1)!.text, 'Delete'));
    assert.equal(res.status, 200);
    assert.equal(await status(setup, b.id), undefined);
  });

  test('a tampered link is refused and changes nothing', async () => {
    const c = await postComment(setup.app, { body: 'tamper' });
    await setup.flush();
    const approve = new URL(linkAfter(setup.smtp.to(OWNER).at(-1)!.text, 'Approve'));
    const token = approve.searchParams.get('token')!;
    const [body, sig] = token.split('.') as [string, string];
    // Point the signed approval at another comment id, keeping the signature.
    const claim = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { c: number };
    const otherBefore = await status(setup, claim.c - 1);
    const forged = `${Buffer.from(JSON.stringify({ ...claim, c: claim.c - 1 })).toString('base64url')}.${sig}`;
    for (const bad of [forged, `${body}.${sig.slice(0, -2)}AA`, 'garbage']) {
      const res = await setup.app.request('/mail/action', {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: bad }).toString(),
      });
      assert.equal(res.status, 400, bad);
    }
    assert.equal(await status(setup, c.id), 'pending');
    assert.equal(await status(setup, claim.c - 1), otherBefore, 'the other comment was left as it was');
  });

  test('an expired link is refused (7 days)', async () => {
    const c = await postComment(setup.app, { body: 'old mail' });
    await setup.flush();
    const approve = linkAfter(setup.smtp.to(OWNER).at(-1)!.text, 'Approve');
    setup.clock.advance(7 * 24 * 3600_000 + 60_000);
    try {
      const get = await setup.app.request(new URL(approve).pathname + new URL(approve).search);
      assert.equal(get.status, 410);
      const res = await formPost(setup, approve);
      assert.equal(res.status, 410);
      assert.equal(await status(setup, c.id), 'pending');
    } finally {
      setup.clock.advance(-(7 * 24 * 3600_000 + 60_000));
    }
  });

  test('spam is never mailed; an approved comment is mailed without the [held] mark and without an approve link', async () => {
    const before = setup.smtp.to(OWNER).length;
    await setup.app.postJson('/comments', { target: 'http://blog.example/2026/11/hello/', author: 'Bot', body: 'buy', website2: 'x' });
    await setup.flush();
    assert.equal(setup.smtp.to(OWNER).length, before, 'no mail for spam');
  });
});

describe('owner notification mail, auto-approved and linkbacks', () => {
  const setup = useMailSetup();

  test('an approved comment: plain subject, a link to read it, no approve link', async () => {
    const c = await postComment(setup.app, { author: 'Ann', body: 'fine' });
    assert.equal(c.status, 'approved');
    await setup.flush();
    const mail = setup.smtp.to(OWNER).at(-1)!;
    assert.match(mail.subject, /^New comment by Ann/);
    assert.match(mail.text, new RegExp(`Read it: http://blog\\.example/2026/11/hello/#comment-${c.id}`));
    assert.ok(!/^Approve: /m.test(mail.text));
    assert.match(linkAfter(mail.text, 'Mark as spam'), /token=/);
  });

  test('a linkback is mailed too; an unverified TrackBack is held and says so', async () => {
    const tb = await startWithMail({ BACKTALK_VERIFY_TRACKBACKS: 'false' });
    try {
      const res = await tb.app.postForm(`/trackback?target=${encodeURIComponent('http://blog.example/2026/11/hello/')}`, {
        url: 'http://other.example/answer', title: 'An answer', blog_name: 'Other blog', excerpt: 'I disagree, politely',
      });
      assert.match(await res.text(), /<error>0<\/error>/);
      await tb.flush();
      const [mail] = tb.smtp.to(OWNER);
      assert.ok(mail);
      assert.match(mail.subject, /^\[held\] New trackback by Other blog on http:\/\/blog\.example\//);
      assert.match(mail.text, /Source: http:\/\/other\.example\/answer/);
      assert.match(mail.text, /I disagree, politely/);
      assert.match(linkAfter(mail.text, 'Approve'), /token=/);
    } finally {
      await tb.close();
    }
  });

  test('nothing is mailed when no owner address is set', async () => {
    const quiet = await startWithMail({ BACKTALK_NOTIFY_EMAIL: '' });
    try {
      await postComment(quiet.app, { body: 'nobody told' });
      await quiet.flush();
      assert.equal(quiet.smtp.mails.length, 0);
    } finally {
      await quiet.close();
    }
  });
});

describe('mail language', () => {
  test('BACKTALK_MAIL_LANG=ru: Russian subject and text, and the links still work', async () => {
    const ru = await startWithMail({ BACKTALK_MAIL_LANG: 'ru', BACKTALK_MODERATION: 'all' });
    try {
      const c = await postComment(ru.app, { author: 'Аня', body: 'Привет, мир' });
      await ru.flush();
      const mail = ru.smtp.to(OWNER).at(-1)!;
      assert.match(mail.subject, /^\[на проверке\] Новый комментарий от Аня: http:\/\/blog\.example\//);
      assert.match(mail.text, /Привет, мир/);
      const approve = linkAfter(mail.text, 'Одобрить');
      const res = await ru.app.postForm('/mail/action', { token: new URL(approve).searchParams.get('token')! });
      assert.equal(res.status, 200);
      assert.equal((await ru.app.deps.store.comments.findById(c.id))?.status, 'approved');
    } finally {
      await ru.close();
    }
  });
});
