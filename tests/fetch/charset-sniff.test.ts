import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import iconv from 'iconv-lite';
import { declaredCharset, decodeBody, encodingForLabel, sniffCharset } from '../../src/fetch/charset-sniff.js';

const ascii = (text: string): Buffer => Buffer.from(text, 'latin1');

describe('sniffCharset', () => {
  it('uses a byte-order mark before anything else', () => {
    assert.equal(sniffCharset('text/html; charset=windows-1251', Buffer.from([0xef, 0xbb, 0xbf, 0x41])), 'utf-8');
    assert.equal(sniffCharset('text/html', Buffer.from([0xff, 0xfe, 0x41, 0x00])), 'utf-16le');
  });

  it('takes the Content-Type charset, quoted or not, in any case', () => {
    assert.equal(sniffCharset('text/html; charset=Shift_JIS', ascii('<meta charset="koi8-r">')), 'shift_jis');
    assert.equal(sniffCharset('text/html;charset="windows-1251"', ascii('')), 'windows-1251');
  });

  it('reads <meta charset> and <meta http-equiv> in the first 2 KB, ignoring comments and other metas', () => {
    assert.equal(sniffCharset('text/html', ascii('<head><meta charset=koi8-r>')), 'koi8-r');
    assert.equal(sniffCharset('', ascii(`<META HTTP-EQUIV='content-type' CONTENT='text/html; charset=euc-jp'>`)), 'euc-jp');
    assert.equal(sniffCharset('text/html', ascii('<!-- <meta charset="koi8-r"> --><p>')), 'utf-8');
    assert.equal(sniffCharset('text/html', ascii('<meta name="x" content="text/html; charset=koi8-r">')), 'utf-8');
    assert.equal(sniffCharset('text/html', ascii(`${' '.repeat(2100)}<meta charset="koi8-r">`)), 'utf-8');
  });

  it('reads an XML declaration', () => {
    assert.equal(sniffCharset('application/xml', ascii('<?xml version="1.0" encoding="ISO-8859-5"?><r/>')), 'iso-8859-5');
  });

  it('ignores a <meta> claiming UTF-16, since the prescan just read it as ASCII', () => {
    assert.equal(sniffCharset('text/html', ascii('<meta charset="utf-16">')), 'utf-8');
  });

  it('falls back to UTF-8', () => {
    assert.equal(sniffCharset('', ascii('<p>plain</p>')), 'utf-8');
    assert.equal(sniffCharset('text/html; charset=bogus', ascii('<p>plain</p>')), 'utf-8');
  });
});

describe('encodingForLabel', () => {
  it('maps Latin-1 and ASCII labels to windows-1252, as browsers do', () => {
    for (const label of ['ISO-8859-1', 'latin1', 'US-ASCII']) assert.equal(encodingForLabel(label), 'windows-1252');
  });

  it('refuses UTF-7 and friends the HTML standard forbids, and unknown labels', () => {
    for (const label of ['utf-7', 'UTF7', 'cesu-8', 'utf-32', 'x-unknown', '']) assert.equal(encodingForLabel(label), undefined);
  });
});

describe('decodeBody', () => {
  it('decodes windows-1252 bytes behind an iso-8859-1 label (0x80 is the euro sign)', () => {
    assert.equal(decodeBody('text/plain; charset=iso-8859-1', Buffer.from([0x80, 0x20, 0xe9])), '€ é');
  });

  it('decodes Shift_JIS found only in <meta>', () => {
    const bytes = iconv.encode('<meta charset="Shift_JIS"><title>日本</title>', 'shift_jis');
    assert.equal(decodeBody('text/html', bytes), '<meta charset="Shift_JIS"><title>日本</title>');
  });

  it('turns invalid UTF-8 into U+FFFD instead of throwing', () => {
    assert.equal(decodeBody('text/plain', Buffer.from([0x61, 0xff, 0x62])), 'a\uFFFDb');
  });
});
