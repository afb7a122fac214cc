/**
 * lib/url's normal form (issue 16 point 2): equivalent spellings agree (RFC 3986 §6.2.2, RFC 3987
 * §5.3), different addresses stay different, and normalizing twice changes nothing (a migration keys
 * threads by it, so a normalized target must be its own key).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { normalizeHttpUrl } from '../../src/lib/url.js';

const same: Array<[string, string]> = [
  ['http://blog.example/%d0%bf%d0%be', 'http://blog.example/%D0%BF%D0%BE'],
  ['http://blog.example/по', 'http://blog.example/%D0%BF%D0%BE'],
  ['http://blog.example/%7Euser/%41', 'http://blog.example/~user/A'],
  ['http://blog.example/й', 'http://blog.example/и\u0306'],
  ['http://blog.example/й', 'http://blog.example/%D0%B8%CC%86'],
  ['http://blog.example/café', 'http://blog.example/cafe%CC%81'],
  ['http://кузбасс.рф/', 'http://xn--80abrl2baj.xn--p1ai/'],
  ['http://КУЗБАСС.РФ:80/a#b', 'http://xn--80abrl2baj.xn--p1ai/a'],
  ['http://blog.example/?q=%d0%bf', 'http://blog.example/?q=п'],
];

const different: Array<[string, string]> = [
  ['http://blog.example/a%2Fb', 'http://blog.example/a/b'],
  ['http://blog.example/?a=%26', 'http://blog.example/?a=&'],
  ['http://blog.example/post', 'http://blog.example/post/'],
  ['http://blog.example/', 'https://blog.example/'],
  ['http://blog.example/%E9', 'http://blog.example/é'],
  ['http://blog.example/a=%CC%B8', 'http://blog.example/a%E2%89%A0'],
];

describe('normalizeHttpUrl', () => {
  for (const [a, b] of same) {
    it(`${a} and ${b} are one address`, () => assert.equal(normalizeHttpUrl(a), normalizeHttpUrl(b)));
  }
  for (const [a, b] of different) {
    it(`${a} and ${b} stay two addresses`, () => assert.notEqual(normalizeHttpUrl(a), normalizeHttpUrl(b)));
  }

  it('upper-cases escapes, keeps invalid UTF-8 escaped, and is idempotent', () => {
    assert.equal(normalizeHttpUrl('http://blog.example/%e9%d0%bf%zz?x=%c3'), 'http://blog.example/%E9%D0%BF%zz?x=%C3');
    const samples = [...same.flat(), ...different.flat(), 'http://blog.example/%CD%BE;K%E2%84%AA/%F0%9F%98%80?%3D=%3d#x'];
    for (const input of samples) {
      const once = normalizeHttpUrl(input)!;
      assert.equal(normalizeHttpUrl(once), once, input);
      assert.match(once, /^[\x21-\x7e]+$/, 'ASCII only');
    }
  });
});
