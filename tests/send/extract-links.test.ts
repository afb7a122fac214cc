/**
 * Which links of a post are pinged (readPost): the h-entry's e-content when there is one, else the
 * first <article>, else <main>, else <body>; site chrome, the post itself, non-http(s) links and
 * repeats left out; relative URLs resolved against <base> or the page.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readPost } from '../../src/send/extract-links.js';

const PAGE = 'https://blog.example/2026/12/post/';
const doc = (body: string, head = '') => `<!doctype html><html><head><title>Page title | Blog</title>${head}</head><body>${body}</body></html>`;

describe('readPost', () => {
  test('h-entry: only the e-content links, relative ones resolved, nav inside the content left out', () => {
    const html = doc(`<nav><a href="/">Home</a></nav><div class="h-entry"><h1 class="p-name">Entry name</h1>
      <a class="u-url" href="/2026/12/post/">#</a><a href="https://tags.example/t">tag</a>
      <div class="e-content"><p>See <a href="../other/">other</a> and <a href="https://a.example/x?y=1&amp;z=2">A</a>.</p>
      <nav><a href="https://in-nav.example/">menu</a></nav></div></div><aside><a href="https://blogroll.example/">roll</a></aside>`);
    const post = readPost(html, PAGE);
    assert.deepEqual(post.links, ['https://blog.example/2026/12/other/', 'https://a.example/x?y=1&z=2']);
    assert.equal(post.title, 'Entry name');
    assert.match(post.excerpt, /^See other and A\.$/);
  });

  test('a page of several h-entries: the one whose u-url is the page', () => {
    const entry = (url: string, link: string) => `<div class="h-entry"><a class="u-url" href="${url}">#</a><div class="e-content"><a href="${link}">x</a></div></div>`;
    const html = doc(`<div class="h-feed">${entry('/elsewhere/', 'https://wrong.example/')}${entry('/2026/12/post/', 'https://right.example/')}</div>`);
    assert.deepEqual(readPost(html, PAGE).links, ['https://right.example/']);
  });

  test('no h-entry: the first <article>, without its header and footer', () => {
    const html = doc(`<header><a href="https://menu.example/">m</a></header><main><article><header><a href="https://cat.example/">category</a></header>
      <p><a href="https://one.example/">one</a></p><footer><a href="https://share.example/">share</a></footer></article>
      <article><a href="https://related.example/">related</a></article></main>`);
    assert.deepEqual(readPost(html, PAGE).links, ['https://one.example/']);
  });

  test('no article: <main>; no main: <body> without nav, header, footer, aside', () => {
    assert.deepEqual(readPost(doc('<a href="https://out.example/">o</a><main><a href="https://in.example/">i</a></main>'), PAGE).links, ['https://in.example/']);
    const body = doc(`<nav><a href="https://n.example/">n</a></nav><div role="navigation"><a href="https://r.example/">r</a></div>
      <p><a href="https://body.example/">b</a></p><aside><a href="https://a.example/">a</a></aside><footer><a href="https://f.example/">f</a></footer>`);
    assert.deepEqual(readPost(body, PAGE).links, ['https://body.example/']);
  });

  test('the post itself, fragments of it, other schemes and repeats are left out; <base> is honoured', () => {
    const html = doc(`<article><a href="#comments">c</a><a href="${PAGE}">self</a><a href="/2026/12/post/#x">self</a>
      <a href="mailto:a@b.example">m</a><a href="javascript:alert(1)">j</a><a href="ftp://f.example/">f</a>
      <a href="rel/">r</a><a href="https://dup.example/">1</a><a href="https://dup.example/">2</a><template><a href="https://t.example/">t</a></template></article>`,
    '<base href="/base/">');
    assert.deepEqual(readPost(html, PAGE).links, ['https://blog.example/base/rel/', 'https://dup.example/']);
  });

  test('the fingerprint follows the content, not the page around it', () => {
    const a = readPost(doc('<aside>Recent: one</aside><article><p>Text <a href="https://x.example/">x</a></p></article>'), PAGE);
    const b = readPost(doc('<aside>Recent: two</aside><article><p>Text <a href="https://x.example/">x</a></p></article>'), PAGE);
    const c = readPost(doc('<aside>Recent: two</aside><article><p>Text, edited <a href="https://x.example/">x</a></p></article>'), PAGE);
    assert.equal(a.fingerprint, b.fingerprint);
    assert.notEqual(b.fingerprint, c.fingerprint);
    assert.equal(a.title, 'Page title | Blog');
  });
});
