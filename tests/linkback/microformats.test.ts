import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { VerifiedSource } from '../../src/domain/comment.js';
import { checkSourceLinks, type LinkRule } from '../../src/linkback/find-link.js';

const SOURCE = 'https://alice.example/notes/42';
const TARGET = 'https://blog.example/2024/01/hello/';

function sourceOf(body: string, rule: LinkRule = 'webmention', head = '<title>Alice’s notes</title>'): VerifiedSource {
  const html = `<!DOCTYPE html><html><head>${head}</head><body>${body}</body></html>`;
  const result = checkSourceLinks({ url: SOURCE, contentType: 'text/html', body: html }, TARGET, rule);
  assert.equal(result.kind, 'linked');
  return result.kind === 'linked' ? result.source : {};
}

const AUTHOR = `<span class="p-author h-card"><img class="u-photo" src="/me.jpg" alt="">
  <a class="p-name u-url" href="https://alice.example/">Alice Liddell</a></span>`;

function entry(property: string, extra = ''): string {
  return `<article class="h-entry">${AUTHOR}
    <a class="${property}" href="${TARGET}">Bob’s post</a>
    <div class="e-content"><p>Great point about <a href="${TARGET}">this</a>, thanks!</p></div>${extra}
    <a class="u-url" href="/notes/42">permalink</a></article>`;
}

describe('h-entry facts for Webmention', () => {
  it('reads a reply with an author h-card: name, url, photo and mentionType reply', () => {
    const source = sourceOf(entry('u-in-reply-to'));
    assert.deepEqual(source, {
      title: 'Alice’s notes',
      excerpt: 'Great point about this, thanks!',
      authorName: 'Alice Liddell',
      authorUrl: 'https://alice.example/',
      authorPhoto: 'https://alice.example/me.jpg',
      mentionType: 'reply',
    });
  });

  it('reads like-of as a like', () => {
    assert.equal(sourceOf(entry('u-like-of')).mentionType, 'like');
  });

  it('reads repost-of as a repost', () => {
    assert.equal(sourceOf(entry('u-repost-of')).mentionType, 'repost');
  });

  it('is a plain mention when the reply is to another post', () => {
    const body = `<article class="h-entry">${AUTHOR}<a class="u-in-reply-to" href="https://elsewhere.example/">x</a>
      <p class="e-content">See <a href="${TARGET}">Bob</a>.</p></article>`;
    const source = sourceOf(body);
    assert.equal(source.mentionType, 'mention');
    assert.equal(source.authorName, 'Alice Liddell');
  });

  it('reads in-reply-to given as an h-cite', () => {
    const body = `<article class="h-entry"><div class="u-in-reply-to h-cite"><a class="u-url p-name" href="${TARGET}">Bob</a></div>
      <p class="e-content">Yes.</p></article>`;
    assert.equal(sourceOf(body).mentionType, 'reply');
  });

  it('prefers the h-entry name and summary over <title> and link context', () => {
    const body = `<article class="h-entry"><h1 class="p-name">On hello posts</h1><p class="p-summary">A summary.</p>
      <div class="e-content"><p>Long text linking <a href="${TARGET}">here</a>.</p></div></article>`;
    const source = sourceOf(body);
    assert.equal(source.title, 'On hello posts');
    assert.equal(source.excerpt, 'A summary.');
  });

  it('does not take a note’s implied name (its whole text) as a title', () => {
    const body = `<div class="h-entry"><a class="u-url" href="${SOURCE}"></a>Nice one <a href="${TARGET}">Bob</a></div>`;
    const source = sourceOf(body);
    assert.equal(source.title, 'Alice’s notes');
    assert.equal(source.mentionType, 'mention');
  });

  it('truncates long entry content to about 300 code points', () => {
    const body = `<article class="h-entry"><a class="u-in-reply-to" href="${TARGET}">re</a>
      <div class="e-content">${'lorem ipsum '.repeat(100)}</div></article>`;
    const source = sourceOf(body);
    assert.ok(source.excerpt !== undefined && [...source.excerpt].length <= 300 && source.excerpt.endsWith('…'));
  });

  it('accepts a plain-string author', () => {
    const body = `<article class="h-entry"><span class="p-author">Alice</span><a class="u-like-of" href="${TARGET}">♥</a></article>`;
    const source = sourceOf(body);
    assert.equal(source.authorName, 'Alice');
    assert.equal(source.mentionType, 'like');
  });

  it('keeps only http(s) author URLs', () => {
    const body = `<article class="h-entry"><a class="p-author h-card" href="javascript:alert(1)">Mallory</a>
      <a class="u-in-reply-to" href="${TARGET}">x</a></article>`;
    const source = sourceOf(body);
    assert.equal(source.authorName, 'Mallory');
    assert.equal(source.authorUrl, undefined);
  });

  it('picks the entry whose url is the page itself on a feed page', () => {
    const other = `<article class="h-entry"><a class="u-url" href="/notes/41">41</a><span class="p-author">Carol</span>
      <a class="u-like-of" href="${TARGET}">like</a></article>`;
    const mine = `<article class="h-entry"><a class="u-url" href="/notes/42">42</a><span class="p-author">Alice</span>
      <a class="u-repost-of" href="${TARGET}">repost</a></article>`;
    const source = sourceOf(`<div class="h-feed">${other}${mine}</div>`);
    assert.equal(source.authorName, 'Alice');
    assert.equal(source.mentionType, 'repost');
  });

  it('resolves URLs under a relative <base href> (which microformats-parser cannot do itself)', () => {
    const source = sourceOf(entry('u-in-reply-to'), 'webmention', '<base href="/static/"><title>t</title>');
    assert.equal(source.authorPhoto, 'https://alice.example/me.jpg');
    const relative = `<article class="h-entry"><span class="p-author h-card"><img class="u-photo" src="me.png" alt="">A</span>
      <a class="u-in-reply-to" href="${TARGET}">x</a></article>`;
    assert.equal(sourceOf(relative, 'webmention', '<base href="/static/">').authorPhoto, 'https://alice.example/static/me.png');
  });

  it('marks a webmention without an h-entry as a mention with link context', () => {
    const source = sourceOf(`<p>Read <a href="${TARGET}">this</a>.</p>`);
    assert.deepEqual(source, { title: 'Alice’s notes', excerpt: 'Read this.', mentionType: 'mention' });
  });

  it('reads the h-entry of a 1 MiB page with a large inline script', () => {
    const script = `<script>var data = "${'<a class=\\"u-like-of\\" href=\\"x\\">'.repeat(10000)}";</script>`;
    const filler = '<p>Lorem ipsum <a href="https://other.example/x?a=1&amp;b=2">dolor</a> sit amet.</p>\n'.repeat(9000);
    const body = `${script}<article class="h-entry">${AUTHOR}<a class="u-in-reply-to" href="${TARGET}">re</a>
      <div class="e-content"><p>Reply text.</p>${filler}</div></article>`;
    assert.ok(body.length > 1024 * 1024);
    const source = sourceOf(body);
    assert.equal(source.mentionType, 'reply');
    assert.equal(source.authorName, 'Alice Liddell');
    assert.ok(source.excerpt?.startsWith('Reply text.'), source.excerpt);
  });

  it('is not consulted for Pingback and TrackBack (anchor rule)', () => {
    const source = sourceOf(entry('u-in-reply-to'), 'anchor');
    assert.deepEqual(Object.keys(source).sort(), ['excerpt', 'title']);
  });
});
