import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runInNewContext } from 'node:vm';
import iconv from 'iconv-lite';
import { AppError } from '../../src/domain/errors.js';
import { decodeFormBody } from '../../src/protocols/form-body.js';
import { decodeUndeclared } from '../../src/protocols/undeclared-charset.js';

const FORM = 'application/x-www-form-urlencoded';

/** Percent-encodes every byte except the form serializer's safe set, space as `+` (WHATWG URL §5.2). */
function percentEncode(bytes: Buffer): string {
  let out = '';
  for (const byte of bytes) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9*\-._]/.test(ch)) out += ch;
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * iconv-lite has no ISO-2022-JP encoder, so derive it from EUC-JP: a JIS X 0208 character is its
 * EUC-JP byte pair with the high bits cleared, between ESC $ B and ESC ( B (RFC 1468).
 */
function encodeIso2022jp(text: string): Buffer {
  const euc = iconv.encode(text, 'euc-jp');
  const out: number[] = [];
  let kanji = false;
  for (let i = 0; i < euc.length; i++) {
    const byte = euc[i]!;
    if (byte < 0x80) {
      if (kanji) out.push(0x1b, 0x28, 0x42);
      kanji = false;
      out.push(byte);
    } else {
      assert.ok(byte >= 0xa1 && byte <= 0xfe, 'test text must be JIS X 0208 only');
      if (!kanji) out.push(0x1b, 0x24, 0x42);
      kanji = true;
      out.push(byte & 0x7f, euc[++i]! & 0x7f);
    }
  }
  if (kanji) out.push(0x1b, 0x28, 0x42);
  return Buffer.from(out);
}

function encodeText(text: string, charset: string): Buffer {
  return charset === 'iso-2022-jp' ? encodeIso2022jp(text) : iconv.encode(text, charset);
}

/** A form body as a sender in `charset` would serialize it. */
function formBody(fields: Array<[string, string]>, charset: string): Buffer {
  return Buffer.from(fields.map(([name, value]) => `${name}=${percentEncode(encodeText(value, charset))}`).join('&'), 'latin1');
}

function assertInvalidCharset(run: () => unknown, message?: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof AppError);
    assert.equal(error.code, 'invalid-charset');
    assert.equal(error.status, 400);
    if (message) assert.match(error.message, message);
    return true;
  });
}

const SAMPLES: Array<{ charset: string; name: string; title: string; excerpt: string }> = [
  { charset: 'Shift_JIS', name: 'shift_jis', title: '日本語のトラックバック', excerpt: 'ｶﾀｶﾅと漢字、「引用」です。' },
  { charset: 'EUC-JP', name: 'euc-jp', title: '日本語のトラックバック', excerpt: 'ｶﾀｶﾅと漢字、「引用」です。' },
  { charset: 'ISO-2022-JP', name: 'iso-2022-jp', title: '日本語のトラックバック', excerpt: '漢字と ASCII の混在。' },
  { charset: 'EUC-KR', name: 'euc-kr', title: '한국어 트랙백', excerpt: '안녕하세요, 세계!' },
  { charset: 'windows-1251', name: 'windows-1251', title: 'Привет, мир', excerpt: 'Ёжик в тумане — «цитата»' },
  { charset: 'KOI8-R', name: 'koi8-r', title: 'Привет, мир', excerpt: 'Съешь же ещё этих мягких булок' },
  { charset: 'GB2312', name: 'gb2312', title: '中文引用通告', excerpt: '你好，世界！' },
  { charset: 'UTF-8', name: 'utf-8', title: 'Ünïcödé 日本 🎉', excerpt: 'Привет 안녕 你好' },
];

function sampleBody(sample: (typeof SAMPLES)[number], extra: Array<[string, string]> = []): Buffer {
  const encoding = sample.charset.toLowerCase();
  return formBody([...extra, ['title', sample.title], ['url', 'http://blog.example/p?a=1&b=2'], ['excerpt', sample.excerpt]], encoding);
}

