/**
 * What a TrackBack ping's fields become once stored: legacy charsets decoded to the right Unicode text
 * (protocols.md table 7.1 T9-T13), markup and control characters removed, the excerpt cut to 255
 * characters without breaking an emoji, and an untitled ping titled with its URL (T3, T8, T18, T19).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import iconv from 'iconv-lite';

import { POST } from '../helpers/test-server.js';
import {
  LONE_SURROGATE, PRIVATE_FETCH, allRows, expectAccepted, expectRefusal, formBody, linkingSource, percentEncodeBytes, ping, pingFields,
  publicItems, textOf, trackbackPath, withServer, type PublicItem,
} from './support.js';
import { useSourceServer } from '../helpers/fixtures.js';

const source = useSourceServer();

/**
 * ISO-2022-JP (RFC 1468), which iconv-lite cannot write: JIS X 0208 characters are their EUC-JP bytes
 * with the high bit cleared, between `ESC $ B` and `ESC ( B`.
 */
function encodeIso2022jp(text: string): Buffer {
  const out: number[] = [];
  let kanji = false;
  for (const ch of text) {
    const euc = iconv.encode(ch, 'euc-jp');
    const twoByte = euc.length === 2 && euc[0]! >= 0xa1 && euc[1]! >= 0xa1;
    assert.ok(twoByte || (euc.length === 1 && euc[0]! < 0x80), `${ch} is not in JIS X 0208`);
    if (twoByte !== kanji) {
      out.push(...(twoByte ? [0x1b, 0x24, 0x42] : [0x1b, 0x28, 0x42]));
      kanji = twoByte;
    }
    out.push(...(twoByte ? [euc[0]! & 0x7f, euc[1]! & 0x7f] : [euc[0]!]));
  }
  if (kanji) out.push(0x1b, 0x28, 0x42);
  return Buffer.from(out);
}

function encode(text: string, charset: string): Buffer {
  const bytes = charset === 'ISO-2022-JP' ? encodeIso2022jp(text) : iconv.encode(text, charset);
  assert.ok(!bytes.equals(Buffer.from(text, 'utf8')) || /^[\x00-\x7f]*$/.test(text), `${charset} bytes differ from UTF-8`);
  return bytes;
}

interface EncodingCase {
  charset: string;
  /** Where the sender names the charset: the Content-Type (TrackBack 1.2) or a `charset` field (MT, WordPress). */
  via: 'content-type' | 'field';
  title: string;
  excerpt: string;
  blogName: string;
}

const CASES: EncodingCase[] = [
  // 表 and ソ have 0x5C ("\") as their second Shift_JIS byte.
  { charset: 'Shift_JIS', via: 'content-type', title: '日本語のタイトル表示', excerpt: 'こんにちは世界。ソフトの抜粋です。', blogName: '山田のブログ' },
  { charset: 'EUC-JP', via: 'field', title: '東京の天気', excerpt: 'きょうは晴れです。明日も晴れ。', blogName: '鈴木日記' },
  { charset: 'ISO-2022-JP', via: 'content-type', title: '日本語メール', excerpt: 'これはテストです。', blogName: 'ブログ名' },
  { charset: 'EUC-KR', via: 'field', title: '안녕하세요', excerpt: '한국어 발췌문입니다.', blogName: '김씨의 블로그' },
  { charset: 'windows-1251', via: 'content-type', title: 'Привет, мир', excerpt: 'Это отрывок на русском языке.', blogName: 'Блог Ивана' },
  { charset: 'KOI8-R', via: 'field', title: 'Заголовок статьи', excerpt: 'Съешь же ещё этих мягких французских булок.', blogName: 'Журнал' },
  { charset: 'GB2312', via: 'content-type', title: '中文标题', excerpt: '这是一个测试摘要。', blogName: '张三的博客' },
];

function assertCleanText(value: string, what: string): void {
  assert.ok(!/%[0-9A-Fa-f]{2}/.test(value), `${what} still holds percent-escapes: ${value}`);
  assert.ok(!value.includes('\uFFFD'), `${what} holds U+FFFD: ${value}`);
}

describe('charsets', () => {
  it('decodes title, excerpt and blog name from legacy charsets named in the Content-Type or a charset field', async () => {
    await withServer(PRIVATE_FETCH, async (server) => {
      for (const c of CASES) {
        const src = linkingSource(source, `/charset/${c.charset}`, POST);
        const pairs = [
          `url=${encodeURIComponent(src)}`,
          `title=${percentEncodeBytes(encode(c.title, c.charset))}`,
          `excerpt=${percentEncodeBytes(encode(c.excerpt, c.charset))}`,
          `blog_name=${percentEncodeBytes(encode(c.blogName, c.charset))}`,
        ];
        let contentType = 'application/x-www-form-urlencoded';
        if (c.via === 'content-type') contentType += `; charset=${c.charset}`;
        else pairs.push(`charset=${c.charset}`);
        const answer = await ping(server, trackbackPath(), pairs.join('&'), contentType);
        assert.equal(answer.status, 200, `${c.charset}: ${answer.body}`);
        expectAccepted(answer);
      }
      const items = await publicItems(server);
      for (const c of CASES) {
        const item = items.find((i) => i.source === source.url(`/charset/${c.charset}`));
        assert.ok(item, `${c.charset} ping stored and public`);
        for (const [what, value] of [['title', item.title ?? ''], ['author', item.author], ['excerpt', textOf(item.body_html)]] as const) {
          assertCleanText(value, `${c.charset} ${what}`);
        }
        assert.equal(item.title, c.title, `${c.charset} title`);
        assert.equal(item.author, c.blogName, `${c.charset} blog name`);
        assert.equal(textOf(item.body_html), c.excerpt, `${c.charset} excerpt`);
      }
    });
  });

  for (const charset of ['UTF-7', 'foobar']) {
    for (const via of ['content-type', 'field'] as const) {
      it(`refuses charset=${charset} in the ${via} and stores nothing`, async () => {
        await withServer(PRIVATE_FETCH, async (server) => {
          const src = linkingSource(source, `/refused/${charset}/${via}`, POST);
          // UTF-7's way of writing <script>: the reason WordPress refuses it.
          const pairs = [`url=${encodeURIComponent(src)}`, `title=${encodeURIComponent('+ADw-script+AD4-alert(1)+ADw-/script+AD4-')}`];
          let contentType = 'application/x-www-form-urlencoded';
          if (via === 'content-type') contentType += `; charset=${charset}`;
          else pairs.push(`charset=${charset}`);
          const answer = await ping(server, trackbackPath(), pairs.join('&'), contentType);
          assert.notEqual(answer.status, 500);
          expectRefusal(answer);
          assert.deepEqual(await allRows(server), []);
        });
      });
    }
  }
});

