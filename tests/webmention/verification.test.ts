/**
 * Webmention verification (WM-SPEC §3.2.2, table 7.3 W14-W16, W19): the source is fetched, redirects
 * are followed up to a limit, and the target must appear under the media type's rules.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { POST, SITE } from '../helpers/test-server.js';
import { mentionsFrom, PRIVATE_FETCH, submitAndProcess } from './support.js';
import { useLinkbackServer } from '../helpers/fixtures.js';

const { server, source } = useLinkbackServer(PRIVATE_FETCH);

function html(inner: string, title = 'A source page'): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><article>${inner}</article></body></html>`;
}

async function expectAccepted(path: string, target: string = POST): Promise<void> {
  const status = await submitAndProcess(server, source.url(path), target);
  assert.equal(status.status, 'accepted', `${path}: reason ${status.reason}`);
  assert.equal((await mentionsFrom(server, source.url(path), status.target)).length, 1, `${path}: one mention listed`);
}

async function expectRejected(path: string, reason: RegExp, target: string = POST): Promise<void> {
  const status = await submitAndProcess(server, source.url(path), target);
  assert.equal(status.status, 'rejected', `${path}: ${JSON.stringify(status)}`);
  assert.match(status.reason ?? '', reason);
  assert.equal((await mentionsFrom(server, source.url(path), target)).length, 0, `${path}: nothing listed`);
}

describe('HTML sources', () => {
  test('a link in <a href> is accepted', async () => {
    source.set('/a', { body: html(`<p>Nice <a href="${POST}">post</a>.</p>`) });
    await expectAccepted('/a');
  });

  test('a link in <img src> is accepted (W14)', async () => {
    source.set('/img', { body: html(`<p>Look:</p><img src="${POST}" alt="the post">`) });
    await expectAccepted('/img');
  });

  test('a link in <video src> is accepted (W14)', async () => {
    source.set('/video', { body: html(`<video src="${POST}" controls></video>`) });
    await expectAccepted('/video');
  });

  test('a link in <audio src> is accepted', async () => {
    source.set('/audio', { body: html(`<audio src="${POST}" controls></audio>`) });
    await expectAccepted('/audio');
  });

  test('the target only as plain text in an HTML page is rejected with a reason', async () => {
    source.set('/text-only', { body: html(`<p>I read ${POST} yesterday but did not link it.</p>`) });
    await expectRejected('/text-only', /link/i);
  });

  test('a page that links somewhere else on the same site is rejected', async () => {
    source.set('/other-post', { body: html(`<p><a href="${SITE}/2026/11/other/">another post</a></p>`) });
    await expectRejected('/other-post', /link/i);
  });
});

describe('other media types', () => {
  test('a JSON source with the exact target as a property value is accepted (W15)', async () => {
    source.set('/json', { contentType: 'application/json', body: JSON.stringify({ type: 'entry', 'in-reply-to': [POST], content: 'hi' }) });
    await expectAccepted('/json');
  });

  test('a JSON source with the target only inside a longer string is rejected', async () => {
    source.set('/json-sub', { contentType: 'application/json', body: JSON.stringify({ content: `see ${POST} please` }) });
    await expectRejected('/json-sub', /link/i);
  });

  test('a text/plain source containing the target is accepted (W15)', async () => {
    source.set('/plain', { contentType: 'text/plain; charset=utf-8', body: `Notes for today.\nRead ${POST} and liked it.\n` });
    await expectAccepted('/plain');
  });
});

describe('redirects', () => {
  test('a source that redirects twice is followed to the final page and accepted', async () => {
    source.set('/hop1', { status: 301, headers: { location: '/hop2' } });
    source.set('/hop2', { status: 302, headers: { location: source.url('/hop-final') } });
    source.set('/hop-final', { body: html(`<p><a href="${POST}">the post</a></p>`) });
    await expectAccepted('/hop1');
    assert.equal(source.hits('/hop-final'), 1, 'the final page was fetched');
  });

  test('a chain of 6 redirects is cut off and rejected (W16)', async () => {
    for (let i = 0; i < 6; i += 1) source.set(`/chain${i}`, { status: 302, headers: { location: `/chain${i + 1}` } });
    source.set('/chain6', { body: html(`<p><a href="${POST}">the post</a></p>`) });
    await expectRejected('/chain0', /redirect/i);
    assert.equal(source.hits('/chain6'), 0, 'the page past the limit is never fetched');
  });

  test('a redirect loop is rejected', async () => {
    source.set('/loop-a', { status: 302, headers: { location: '/loop-b' } });
    source.set('/loop-b', { status: 302, headers: { location: '/loop-a' } });
    await expectRejected('/loop-a', /redirect/i);
  });
});

describe('targets with percent-encoded Unicode paths (W19)', () => {
  const cyrillic = `${SITE}/%D0%BF%D0%BE%D1%81%D1%82`;
  const emoji = `${SITE}/%F0%9F%93%85`;

  test('Cyrillic: the source has the raw Unicode path', async () => {
    source.set('/cyr-raw', { body: html(`<p><a href="${SITE}/пост">пост</a></p>`) });
    await expectAccepted('/cyr-raw', cyrillic);
  });

  test('Cyrillic: the source has the percent-encoded path', async () => {
    source.set('/cyr-enc', { body: html(`<p><a href="${cyrillic}">пост</a></p>`) });
    await expectAccepted('/cyr-enc', cyrillic);
  });

  test('emoji: the source has the raw Unicode path', async () => {
    source.set('/emoji-raw', { body: html(`<p><a href="${SITE}/📅">calendar</a></p>`) });
    await expectAccepted('/emoji-raw', emoji);
  });

  test('emoji: the source has the percent-encoded path', async () => {
    source.set('/emoji-enc', { body: html(`<p><a href="${emoji}">calendar</a></p>`) });
    await expectAccepted('/emoji-enc', emoji);
  });
});
