/**
 * Issue 16 point 2: one post, one thread, whatever the spelling of its address — percent-escape case
 * (RFC 3986 §6.2.2.1), escaped against unescaped non-ASCII (IRI against URI), Unicode normalization
 * (NFC against NFD) and Unicode host against punycode host — for comments, for linkback targets and
 * for linkback sources (one linkback per source, whatever the protocol and the spelling). Also issue
 * 14 point 8: a target longer than 2,048 characters is refused by every door in its own format.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { useLinkbackServer } from '../helpers/fixtures.js';
import { allRows, publicItems, textOf } from '../helpers/thread-items.js';
import { call, expectFault, expectPingAccepted, FAULT, linkingPage } from '../pingback/support.js';
import { expectAccepted, expectRefusal, formBody, ping, trackbackPath } from '../trackback/support.js';

// BACKTALK_SITES names the site by its Unicode host; the thread's address is Cyrillic.
const SITE_UNICODE = 'http://кузбасс.рф';
const SITE_PUNYCODE = 'http://xn--80abrl2baj.xn--p1ai';
const PATH_IRI = '/новости/ёжик-в-тумане/';
const PATH_UPPER = '/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/%D1%91%D0%B6%D0%B8%D0%BA-%D0%B2-%D1%82%D1%83%D0%BC%D0%B0%D0%BD%D0%B5/';
const PATH_LOWER = PATH_UPPER.toLowerCase().replace(/%([0-9a-f]{2})/g, (m) => m.toLowerCase());
/** ё and й written as base letter plus combining mark (NFD), as some Mac tools copy them. */
const PATH_NFD = PATH_IRI.normalize('NFD');

const SPELLINGS = [
  `${SITE_UNICODE}${PATH_IRI}`,
  `${SITE_PUNYCODE}${PATH_UPPER}`,
  `${SITE_PUNYCODE}${PATH_LOWER}`,
  `${SITE_UNICODE}${PATH_LOWER}`,
  `${SITE_PUNYCODE}${encodeURI(PATH_NFD)}`,
  `${SITE_UNICODE}${PATH_NFD}`,
  `HTTP://КУЗБАСС.РФ:80${PATH_UPPER}#comments`,
];

const { server, source } = useLinkbackServer({ BACKTALK_SITES: SITE_UNICODE, BACKTALK_ALLOW_PRIVATE_FETCH: 'true' });

describe('every spelling of a post address is one thread', () => {
  it('accepts a Unicode host in BACKTALK_SITES and files comments under every spelling in one thread', async () => {
    assert.notEqual(PATH_NFD, PATH_IRI, 'the NFD spelling really differs');
    for (const [i, target] of SPELLINGS.entries()) {
      const res = await server.postJson('/comments', { target, body: `Comment ${i}`, author: `Reader ${i}` });
      assert.equal(res.status, 201, `${target}: ${await res.text()}`);
    }
    for (const target of SPELLINGS) {
      const bodies = (await publicItems(server, target)).map((c) => textOf(c.body_html));
      assert.deepEqual(bodies, SPELLINGS.map((_, i) => `Comment ${i}`), `thread read as ${target}`);
    }
    const counts = (await (await server.request(`/api/counts?${SPELLINGS.map((t) => `target=${encodeURIComponent(t)}`).join('&')}`)).json()) as Record<string, number>;
    for (const target of SPELLINGS) assert.equal(counts[target], SPELLINGS.length, `count for ${target}`);
  });

  it('verifies a link written in another spelling, and keeps one linkback per source however it is spelled', async () => {
    const target = `${SITE_UNICODE}/блог/пингбэк/`;
    // The source page links to the post with lower-case escapes (WordPress's own permalinks).
    const linkInPage = `${SITE_PUNYCODE}${encodeURI('/блог/пингбэк/').toLowerCase()}`;
    const sourcePath = encodeURI('/записи/ответ/');
    source.set(sourcePath, linkingPage(linkInPage, 'Ответ'));
    source.set(sourcePath.toLowerCase(), linkingPage(linkInPage, 'Ответ'));
    const sourceUpper = source.url(sourcePath);
    const sourceLower = source.url(sourcePath.toLowerCase());
    // Pingback to the upper-case URI of the post, from the upper-case source.
    expectPingAccepted(await call(server, 'pingback.ping', [sourceUpper, `${SITE_PUNYCODE}${encodeURI('/блог/пингбэк/')}`]));
    // The same source, spelled in lower case, to the IRI of the post: already registered.
    expectFault(await call(server, 'pingback.ping', [sourceLower, target]), FAULT.alreadyRegistered);
    const answer = await ping(server, trackbackPath(target), formBody({ url: sourceLower, title: 'Ответ' }));
    assert.match(answer.body, /<error>1<\/error>[\s\S]*already/);
    const rows = (await allRows(server)).filter((r) => r.type !== 'comment');
    assert.equal(rows.length, 1, `one linkback: ${JSON.stringify(rows.map((r) => r.source))}`);
    assert.equal((await publicItems(server, linkInPage)).length, 1);
  });
});

describe('target URLs longer than 2,048 characters', () => {
  const long = `${SITE_UNICODE}/${'a'.repeat(2100)}`;
  // 2,048 characters once escaped: 320 Cyrillic letters are 1,920 characters of escapes.
  const longOnceEscaped = `${SITE_UNICODE}/${'я'.repeat(340)}`;

  it('are refused by the comment API with a clear JSON error', async () => {
    for (const target of [long, longOnceEscaped]) {
      const res = await server.postJson('/comments', { target, body: 'Too long?', author: 'A' });
      assert.equal(res.status, 400);
      const { error } = (await res.json()) as { error: { code: string; message: string; field: string } };
      assert.equal(error.code, 'target-too-long');
      assert.equal(error.field, 'target');
      assert.match(error.message, /2,?048 characters/);
    }
    const read = await server.request(`/api/comments?target=${encodeURIComponent(long)}`);
    assert.equal(read.status, 400);
  });

  it('are refused by TrackBack, Pingback and Webmention in their own formats', async () => {
    source.set('/long-source', linkingPage(long));
    const url = source.url('/long-source');
    const message = expectRefusal(await ping(server, trackbackPath(long), formBody({ url, title: 'x' })));
    assert.match(message, /2,?048 characters/);
    const fault = expectFault(await call(server, 'pingback.ping', [url, long]), FAULT.targetInvalid);
    assert.match(fault.faultString, /2,?048 characters/);
    const wm = await server.postForm('/webmention', { source: url, target: long });
    assert.equal(wm.status, 400);
    assert.equal(((await wm.json()) as { error: { code: string } }).error.code, 'target-too-long');
  });

  it('accepts a target of exactly 2,048 characters', async () => {
    const target = `${SITE_PUNYCODE}/${'b'.repeat(2048 - SITE_PUNYCODE.length - 1)}`;
    assert.equal(target.length, 2048);
    const res = await server.postJson('/comments', { target, body: 'Just fits', author: 'A' });
    assert.equal(res.status, 201, await res.text());
  });
});
