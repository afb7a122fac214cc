/**
 * Microformats2 (WM-SPEC §3.2.4: data comes from the source's primary h-entry): the author's h-card
 * and the response type (reply, like, repost) are stored with the mention.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { POST } from '../helpers/test-server.js';
import { mentionsFrom, PRIVATE_FETCH, submitAndProcess, type PublicComment } from './support.js';
import { useLinkbackServer } from '../helpers/fixtures.js';

const { server, source } = useLinkbackServer(PRIVATE_FETCH);

const AUTHOR = `<span class="p-author h-card"><a class="u-url p-name" href="https://ann.example/">Ann Author</a>` +
  `<img class="u-photo" src="https://ann.example/photo.jpg" alt=""></span>`;

function entryPage(inner: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Ann's site</title></head><body>` +
    `<article class="h-entry">${AUTHOR}${inner}</article></body></html>`;
}

async function mentionAt(path: string, body: string): Promise<PublicComment> {
  source.set(path, { body });
  const status = await submitAndProcess(server, source.url(path));
  assert.equal(status.status, 'accepted', `reason: ${status.reason}`);
  const mentions = await mentionsFrom(server, source.url(path));
  assert.equal(mentions.length, 1);
  return mentions[0]!;
}

describe('an h-entry source', () => {
  test('a reply: u-in-reply-to and a p-author h-card give the author name, url and photo, and type reply', async () => {
    const mention = await mentionAt('/reply', entryPage(
      `<p>In reply to <a class="u-in-reply-to" href="${POST}">Hello</a></p>` +
      `<div class="e-content">Great post, I agree with every word.</div>`,
    ));
    assert.equal(mention.type, 'webmention');
    assert.equal(mention.author, 'Ann Author');
    assert.equal(mention.url, 'https://ann.example/');
    assert.equal(mention.mention_type, 'reply');
    assert.match(mention.body_html, /Great post, I agree/);
    const stored = await server.deps.store.comments.findById(mention.id);
    assert.equal(stored?.authorPhoto, 'https://ann.example/photo.jpg', 'the h-card photo is stored');
  });

  test('u-like-of gives type like', async () => {
    const mention = await mentionAt('/like', entryPage(`<p>Liked <a class="u-like-of" href="${POST}">Hello</a></p>`));
    assert.equal(mention.mention_type, 'like');
    assert.equal(mention.author, 'Ann Author');
  });

  test('u-repost-of gives type repost', async () => {
    const mention = await mentionAt('/repost', entryPage(`<p>Reposted <a class="u-repost-of" href="${POST}">Hello</a></p>`));
    assert.equal(mention.mention_type, 'repost');
    assert.equal(mention.author, 'Ann Author');
  });

  test('a plain link inside the h-entry gives type mention', async () => {
    const mention = await mentionAt('/plain-mention', entryPage(`<div class="e-content">I wrote about <a href="${POST}">this</a>.</div>`));
    assert.equal(mention.mention_type, 'mention');
  });

  test('a javascript: author URL is not stored', async () => {
    const page = `<!doctype html><html><body><article class="h-entry">` +
      `<span class="p-author h-card"><a class="u-url p-name" href="javascript:alert(1)">Mallory</a></span>` +
      `<p><a class="u-in-reply-to" href="${POST}">Hello</a></p></article></body></html>`;
    const mention = await mentionAt('/js-author', page);
    assert.doesNotMatch(mention.url, /javascript:/i);
    assert.doesNotMatch(JSON.stringify(mention), /javascript:/i);
  });
});