/** Pings POST with UTF-8 fields and returns the one public row it produced. */
async function storedFrom(server: Parameters<typeof pingFields>[0], path: string, fields: Record<string, string>): Promise<PublicItem> {
  const url = linkingSource(source, path, POST);
  expectAccepted(await pingFields(server, { url, ...fields }));
  const item = (await publicItems(server)).find((i) => i.source === url);
  assert.ok(item, `the ping from ${url} is public`);
  return item;
}

const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

describe('field cleaning', () => {
  it('stores title, excerpt and blog name as plain text: tags stripped, script content dropped', async () => {
    await withServer(PRIVATE_FETCH, async (server) => {
      const item = await storedFrom(server, '/fields/html', {
        title: '<b>Bold</b> move',
        excerpt: 'Hello <script>alert("owned")</script><i>world</i>',
        blog_name: '<em>Tagged</em> Blog<img src=x onerror=alert(2)>',
      });
      assert.equal(item.title, 'Bold move');
      assert.equal(item.author, 'Tagged Blog');
      assert.equal(textOf(item.body_html), 'Hello world');
      for (const bad of ['<script', 'alert', '<i>', '<img', 'onerror']) {
        assert.ok(!item.body_html.includes(bad), `${bad} in ${item.body_html}`);
      }
    });
  });

  it('removes NUL and other control characters', async () => {
    await withServer(PRIVATE_FETCH, async (server) => {
      const item = await storedFrom(server, '/fields/control', {
        title: 'Null\u0000Byte\u0007Title',
        excerpt: 'Line\u0001one\u001Ftwo\u007F',
        blog_name: 'Blog\u0000Name\u001B',
      });
      assert.equal(item.title, 'NullByteTitle');
      assert.equal(item.author, 'BlogName');
      assert.equal(textOf(item.body_html), 'Lineonetwo');
      for (const value of [item.title, item.author, item.body_html]) assert.doesNotMatch(value ?? '', CONTROL);
    });
  });

  it('cuts an excerpt of 300 characters to at most 255, ending in an ellipsis', async () => {
    await withServer(PRIVATE_FETCH, async (server) => {
      const long = 'abcdefghi '.repeat(30);
      assert.equal(long.length, 300);
      const excerpt = textOf((await storedFrom(server, '/fields/long', { title: 'Long', excerpt: long })).body_html);
      assert.ok([...excerpt].length <= 255, `${[...excerpt].length} characters`);
      const ellipsis = /(?:…|\.\.\.)$/.exec(excerpt);
      assert.ok(ellipsis, `ends with an ellipsis: ${excerpt}`);
      const kept = excerpt.slice(0, ellipsis.index).trimEnd();
      assert.ok(kept.length >= 200 && long.startsWith(kept), `a prefix of the excerpt is kept: ${kept}`);
    });
  });

  it('does not break an emoji at the cut', async () => {
    await withServer(PRIVATE_FETCH, async (server) => {
      // Cuts at 252, 254 or 255 UTF-16 units (MT's and WordPress's lengths) fall inside an emoji here.
      const long = 'x'.repeat(251) + '😀'.repeat(40);
      const item = await storedFrom(server, '/fields/emoji', { title: 'Emoji', excerpt: long });
      const excerpt = textOf(item.body_html);
      assert.doesNotMatch(excerpt, LONE_SURROGATE);
      assert.ok(!excerpt.includes('\uFFFD'), excerpt);
      assert.ok([...excerpt].length <= 255, `${[...excerpt].length} characters`);
      assert.match(excerpt, /^x{251}(?:😀)*(?:…|\.\.\.)$/u);
    });
  });

  it('titles an untitled ping with its URL', async () => {
    await withServer(PRIVATE_FETCH, async (server) => {
      // A source page without <title>, so the URL is the only name the ping has.
      source.set('/fields/untitled', { body: `<html><body><p>See <a href="${POST}">that post</a>.</p></body></html>` });
      const url = source.url('/fields/untitled');
      expectAccepted(await ping(server, trackbackPath(), formBody({ url, excerpt: 'No title was sent', blog_name: 'Quiet' })));
      const item = (await publicItems(server)).find((i) => i.source === url);
      assert.ok(item);
      assert.equal(item.title, url);
    });
  });
});
