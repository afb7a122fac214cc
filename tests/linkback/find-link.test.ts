import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkSourceLinks, type LinkCheck, type LinkRule } from '../../src/linkback/find-link.js';

const SOURCE = 'https://alice.example/2024/01/post';
const TARGET = 'https://blog.example/2024/01/hello/';
const RULES: LinkRule[] = ['anchor', 'webmention'];

function page(body: string, head = '<title>Alice writes</title>'): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8">${head}</head><body>${body}</body></html>`;
}

function check(body: string, target = TARGET, rule: LinkRule = 'anchor', url = SOURCE): LinkCheck {
  return checkSourceLinks({ url, contentType: 'text/html; charset=utf-8', body }, target, rule);
}

function linkedSource(result: LinkCheck) {
  assert.equal(result.kind, 'linked', `expected a link, got ${result.kind}`);
  return result.kind === 'linked' ? result.source : {};
}

describe('checkSourceLinks on HTML: what counts as a link', () => {
  it('finds an <a href> inside a <p> and reports title and context (P1)', () => {
    const source = linkedSource(check(page(`<p>I liked <a href="${TARGET}">Bob's post</a> a lot.</p>`)));
    assert.deepEqual(source, { title: 'Alice writes', excerpt: "I liked Bob's post a lot." });
  });

  it('does not count the URL written as plain text, under either rule (P2)', () => {
    for (const rule of RULES) {
      assert.equal(check(page(`<p>See ${TARGET} for details.</p>`), TARGET, rule).kind, 'no-link', rule);
    }
  });

  it('does not count links inside <script>, <style>, HTML comments, <textarea> or <template> (P2)', () => {
    const hidden = [
      `<script>document.write('<a href="${TARGET}">x</a>')</script>`,
      `<style>a[href="${TARGET}"] { color: red }</style>`,
      `<!-- <a href="${TARGET}">old link</a> -->`,
      `<!--[if IE]><a href="${TARGET}">ie</a><![endif]-->`,
      `<textarea><a href="${TARGET}">x</a></textarea>`,
      `<template><a href="${TARGET}">x</a><img src="${TARGET}"></template>`,
    ];
    for (const body of hidden) {
      for (const rule of RULES) assert.equal(check(page(`<p>text</p>${body}`), TARGET, rule).kind, 'no-link', body);
    }
  });

  it('counts a link inside <noscript>, which readers without JavaScript see', () => {
    assert.equal(check(page(`<noscript><p><a href="${TARGET}">x</a></p></noscript>`)).kind, 'linked');
  });

  it('matches an href written with &amp; against a target with & (P16)', () => {
    const target = 'https://blog.example/?p=5&lang=en';
    assert.equal(check(page('<p><a href="https://blog.example/?p=5&amp;lang=en">x</a></p>'), target).kind, 'linked');
    assert.equal(check(page('<p><a href="https://blog.example/?p=5&amp;lang=de">x</a></p>'), target).kind, 'no-link');
  });

  it('resolves relative hrefs against <base href>, and against the page URL without one', () => {
    const withBase = page('<p><a href="hello/">x</a></p>', '<base href="https://blog.example/2024/01/">');
    assert.equal(check(withBase).kind, 'linked');
    const relativeBase = page('<p><a href="01/hello/">x</a></p>', '<base href="/2024/">');
    assert.equal(check(relativeBase, TARGET, 'anchor', 'https://blog.example/other/page').kind, 'linked');
    assert.equal(check(page('<p><a href="../01/hello/">x</a></p>'), TARGET, 'anchor', 'https://blog.example/2024/02/x').kind, 'linked');
    // Without the <base>, the same relative href points elsewhere.
    assert.equal(check(page('<p><a href="hello/">x</a></p>')).kind, 'no-link');
  });

  it('ignores a fragment on either side (P17)', () => {
    assert.equal(check(page(`<p><a href="${TARGET}#comments">x</a></p>`)).kind, 'linked');
    assert.equal(check(page(`<p><a href="${TARGET}">x</a></p>`), `${TARGET}#comment-3`).kind, 'linked');
  });

  it('treats http and https as different URLs', () => {
    assert.equal(check(page('<p><a href="http://blog.example/2024/01/hello/">x</a></p>')).kind, 'no-link');
  });

  it('requires an exact path: a missing trailing slash is a different URL', () => {
    assert.equal(check(page('<p><a href="https://blog.example/2024/01/hello">x</a></p>')).kind, 'no-link');
  });

  it('folds host case and the default port', () => {
    assert.equal(check(page('<p><a href="HTTPS://Blog.EXAMPLE:443/2024/01/hello/">x</a></p>')).kind, 'linked');
  });

  it('matches percent-encoded Cyrillic and emoji targets against raw Unicode hrefs (W19)', () => {
    const cyrillic = 'https://blog.example/%D1%82%D0%B5%D1%81%D1%82';
    assert.equal(check(page('<p><a href="https://blog.example/тест">x</a></p>'), cyrillic, 'webmention').kind, 'linked');
    assert.equal(check(page('<p><a href="https://blog.example/тест">x</a></p>'), cyrillic.toLowerCase()).kind, 'linked');
    const emoji = 'https://blog.example/%F0%9F%93%85/';
    assert.equal(check(page('<p><a href="https://blog.example/📅/">x</a></p>'), emoji, 'webmention').kind, 'linked');
    assert.equal(check(page('<p><a href="https://blog.example/📆/">x</a></p>'), emoji, 'webmention').kind, 'no-link');
  });

  it('counts <img>, <video>, <audio> and <source> for webmention, not for anchor (W14)', () => {
    const media = [
      `<img src="${TARGET}" alt="a photo">`,
      `<video src="${TARGET}"></video>`,
      `<audio src="${TARGET}"></audio>`,
      `<video><source src="${TARGET}" type="video/mp4"></video>`,
    ];
    for (const element of media) {
      assert.equal(check(page(`<p>${element}</p>`), TARGET, 'webmention').kind, 'linked', element);
      assert.equal(check(page(`<p>${element}</p>`), TARGET, 'anchor').kind, 'no-link', element);
    }
  });

  it('uses an image mention’s alt text as its link text', () => {
    const source = linkedSource(check(page(`<p>Look at <img src="${TARGET}" alt="the sunset"> today.</p>`), TARGET, 'webmention'));
    assert.equal(source.excerpt, 'Look at the sunset today.');
  });

  it('takes the context of the first matching link only', () => {
    const body = `<p>First <a href="https://other.example/">other</a>.</p><p>Second <a href="${TARGET}">one</a>.</p><p>Third <a href="${TARGET}">two</a>.</p>`;
    assert.equal(linkedSource(check(page(body))).excerpt, 'Second one.');
  });

  it('reports a page declaring itself 410 Gone as gone (W10)', () => {
    const head = '<meta http-equiv="Status" content="410 Gone"><title>Deleted</title>';
    assert.deepEqual(check(page('<p>This post was deleted.</p>', head), TARGET, 'webmention'), { kind: 'gone' });
    const other = '<meta http-equiv="status" content="200 OK">';
    assert.equal(check(page(`<p><a href="${TARGET}">x</a></p>`, other), TARGET, 'webmention').kind, 'linked');
  });

  it('treats an unknown content type as HTML', () => {
    const result = checkSourceLinks({ url: SOURCE, contentType: '', body: page(`<p><a href="${TARGET}">x</a></p>`) }, TARGET, 'anchor');
    assert.equal(result.kind, 'linked');
  });
});

