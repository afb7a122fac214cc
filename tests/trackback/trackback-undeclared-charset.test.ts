/**
 * Issue 16 point 1: a TrackBack that names no charset and is not UTF-8 (what WordPress sends from a
 * windows-1251 blog: no Content-Type charset, no charset field) is decoded with the charset its
 * source page declared, else with a statistical detector. Real headlines in seven languages, in every
 * legacy encoding that can write them, go through a real POST to a real server, which fetches a real
 * source page; the stored text is read back through the public API.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import iconv from 'iconv-lite';

import { POST } from '../helpers/test-server.js';
import { useLinkbackServer } from '../helpers/fixtures.js';
import { PRIVATE_FETCH, expectAccepted, linkingPage, percentEncodeBytes, ping, publicItems, textOf, trackbackPath } from './support.js';

const { server, source } = useLinkbackServer(PRIVATE_FETCH);

/** ISO-2022-JP (RFC 1468), which iconv-lite cannot write: EUC-JP pairs with the high bit cleared, between `ESC $ B` and `ESC ( B`. */
function encodeIso2022jp(text: string): Buffer {
  const out: number[] = [];
  let kanji = false;
  for (const ch of text) {
    const euc = iconv.encode(ch, 'euc-jp');
    const twoByte = euc.length === 2;
    if (twoByte !== kanji) out.push(...(twoByte ? [0x1b, 0x24, 0x42] : [0x1b, 0x28, 0x42]));
    kanji = twoByte;
    out.push(...(twoByte ? [euc[0]! & 0x7f, euc[1]! & 0x7f] : [euc[0]!]));
  }
  if (kanji) out.push(0x1b, 0x28, 0x42);
  return Buffer.from(out);
}

function encode(text: string, charset: string): Buffer {
  const bytes = charset === 'ISO-2022-JP' ? encodeIso2022jp(text) : iconv.encode(text, charset);
  assert.equal(charset === 'ISO-2022-JP' ? text : iconv.decode(bytes, charset), text, `${charset} can write ${text}`);
  assert.ok(!bytes.equals(Buffer.from(text, 'utf8')), `${charset} bytes differ from UTF-8`);
  return bytes;
}

interface Language {
  lang: string;
  title: string;
  excerpt: string;
  blogName: string;
  charsets: string[];
}

// Headlines of 20 characters or more, with an excerpt and a blog name as WordPress sends them.
const LANGUAGES: Language[] = [
  {
    lang: 'ru', title: 'Ёжик в тумане: новая экранизация сказки', excerpt: 'Режиссёр рассказал, почему снова взялся за старую историю.',
    blogName: 'Блог Ивана', charsets: ['windows-1251', 'KOI8-R', 'ISO-8859-5', 'CP866'],
  },
  {
    lang: 'uk', title: 'Їжачок у тумані: нова екранізація казки', excerpt: 'Режисер розповів, чому знову взявся за давню історію ще раз.',
    blogName: 'Щоденник Олесі', charsets: ['windows-1251', 'ISO-8859-5', 'KOI8-U'],
  },
  {
    lang: 'ja', title: '東京の桜が満開になりました。今年は例年より早い開花です', excerpt: '気象庁によると、平年より五日早く、昨年より三日早い満開です。',
    blogName: '山田のブログ', charsets: ['Shift_JIS', 'EUC-JP', 'ISO-2022-JP'],
  },
  {
    lang: 'zh-Hans', title: '北京今天天气晴朗，适合出门散步和欣赏美丽的风景', excerpt: '气象台预报说，明天还会是一个好天气，温度也会升高。',
    blogName: '张三的博客', charsets: ['GBK'],
  },
  {
    lang: 'zh-Hant', title: '台北今天天氣晴朗，適合出門散步和欣賞美麗的風景', excerpt: '氣象局預報說，明天還會是一個好天氣，溫度也會升高。',
    blogName: '王小明的部落格', charsets: ['Big5'],
  },
  {
    lang: 'ko', title: '서울의 봄 날씨가 따뜻해서 많은 사람들이 공원에 나왔습니다', excerpt: '기상청은 이번 주말에도 맑은 날씨가 계속될 것이라고 밝혔습니다.',
    blogName: '김씨의 블로그', charsets: ['EUC-KR'],
  },
  {
    lang: 'pl', title: 'Zażółć gęślą jaźń: świeże wieści z Łodzi i Gdańska', excerpt: 'Mieszkańcy śródmieścia skarżą się na hałas, ale cieszą się z nowych ścieżek.',
    blogName: 'Blog Łukasza', charsets: ['windows-1250', 'ISO-8859-2'],
  },
  {
    lang: 'de', title: 'Größere Änderungen für Bürger: Straßenbahn fährt öfter', excerpt: 'Ab März fährt die Linie 4 im Zehn-Minuten-Takt, auch am Wochenende.',
    blogName: 'Jürgens Blog', charsets: ['windows-1252', 'ISO-8859-1'],
  },
];

