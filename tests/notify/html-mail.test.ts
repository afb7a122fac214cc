/**
 * Issue 17.8: owner and reply mails carry an HTML part beside the unchanged plain text
 * (multipart/alternative), with the post's title as a link and the comment as sanitized HTML, every
 * link absolute, inline styles only, in the mail's language. Sent through the real local SMTP server.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { commentHtmlForMail } from '../../src/pipeline/sanitize.js';
import { POST } from '../helpers/test-server.js';
import { XSS_CORPUS } from '../unit/xss-corpus.js';
import { linkAfter, OWNER, postComment, useMailSetup, type MailSetup, type ReceivedMail } from './support.js';

const TITLE = 'Hedgehog & "the" fog';
const READER = 'reader@example.org';

/** Every href and src value of the HTML's tags (text may show such strings harmlessly). */
function urlsIn(html: string): string[] {
  const tags = (html.match(/<[^>]*>/g) ?? []).join(' ');
  return [...tags.matchAll(/\s(?:href|src)="([^"]*)"/gi)].map((m) => m[1]!.replace(/&amp;/g, '&'));
}

/** What no HTML part may contain, whatever the comment held. */
function assertMailSafe(html: string): void {
  assert.doesNotMatch(html, /<script|<style|<iframe|<img|<object|<embed|<form|<svg|<math|<link\b|<base\b/i, 'no active or external element');
  // Every "<" in text is escaped, so each one left opens a real tag; payloads shown as text are harmless.
  const tags = html.match(/<[^>]*>/g) ?? [];
  for (const tag of tags) {
    assert.doesNotMatch(tag, /\son\w+\s*=/i, `no event handler attribute: ${tag}`);
    assert.doesNotMatch(tag, /javascript:|vbscript:|data:/i, `no script URL: ${tag}`);
    assert.doesNotMatch(tag, /\sclass=/i, `no classes, inline styles only: ${tag}`);
  }
  for (const url of urlsIn(html)) {
    const parsed = new URL(url); // throws on anything relative
    assert.ok(['http:', 'https:', 'mailto:'].includes(parsed.protocol), `absolute http(s)/mailto link: ${url}`);
  }
}

function assertTwoParts(mail: ReceivedMail): string {
  assert.match(mail.headers.get('content-type') ?? '', /^multipart\/alternative;/);
  assert.deepEqual(mail.parts, ['text/plain', 'text/html'], 'plain text first, the HTML alternative last (RFC 2046 §5.1.4)');
  assert.ok(mail.html, 'an HTML part');
  return mail.html;
}

async function confirm(setup: MailSetup, address: string): Promise<void> {
  // The confirmation mail is in the comment's language: find its link by its path.
  const link = new URL(/http\S+\/subscriptions\/confirm\S+/.exec(setup.smtp.to(address).at(-1)!.text)![0]);
  const res = await setup.app.postForm('/subscriptions/confirm', { id: link.searchParams.get('id')!, token: link.searchParams.get('token')! });
  assert.equal(res.status, 200);
}