describe('checkSourceLinks on HTML: the title', () => {
  it('is undefined when the page has no <title> (P10)', () => {
    const source = linkedSource(check(page(`<p><a href="${TARGET}">x</a></p>`, '')));
    assert.equal(source.title, undefined);
  });

  it('is entity-decoded and whitespace-collapsed', () => {
    const source = linkedSource(check(page(`<p><a href="${TARGET}">x</a></p>`, '<title>\n  Tom &amp; Jerry&#8217;s   &eacute;t&eacute;  </title>')));
    assert.equal(source.title, 'Tom & Jerry’s été');
  });

  it('is at most 200 code points and ignores an <svg> <title>', () => {
    const long = '😀'.repeat(300);
    const source = linkedSource(check(page(`<svg><title>icon</title></svg><p><a href="${TARGET}">x</a></p>`, `<title>${long}</title>`)));
    assert.ok(source.title !== undefined);
    assert.ok([...source.title].length <= 200);
    assert.ok(source.title.endsWith('…'));
    assert.equal(linkedSource(check(page(`<svg><title>icon</title></svg><p><a href="${TARGET}">x</a></p>`, ''))).title, undefined);
  });
});

describe('checkSourceLinks on a large page', () => {
  it('parses a 1 MiB page and finds a link near its end', () => {
    const paragraph = '<p>Lorem ipsum <a href="https://other.example/x?a=1&amp;b=2">dolor</a> sit amet, <em>consectetur</em> adipiscing elit.</p>\n';
    const body = paragraph.repeat(Math.ceil((1024 * 1024) / paragraph.length)) + `<p>Finally <a href="${TARGET}">the post</a>.</p>`;
    const html = page(body);
    assert.ok(html.length > 1024 * 1024);
    for (const rule of RULES) {
      const source = linkedSource(check(html, TARGET, rule));
      assert.equal(source.excerpt, 'Finally the post.');
    }
  });
});
