import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkSourceLinks, mediaKindOf, type LinkCheck, type LinkRule } from '../../src/linkback/find-link.js';

const SOURCE = 'https://alice.example/feed.json';
const TARGET = 'https://blog.example/2024/01/hello/';

function check(contentType: string, body: string, target = TARGET, rule: LinkRule = 'webmention'): LinkCheck {
  return checkSourceLinks({ url: SOURCE, contentType, body }, target, rule);
}

describe('JSON sources (W15)', () => {
  it('links when a string value anywhere is exactly the target', () => {
    const body = JSON.stringify({ items: [{ title: 'x', links: { reply: [TARGET] } }] });
    assert.deepEqual(check('application/json', body), { kind: 'linked', source: { mentionType: 'mention' } });
  });

  it('does not link when the target is only a substring of a longer string', () => {
    assert.equal(check('application/json', JSON.stringify({ text: `I read ${TARGET} today` })).kind, 'no-link');
    assert.equal(check('application/json', JSON.stringify({ url: `${TARGET}more` })).kind, 'no-link');
  });

  it('does not count property names', () => {
    assert.equal(check('application/json', JSON.stringify({ [TARGET]: true })).kind, 'no-link');
  });

  it('compares URL values after normalization, and accepts +json types', () => {
    const body = JSON.stringify({ inReplyTo: 'https://BLOG.example:443/2024/01/hello/#c1' });
    assert.equal(check('application/activity+json; charset=utf-8', body).kind, 'linked');
    assert.equal(check('application/json', JSON.stringify({ u: 'http://blog.example/2024/01/hello/' })).kind, 'no-link');
  });

  it('is no-link for malformed JSON and for the anchor rule', () => {
    assert.equal(check('application/json', `{"u": "${TARGET}"`).kind, 'no-link');
    assert.equal(check('application/json', JSON.stringify([TARGET]), TARGET, 'anchor').kind, 'no-link');
  });
});

describe('text/plain sources (W15)', () => {
  it('links when the body contains the target, with context around it', () => {
    const result = check('text/plain; charset=utf-8', `Notes for today.\nRead ${TARGET} twice.\n`);
    assert.deepEqual(result, { kind: 'linked', source: { excerpt: `Notes for today. Read ${TARGET} twice.`, mentionType: 'mention' } });
  });

  it('also finds the normalized form and the readable Unicode form', () => {
    assert.equal(check('text/plain', 'see https://blog.example/2024/01/hello/ now', 'HTTPS://Blog.Example/2024/01/hello/').kind, 'linked');
    assert.equal(check('text/plain', 'see https://blog.example/тест now', 'https://blog.example/%D1%82%D0%B5%D1%81%D1%82').kind, 'linked');
  });

  it('is no-link without the target, and for the anchor rule', () => {
    assert.equal(check('text/plain', 'nothing here https://blog.example/2024/01/').kind, 'no-link');
    assert.equal(check('text/plain', `see ${TARGET}`, TARGET, 'anchor').kind, 'no-link');
  });
});

describe('other media types', () => {
  it('never links from images, PDFs or other text types', () => {
    for (const type of ['image/png', 'application/pdf', 'text/css', 'application/octet-stream']) {
      assert.equal(check(type, `<a href="${TARGET}">${TARGET}</a>`).kind, 'no-link', type);
    }
  });

  it('classifies content types by their essence', () => {
    assert.equal(mediaKindOf(''), 'html');
    assert.equal(mediaKindOf('Text/HTML; charset=ISO-8859-1'), 'html');
    assert.equal(mediaKindOf('application/xhtml+xml'), 'html');
    assert.equal(mediaKindOf('application/ld+json'), 'json');
    assert.equal(mediaKindOf('text/plain;charset=utf-8'), 'text');
    assert.equal(mediaKindOf('image/svg+xml'), 'other');
  });

  it('does not report gone for a non-HTML body that mentions the meta tag', () => {
    assert.equal(check('text/plain', '<meta http-equiv="Status" content="410 Gone">').kind, 'no-link');
  });
});
