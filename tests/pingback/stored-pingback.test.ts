/**
 * What a stored pingback looks like to readers (contract: linkbacks carry `source`, `title`, and
 * their link context as sanitized HTML in `body_html`; Pingback 1.0 §5 example: title and the context
 * around the link). Table 7.2 P1 (context cut on character boundaries, not bytes), P10 (no <title>:
 * fall back to the host, never fault 32), P16 (`&amp;` in the source's href).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  LONE_SURROGATE, POST, PRIVATE_FETCH, SITE, expectPingAccepted, expectValue, getPingbacks, ping, plain, publicItems, textOf,
  type PublicItem,
} from './support.js';
import { useLinkbackServer } from '../helpers/fixtures.js';

const { server, source } = useLinkbackServer(PRIVATE_FETCH);

const html = (head: string, body: string) => `<!doctype html><html><head><meta charset="utf-8">${head}</head><body>${body}</body></html>`;

/** Pings `target` from a page served at `path` and returns its public row. */
async function pingAndRead(path: string, body: string, target = POST): Promise<PublicItem> {
  source.set(path, { body });
  const from = source.url(path);
  expectPingAccepted(await ping(server, from, target), path);
  const row = (await publicItems(server, target)).find((c) => c.source === from);
  assert.ok(row, `the pingback from ${from} is listed`);
  assert.equal(row.type, 'pingback');
  return row;
}

/** Words w0 w1 … so every cut position can be located in the source text. */
const words = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`).join(' ');

describe('a stored pingback', () => {
  it('takes its title from the source <title>', async () => {
    const row = await pingAndRead('/titled', html('<title>  Notes &amp; Links  </title>', `<p>I liked <a href="${POST}">this</a>.</p>`));
    assert.equal(row.title, 'Notes & Links');
    // WordPress shows a pingback under the source's title (protocols.md §3.1 step 14).
    assert.equal(row.author, 'Notes & Links');
  });

  it('without a <title> is still accepted, titled with the source host', async () => {
    const row = await pingAndRead('/untitled', html('', `<p>Just <a href="${POST}">a link</a> in an untitled page.</p>`));
    const { host, hostname } = new URL(source.origin);
    assert.ok(row.title === host || row.title === hostname, `title ${JSON.stringify(row.title)} is the host`);
  });

  it('shows about 100 characters of plain text on each side of the link, with ellipses where text was cut', async () => {
    const before = words('before', 60);
    const after = words('after', 60);
    const row = await pingAndRead(
      '/context',
      html('<title>Context</title>', `<p>${before} <b>bold</b> ${before} <a href="${POST}">the <i>linked</i> words</a> ${after} <em>em</em> ${after}</p><p>Another paragraph.</p>`),
    );
    assert.doesNotMatch(row.body_html, /<(?!\/?(p|br)\b)[a-z]/i, `no markup from the source survives: ${row.body_html}`);
    const text = textOf(row.body_html);
    const link = text.indexOf('the linked words');
    assert.ok(link > 0, `the link text is in the context: ${text}`);
    assert.ok(text.startsWith('…'), `leading ellipsis: ${text}`);
    assert.ok(text.endsWith('…'), `trailing ellipsis: ${text}`);
    const head = [...text.slice(1, link)].length;
    const tail = [...text.slice(link + 'the linked words'.length, -1)].length;
    assert.ok(head >= 50 && head <= 110, `${head} characters before the link: ${text}`);
    assert.ok(tail >= 50 && tail <= 110, `${tail} characters after the link: ${text}`);
    assert.doesNotMatch(text, /Another paragraph/, 'context stays inside the linking paragraph');
    assert.match(text, /after0 after1/, 'the words right after the link are kept');
    assert.match(text, /before58 before59 the linked words/, 'the words right before the link are kept');
  });

  it('cuts CJK and emoji context on character boundaries: no U+FFFD, no lone surrogates, no split emoji', async () => {
    const cjk = '漢字かな交じり文の例です。';
    const emoji = ['😀', '👍🏽', '👨‍👩‍👧‍👦', '🇯🇵', 'é'];
    const run = (n: number) => Array.from({ length: n }, (_, i) => cjk[i % cjk.length]! + emoji[i % emoji.length]!).join('');
    const beforeText = run(90);
    const afterText = run(90);
    const row = await pingAndRead('/cjk', html('<title>日本語のブログ 🎌</title>', `<p>${beforeText}<a href="${POST}">この記事</a>${afterText}</p>`));
    assert.equal(row.title, '日本語のブログ 🎌');
    const text = textOf(row.body_html);
    assert.ok(!text.includes('\uFFFD'), `U+FFFD in ${text}`);
    assert.doesNotMatch(text, LONE_SURROGATE, 'no lone surrogate');
    assert.ok(text.includes('この記事'), text);

    const whole = `${beforeText}この記事${afterText}`;
    const inner = text.replace(/^…/, '').replace(/…$/, '');
    const at = whole.indexOf(inner);
    assert.ok(at >= 0, `the context is one unbroken piece of the source text: ${inner}`);
    const boundaries = new Set<number>();
    for (const { index } of new Intl.Segmenter('ja', { granularity: 'grapheme' }).segment(whole)) boundaries.add(index);
    boundaries.add(whole.length);
    assert.ok(boundaries.has(at), `starts inside a grapheme: ${JSON.stringify(inner.slice(0, 12))}`);
    assert.ok(boundaries.has(at + inner.length), `ends inside a grapheme: ${JSON.stringify(inner.slice(-12))}`);
    assert.ok([...inner].length <= 230, `${[...inner].length} code points of context`);
  });

  it('an href written with &amp; matches a target whose query has &', async () => {
    const target = `${SITE}/?p=5&lang=en`;
    const row = await pingAndRead('/amp', html('<title>Amp</title>', `<p>See <a href="${SITE}/?p=5&amp;lang=en">post five</a> today.</p>`), target);
    assert.equal(row.title, 'Amp');
    assert.deepEqual(plain(expectValue(await getPingbacks(server, target))), [source.url('/amp')]);
  });
});