describe('decodeFormBody: charset from the Content-Type', () => {
  for (const sample of SAMPLES) {
    it(`decodes ${sample.charset}`, () => {
      const { fields, charset } = decodeFormBody(sampleBody(sample), `${FORM}; charset=${sample.charset}`);
      assert.equal(charset, sample.name);
      assert.equal(fields.get('title'), sample.title);
      assert.equal(fields.get('excerpt'), sample.excerpt);
      assert.equal(fields.get('url'), 'http://blog.example/p?a=1&b=2');
    });
  }

  it('decodes the Shift_JIS bytes of "日本" that Express answers 415 to (7.1 T9)', () => {
    const { fields } = decodeFormBody(Buffer.from('title=%93%FA%96%7B'), `${FORM}; charset=Shift_JIS`);
    assert.equal(fields.get('title'), '日本');
  });

  it('reads a quoted, oddly cased charset parameter', () => {
    const body = formBody([['title', '日本語']], 'shift_jis');
    for (const contentType of ['text/plain; charset="Shift_JIS"', `${FORM};CHARSET = "sHiFt_JiS"`, `${FORM}; foo=bar; Charset=SJIS`]) {
      assert.equal(decodeFormBody(body, contentType).fields.get('title'), '日本語', contentType);
    }
  });

  it('prefers the Content-Type over a charset field', () => {
    const body = formBody([['charset', 'EUC-JP'], ['title', '日本語']], 'shift_jis');
    const { fields, charset } = decodeFormBody(body, `${FORM}; charset=Shift_JIS`);
    assert.equal(charset, 'shift_jis');
    assert.equal(fields.get('title'), '日本語');
  });

  it('treats an empty charset parameter as none given', () => {
    assert.equal(decodeFormBody(Buffer.from('title=x'), `${FORM}; charset=""`).charset, 'utf-8');
  });

  it('trusts a declared charset: undefined bytes become U+FFFD, never a refusal or a %XX', () => {
    const body = formBody([['title', '日本']], 'shift_jis');
    const { fields, charset } = decodeFormBody(body, `${FORM}; charset=utf-8`);
    assert.equal(charset, 'utf-8');
    assert.match(fields.get('title')!, /\uFFFD/);
    assert.doesNotMatch(fields.get('title')!, /%[0-9A-F]{2}/i);
  });
});

describe('decodeFormBody: charset from the charset form field', () => {
  for (const sample of SAMPLES.filter((s) => ['Shift_JIS', 'EUC-JP', 'ISO-2022-JP', 'EUC-KR', 'KOI8-R', 'GB2312', 'windows-1251'].includes(s.charset))) {
    it(`decodes ${sample.charset}`, () => {
      const { fields, charset } = decodeFormBody(sampleBody(sample, [['charset', sample.charset]]), FORM);
      assert.equal(charset, sample.name);
      assert.equal(fields.get('title'), sample.title);
      assert.equal(fields.get('excerpt'), sample.excerpt);
      assert.equal(fields.get('charset'), sample.charset);
    });
  }

  it('reads the field wherever it is in the body', () => {
    const body = Buffer.concat([formBody([['title', '안녕']], 'euc-kr'), Buffer.from('&charset=euc-kr')]);
    assert.equal(decodeFormBody(body, undefined).fields.get('title'), '안녕');
  });

  it('refuses a charset field that is not ASCII', () => {
    assertInvalidCharset(() => decodeFormBody(Buffer.from('charset=%E6%97%A5&title=x'), FORM), /ASCII/);
  });
});

describe('decodeFormBody: no charset given', () => {
  it('reads plain ASCII and UTF-8 as UTF-8', () => {
    assert.equal(decodeFormBody(Buffer.from('title=Hello'), FORM).charset, 'utf-8');
    const { fields, charset } = decodeFormBody(formBody([['title', 'Ünïcödé 日本 🎉']], 'utf-8'), undefined);
    assert.equal(charset, 'utf-8');
    assert.equal(fields.get('title'), 'Ünïcödé 日本 🎉');
  });

  it('keeps a U+FFFD the sender really sent in UTF-8', () => {
    const { fields, charset } = decodeFormBody(Buffer.from('title=a%EF%BF%BDb'), FORM);
    assert.equal(charset, 'utf-8');
    assert.equal(fields.get('title'), 'a\uFFFDb');
  });

  it('leaves values that are neither ASCII nor UTF-8 undecoded when no charset is named, and decodes the ASCII ones', () => {
    const body = formBody([['title', 'Ёжик в тумане'], ['url', 'http://x.example/']], 'windows-1251');
    const form = decodeFormBody(body, FORM);
    assert.equal(form.charset, undefined);
    assert.equal(form.fields.get('url'), 'http://x.example/');
    assert.deepEqual(form.undecoded.get('title'), iconv.encode('Ёжик в тумане', 'windows-1251'));
  });

  it('recognizes ISO-2022-JP by its escape sequences (it would pass as UTF-8)', () => {
    const body = formBody([['title', '日本語のテスト']], 'iso-2022-jp');
    const { fields, charset } = decodeFormBody(body, FORM);
    assert.equal(charset, 'iso-2022-jp');
    assert.equal(fields.get('title'), '日本語のテスト');
  });
});