describe('HTML mails', () => {
  // Published at once (moderation auto): a post's title is learned from approved comments only.
  const setup = useMailSetup();

  test("the owner's mail: plain text as before, plus HTML with the post's title, the comment and working links", async () => {
    const c = await postComment(setup.app, {
      author: 'Ann', email: 'ann@example.org', url: 'https://ann.example/', title: TITLE,
      body: 'A **bold** claim with [a source](https://example.org/src?a=1&b=2) and <em>emphasis</em>.',
    });
    await setup.flush();
    const mail = setup.smtp.to(OWNER).at(-1)!;
    const html = assertTwoParts(mail);

    // The plain text is what it was: the raw comment and a "Label: URL" line per link.
    assert.match(mail.text, /A \*\*bold\*\* claim with \[a source\]/);
    const read = linkAfter(mail.text, 'Read it');
    const del = linkAfter(mail.text, 'Delete');

    assert.match(html, /^<!doctype html>\n<html lang="en" dir="ltr">/);
    assert.ok(html.includes(`<a href="${POST}" style="`), 'the post is linked');
    assert.ok(html.includes('>Hedgehog &amp; &quot;the&quot; fog</a>'), 'the title, escaped');
    assert.match(html, /<strong[^>]*>bold<\/strong>/);
    assert.match(html, /<em[^>]*>emphasis<\/em>/);
    assert.ok(html.includes('href="https://example.org/src?a=1&amp;b=2"'), "the comment's own link, absolute");
    const urls = urlsIn(html);
    for (const link of [read, del, linkAfter(mail.text, 'Mark as spam'), linkAfter(mail.text, 'All comments'), 'https://ann.example/']) {
      assert.ok(urls.includes(link), `the HTML links to ${link}`);
    }
    assert.equal(read, `${POST}#comment-${c.id}`);
    assert.ok(html.includes('>Read it</a>'));
    assertMailSafe(html);
    // Styles travel on the elements: nothing for a client to strip.
    assert.match(html, /<body style="[^"]*background:#ffffff/);

    // The link from the HTML works like the one in the text: a confirmation page.
    const page = await setup.app.request(new URL(del).pathname + new URL(del).search);
    assert.equal(page.status, 200);
  });

  test('nothing from the XSS corpus gets through to the HTML part', async () => {
    const before = setup.smtp.to(OWNER).length;
    let posted = 0;
    for (let i = 0; i < XSS_CORPUS.length; i += 15) {
      const body = XSS_CORPUS.slice(i, i + 15).map((c) => c.payload).join('\n\n');
      await postComment(setup.app, { author: 'Mallory', body: `${body}\n\n${i}` });
      posted++;
    }
    await setup.flush();
    const mails = setup.smtp.to(OWNER).slice(before);
    assert.equal(mails.length, posted, 'a mail per comment');
    for (const mail of mails) assertMailSafe(assertTwoParts(mail));
  });

  test('a stored body the current policy did not write (an old row, an import) is sanitized again for mail', () => {
    const out = commentHtmlForMail('<p class="x" style="position:fixed">Hi <a href="/relative">rel</a> <a href="javascript:alert(1)">js</a> '
      + '<a href="https://ok.example/" onclick="alert(1)" target="_blank">ok</a><img src="https://t.example/pixel.gif"><script>alert(1)</script></p>');
    assertMailSafe(out);
    assert.match(out, /^<p style="margin:0 0 8px">Hi rel js <a href="https:\/\/ok\.example\/" rel="nofollow ugc" style="[^"]+">ok<\/a><\/p>$/);
  });

  test('the reply mail: HTML with the title, the reply, "read" and one-click unsubscribe links, in the reader\'s language', async () => {
    const target = `${POST}reply-html/`;
    const first = await postComment(setup.app, { target, author: 'Reader', email: READER, body: 'First!', subscribe: true, title: TITLE, lang: 'de' });
    await setup.flush();
    await confirm(setup, READER);
    const reply = await postComment(setup.app, { target, author: 'Bob', email: 'bob@example.org', parent: first.id, body: 'Ein _Gegenargument_: https://example.net/x' });
    await setup.flush();
    const mail = setup.smtp.to(READER).at(-1)!;
    assert.match(mail.subject, /Bob/);
    const html = assertTwoParts(mail);
    assert.match(html, /<html lang="de" dir="ltr">/);
    assert.ok(html.includes(`<a href="${target}" style="`) && html.includes('Hedgehog &amp; &quot;the&quot; fog</a>'));
    assert.match(html, /<em[^>]*>Gegenargument<\/em>/);
    assert.ok(html.includes('href="https://example.net/x"'), 'a bare URL in the reply became an absolute link');
    const unsubscribe = (mail.headers.get('list-unsubscribe') ?? '').replace(/^<|>$/g, '');
    const urls = urlsIn(html);
    assert.ok(urls.includes(`${target}#comment-${reply.id}`), 'links to the reply itself');
    assert.ok(urls.includes(unsubscribe), 'the same unsubscribe link as the header');
    assert.ok(html.includes('>Lesen und antworten</a>'), 'in German, the subscriber\'s language');
    assertMailSafe(html);
  });
});