type Hint = 'header' | 'meta' | 'none';

/** The source page: the same blog as the ping, declaring its charset in the header, in `<meta>`, or not at all. */
function servePage(path: string, charset: string, hint: Hint): string {
  const page = linkingPage(POST, 'A post');
  if (hint === 'header') source.set(path, { ...page, contentType: `text/html; charset=${charset}` });
  else if (hint === 'meta') source.set(path, { contentType: 'text/html', body: page.body!.replace('<head>', `<head><meta charset="${charset}">`) });
  else source.set(path, { contentType: 'text/html', body: page.body });
  return source.url(path);
}

/** A ping as WordPress's trackback() sends it: form-encoded, no charset anywhere. */
async function pingUnlabelled(url: string, language: Language, charset: string, fields: 'all' | 'title'): Promise<void> {
  const pairs = [`url=${encodeURIComponent(url)}`, `title=${percentEncodeBytes(encode(language.title, charset))}`];
  if (fields === 'all') {
    pairs.push(`excerpt=${percentEncodeBytes(encode(language.excerpt, charset))}`, `blog_name=${percentEncodeBytes(encode(language.blogName, charset))}`);
  }
  expectAccepted(await ping(server, trackbackPath(), pairs.join('&'), 'application/x-www-form-urlencoded'));
}

describe('TrackBack text in an unnamed legacy charset', () => {
  for (const hint of ['header', 'meta', 'none'] as const) {
    it(`decodes title, excerpt and blog name of every language and encoding, page charset hint: ${hint}`, async () => {
      const sent: Array<{ url: string; language: Language; charset: string }> = [];
      for (const language of LANGUAGES) {
        for (const charset of language.charsets) {
          const url = servePage(`/${hint}/${language.lang}/${charset}`, charset, hint);
          await pingUnlabelled(url, language, charset, 'all');
          sent.push({ url, language, charset });
        }
      }
      const items = await publicItems(server);
      for (const { url, language, charset } of sent) {
        const item = items.find((i) => i.source === url);
        assert.ok(item, `${language.lang} ${charset}: stored and public`);
        assert.equal(item.title, language.title, `${language.lang} ${charset} title (hint: ${hint})`);
        assert.equal(textOf(item.body_html), language.excerpt, `${language.lang} ${charset} excerpt (hint: ${hint})`);
        assert.equal(item.author, language.blogName, `${language.lang} ${charset} blog name (hint: ${hint})`);
      }
    });
  }

  it('reads a title of a few letters by the page\'s charset, where the detector alone would guess wrong', async () => {
    // Four Cyrillic letters are four bytes above 0x80, which read as two valid GB18030 or Big5
    // characters just as well; two kanji in EUC-JP are valid GB18030. Only the page can tell.
    const cases: Array<[string, string]> = [
      ['Київ', 'windows-1251'], ['Київ', 'ISO-8859-5'], ['Київ', 'KOI8-U'], ['東京', 'EUC-JP'], ['Ёжик', 'KOI8-R'],
    ];
    for (const [title, charset] of cases) {
      const url = servePage(`/short/${charset}/${encodeURIComponent(title)}`, charset, 'header');
      const body = `url=${encodeURIComponent(url)}&title=${percentEncodeBytes(encode(title, charset))}`;
      expectAccepted(await ping(server, trackbackPath(), body, 'application/x-www-form-urlencoded'));
      const item = (await publicItems(server)).find((i) => i.source === url);
      assert.equal(item?.title, title, `${title} in ${charset}`);
    }
  });

  it('keeps a ping that names its charset in that charset, whatever the page says', async () => {
    const url = servePage('/declared', 'windows-1251', 'header');
    const title = 'Größere Änderungen für Bürger: Straßenbahn fährt öfter';
    const body = `url=${encodeURIComponent(url)}&title=${percentEncodeBytes(encode(title, 'windows-1252'))}`;
    expectAccepted(await ping(server, trackbackPath(), body, 'application/x-www-form-urlencoded; charset=windows-1252'));
    assert.equal((await publicItems(server)).find((i) => i.source === url)?.title, title);
  });
});