/** decodeFormBody, then decodeUndeclared for what it left: the TrackBack path without a source page. */
async function guessed(body: Buffer, hint?: string): Promise<{ fields: Map<string, string>; charset: string; by: string }> {
  const form = decodeFormBody(body, FORM);
  assert.equal(form.charset, undefined, 'the body was left for guessing');
  const decoded = await decodeUndeclared(form.undecoded, hint);
  return { ...decoded, fields: new Map([...form.fields, ...decoded.fields]) };
}

describe('decodeUndeclared: the page\'s hint, then the detector', () => {
  const guesses: Array<{ encoding: string; expected: string; title: string; excerpt: string }> = [
    { encoding: 'euc-jp', expected: 'euc-jp', title: '日本語のトラックバック', excerpt: 'ｶﾀｶﾅと漢字、「引用」です。' },
    { encoding: 'shift_jis', expected: 'shift_jis', title: '日本語のトラックバック', excerpt: 'トラックバック送信テスト。' },
    { encoding: 'windows-1252', expected: 'windows-1252', title: 'Café crème', excerpt: 'naïve façade – “déjà vu” for 5 €' },
    { encoding: 'iso-8859-1', expected: 'windows-1252', title: 'Größe', excerpt: 'Ærøskøbing, Müller über Straße' },
    { encoding: 'windows-1251', expected: 'windows-1251', title: 'Ёжик в тумане', excerpt: 'Новая экранизация старой сказки' },
  ];
  for (const { encoding, expected, title, excerpt } of guesses) {
    it(`detects ${expected} for ${encoding} text: "${title}"`, async () => {
      const body = formBody([['title', title], ['url', 'http://x.example/'], ['excerpt', excerpt]], encoding);
      const { fields, charset, by } = await guessed(body);
      assert.equal(by, 'detector');
      assert.equal(charset, expected);
      assert.equal(fields.get('title'), title);
      assert.equal(fields.get('excerpt'), excerpt);
    });
  }

  it('never leaves %XX in a value (Express leaves "%93%FA%96%7B", 7.1 T10)', async () => {
    const { fields } = await guessed(Buffer.from('title=%93%FA%96%7B'));
    assert.doesNotMatch(fields.get('title')!, /%[0-9A-F]{2}/i);
  });

  it('takes the hint when it decodes every value, ahead of the detector', async () => {
    // KOI8-R bytes of Russian text are valid windows-1251 too (as mojibake); only the hint tells.
    const body = formBody([['title', 'Съешь же ещё этих мягких французских булок']], 'koi8-r');
    const hinted = await guessed(body, 'koi8-r');
    assert.equal(hinted.by, 'hint');
    assert.equal(hinted.fields.get('title'), 'Съешь же ещё этих мягких французских булок');
    const wrongHint = await guessed(formBody([['title', '日本語のトラックバック']], 'shift_jis'), 'utf-8');
    assert.equal(wrongHint.by, 'detector', 'a hint that does not decode the bytes is passed over');
    assert.equal(wrongHint.fields.get('title'), '日本語のトラックバック');
  });

  it('passes over readings where most words mix Latin and Cyrillic letters, but not text with one such word', async () => {
    const french = await guessed(formBody([['title', 'Café crème'], ['excerpt', 'naïve façade – “déjà vu” for 5 €']], 'windows-1252'));
    assert.equal(french.fields.get('title'), 'Café crème');
    const russian = 'Обзор нового iPhoneа: камера стала лучше, батарея держит дольше';
    const { fields } = await guessed(formBody([['title', russian]], 'windows-1251'));
    assert.equal(fields.get('title'), russian);
  });

  it('rejects guesses that yield C1 controls or private-use characters', async () => {
    // Strictly valid Shift_JIS: 0x80 reads as U+0080, and F6 DF as U+E506 (private use).
    for (const title of ['Preis: 5 € für die Straßenbahn', 'Größe']) {
      const { fields } = await guessed(formBody([['title', title]], 'windows-1252'), 'shift_jis');
      assert.equal(fields.get('title'), title);
    }
  });

  it('decodes bytes the sender forgot to percent-encode', async () => {
    const raw = Buffer.concat([Buffer.from('title='), iconv.encode('日本語のトラックバック', 'euc-jp'), Buffer.from('&url=x')]);
    assert.equal((await guessed(raw)).fields.get('title'), '日本語のトラックバック');
  });
});

