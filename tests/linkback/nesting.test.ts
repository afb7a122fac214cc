/**
 * Issue 14, point 3: a source page is scanned in time linear in its size whatever its nesting. A
 * 1 MiB page of nested tags (the fetch cap) took over six minutes before nesting was bounded; these
 * tests check the result on such pages, not the time (the time is in `npm run bench -- --only
 * nested-page`). What makes them fail if the bound goes: the scan must report the page as
 * pathological (nesting past MAX_NESTING), and a Webmention of it must skip the microformats parse.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { checkSourceLinks } from '../../src/linkback/find-link.js';
import { MAX_NESTING, scanHtml } from '../../src/linkback/source-document.js';
import { nestedPage } from '../helpers/pages.js';

const TARGET = 'http://blog.example/2026/11/hello/';
const MiB = 1024 * 1024;
const doc = (body: string) => ({ url: 'http://source.example/post', contentType: 'text/html; charset=utf-8', body });

describe('deeply nested source pages', () => {
  it('finds the link in 1 MiB of nested <div>s, for every protocol, and marks the page pathological', () => {
    const page = nestedPage(MiB, TARGET);
    assert.ok(page.length >= MiB - 64 && page.length <= MiB);
    assert.equal(scanHtml(page, 'anchor').pathological, true);
    for (const rule of ['anchor', 'webmention'] as const) {
      const check = checkSourceLinks(doc(page), TARGET, rule);
      assert.equal(check.kind, 'linked', rule);
      assert.match(check.kind === 'linked' ? check.source.excerpt ?? '' : '', /Deep inside, the post is linked/, rule);
    }
  });

  it('skips the microformats parse of a pathological page: the h-entry around it gives no facts', () => {
    // Under the bound the h-entry's p-name is the title; past it the page's <title> stands in.
    const shallow = checkSourceLinks(doc(nestedPage(64 * 1024, TARGET, { depth: MAX_NESTING - 10 })), TARGET, 'webmention');
    assert.equal(shallow.kind === 'linked' && shallow.source.title, 'Entry name');
    const deep = checkSourceLinks(doc(nestedPage(64 * 1024, TARGET, { depth: MAX_NESTING + 100 })), TARGET, 'webmention');
    assert.equal(deep.kind === 'linked' && deep.source.title, 'Nested');
  });

  it('finds the link past never-closed tags of every kind (formatting, links, blocks)', () => {
    for (const tag of ['b', 'a', 'div', 'span', 'li', 'table']) {
      const page = nestedPage(MiB / 4, TARGET, { tag, closed: false });
      const check = checkSourceLinks(doc(page), TARGET, 'anchor');
      assert.equal(check.kind, 'linked', tag);
    }
  });

  it('keeps the structure of a page nested just under the bound: the link text and its block are exact', () => {
    const page = nestedPage(64 * 1024, TARGET, { depth: MAX_NESTING - 10 });
    const scan = scanHtml(page, 'anchor');
    assert.equal(scan.pathological, false);
    const check = checkSourceLinks(doc(page), TARGET, 'anchor');
    assert.deepEqual(check, { kind: 'linked', source: { title: 'Nested', excerpt: 'Deep inside, the post is linked.' } });
  });

  it('a page nested past the bound still gives the text around the link', () => {
    const page = nestedPage(64 * 1024, TARGET, { depth: MAX_NESTING * 4 });
    assert.equal(scanHtml(page, 'anchor').pathological, true);
    const check = checkSourceLinks(doc(page), TARGET, 'anchor');
    assert.equal(check.kind, 'linked');
    assert.match(check.kind === 'linked' ? check.source.excerpt ?? '' : '', /Deep inside, the post/);
  });
});