describe('decodeFormBody: refused charsets', () => {
  for (const label of ['UTF-7', 'utf-7', 'UTF-7-IMAP', 'x-utf-7', 'unicode-1-1-utf-7', 'csUnicode11UTF7']) {
    it(`refuses ${label} in the Content-Type and in the field`, () => {
      assertInvalidCharset(() => decodeFormBody(Buffer.from('title=%2BADw-script%2BAD4-'), `${FORM}; charset=${label}`), /not accepted/);
      assertInvalidCharset(() => decodeFormBody(Buffer.from(`charset=${label}&title=x`), FORM), /not accepted/);
    });
  }

  for (const label of ['UTF-16', 'UTF-16LE', 'utf-16be', 'UTF-32', 'ucs-2', 'base64', 'hex']) {
    it(`refuses ${label}, which cannot carry a form body`, () => {
      assertInvalidCharset(() => decodeFormBody(Buffer.from('title=x'), `${FORM}; charset=${label}`), /cannot encode/);
    });
  }

  for (const label of ['foobar', 'x-user-defined', 'iso-2022-kr', '<script>', 'utf-8;', 'a'.repeat(60)]) {
    it(`refuses the unknown label ${JSON.stringify(label.slice(0, 12))}`, () => {
      assertInvalidCharset(() => decodeFormBody(Buffer.from('title=x'), `${FORM}; charset="${label}"`), /Unknown charset/);
      assertInvalidCharset(() => decodeFormBody(Buffer.from(`charset=${encodeURIComponent(label)}&title=x`), FORM), /Unknown charset/);
    });
  }

  it('keeps a refused label short in the message', () => {
    assertInvalidCharset(() => decodeFormBody(Buffer.from('title=x'), `${FORM}; charset=${'b'.repeat(500)}`), /^Unknown charset 'b{40}…'\.$/);
  });
});

describe('decodeFormBody: form syntax', () => {
  it('reads + as a space and %2B as a plus', () => {
    assert.equal(decodeFormBody(Buffer.from('title=a+b%2Bc+%2B+d'), FORM).fields.get('title'), 'a b+c + d');
  });

  it('leaves malformed escapes literal and decodes the rest', () => {
    const { fields } = decodeFormBody(Buffer.from('a=%G1&b=100%&c=%4&d=%%41&e=%e6%97%a5%zz'), FORM);
    assert.deepEqual(Object.fromEntries(fields), { a: '%G1', b: '100%', c: '%4', d: '%A', e: '日%zz' });
  });

  it('answers an empty body with no fields', () => {
    for (const raw of ['', '&', '&&&']) {
      const { fields, charset } = decodeFormBody(Buffer.from(raw), FORM);
      assert.equal(fields.size, 0);
      assert.equal(charset, 'utf-8');
    }
    assert.equal(decodeFormBody(Buffer.alloc(0), undefined).fields.size, 0);
  });

  it('keeps the first of repeated names', () => {
    const { fields } = decodeFormBody(Buffer.from('url=http%3A%2F%2Ffirst.example%2F&url=http%3A%2F%2Fsecond.example%2F'), FORM);
    assert.equal(fields.get('url'), 'http://first.example/');
  });

  it('reads names without "=", empty values and "=" inside values', () => {
    const { fields } = decodeFormBody(Buffer.from('flag&empty=&eq=a=b&=nameless'), FORM);
    assert.deepEqual(Object.fromEntries(fields), { flag: '', empty: '', eq: 'a=b', '': 'nameless' });
  });

  it('percent-decodes names as ASCII, so other bytes cannot collide with a field we read', () => {
    const { fields } = decodeFormBody(Buffer.from('%74itle=escaped&blog+name=spaced&%C3%BArl=x'), FORM);
    assert.equal(fields.get('title'), 'escaped');
    assert.equal(fields.get('blog name'), 'spaced');
    assert.equal(fields.get('url'), undefined);
  });

  // Checked by outcome, not by a clock: these bodies are milliseconds of linear work but hours of
  // quadratic work (rescanning the body, or the pairs seen so far, for each pair). vm's timeout
  // interrupts synchronous code, so a quadratic split fails with a timeout error instead of hanging
  // the test process; the limit is only a guard against that, far above any linear run.
  const GUARD = { timeout: 60_000 };
  const guarded = <T>(work: () => T): T => runInNewContext('work()', { work }, GUARD) as T;

  it('splits a large body in linear time: one name repeated', () => {
    const raw = Buffer.from(`${'a&'.repeat(500_000)}b=last`);
    const fields = guarded(() => decodeFormBody(raw, FORM).fields);
    assert.deepEqual(Object.fromEntries(fields), { a: '', b: 'last' });
  });

  it('splits a large body in linear time: every name different', () => {
    const raw = Buffer.from(Array.from({ length: 200_000 }, (_, i) => `n${i}=${i}`).join('&'));
    const fields = guarded(() => decodeFormBody(raw, FORM).fields);
    assert.equal(fields.size, 200_000);
    assert.equal(fields.get('n199999'), '199999');
  });
});
