/**
 * Hostile input at POST /trackback over HTTP: random fields encoded in random charsets, declared
 * right, wrong or not at all (in the Content-Type or a `charset` field), percent-garbage and raw bytes.
 * Every answer is TrackBack's own well-formed XML (`<error>0|1</error>`), HTTP 200, and a row is
 * stored only for `<error>0</error>`.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { SaxesParser } from 'saxes';
import { LINKING_HOST, mutate, mutation, nastyString, pct, POST, runs, startFuzzServer, urlish, type FuzzServer } from './support.js';

const ENCODINGS = ['utf8', 'latin1', 'win1252', 'win1251', 'koi8-r', 'shift_jis', 'euc-jp', 'gb2312', 'big5', 'utf16le', 'utf7'];
const DECLARED = ['utf-8', 'UTF-8', 'iso-8859-1', 'windows-1251', 'KOI8-R', 'Shift_JIS', 'euc-jp', 'gb2312', 'big5', 'utf-16', 'utf-7', 'x-bogus', 'utf-32', '"utf-8"', ''];

let server: FuzzServer;
before(async () => (server = await startFuzzServer()));
after(async () => server.close());

let unique = 0;

/** Percent-encodes every byte that is not unreserved, as a form encoder in that charset would. */
function formValue(text: string, encoding: string): string {
  const bytes = iconv.encode(text, encoding);
  let out = '';
  for (const b of bytes) out += /[A-Za-z0-9*\-._]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

/** Reads a TrackBack answer: well-formed XML, a <response> with <error>0|1</error> and, for 1, a message. */
function readResponse(xml: string): { error: 0 | 1; message: string } {
  const parser = new SaxesParser();
  const path: string[] = [];
  let error = '';
  let message = '';
  let root = '';
  parser.on('error', (e) => assert.fail(`not well-formed XML (${e.message}): ${xml.slice(0, 300)}`));
  parser.on('opentag', (t) => {
    if (path.length === 0) root = t.name;
    path.push(t.name);
  });
  parser.on('closetag', () => path.pop());
  parser.on('text', (t) => {
    if (path.at(-1) === 'error') error += t;
    if (path.at(-1) === 'message') message += t;
  });
  parser.write(xml).close();
  assert.equal(root, 'response');
  assert.ok(error === '0' || error === '1', `<error> is 0 or 1, got ${JSON.stringify(error)}`);
  if (error === '1') assert.ok(message.length > 0, 'a refusal says why');
  return { error: error === '0' ? 0 : 1, message };
}

const source = fc.oneof(
  { weight: 2, arbitrary: fc.constant('linking') },
  { weight: 3, arbitrary: urlish },
);
const ping = fc.record({
  url: source,
  title: nastyString(60),
  excerpt: fc.oneof(nastyString(200), fc.integer({ min: 1, max: 70 }).map((k) => 'é'.repeat(k * 1000))),
  blog_name: nastyString(40),
  charsetField: fc.option(fc.constantFrom(...DECLARED), { nil: undefined }),
  extra: fc.array(fc.tuple(fc.constantFrom('url', 'title', '__proto__', 'charset', 'x'), nastyString(20)), { maxLength: 3 }),
});

test('random pings in random encodings and declared charsets: always TrackBack XML, a row only for <error>0</error>', async () => {
  let accepted = 0;
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(
      ping, fc.constantFrom(...ENCODINGS), fc.option(fc.constantFrom(...DECLARED), { nil: undefined }),
      fc.oneof({ weight: 4, arbitrary: fc.constant(POST) }, { weight: 1, arbitrary: urlish }),
      fc.array(mutation, { maxLength: 2 }), fc.boolean(),
      async (p, encoding, declared, target, mutations, broken) => {
        const url = p.url === 'linking' ? `http://${LINKING_HOST}/p/${(unique += 1)}` : p.url;
        const pairs: [string, string][] = [['url', url], ['title', p.title], ['excerpt', p.excerpt], ['blog_name', p.blog_name], ...p.extra];
        if (p.charsetField !== undefined) pairs.push(['charset', p.charsetField]);
        let body = Buffer.from(pairs.map(([k, v]) => `${k}=${formValue(v, encoding)}`).join('&'), 'latin1');
        if (broken) body = mutate(body, mutations);
        const type = `application/x-www-form-urlencoded${declared === undefined ? '' : `; charset=${declared}`}`;
        const before = server.counts().comments;
        const res = await server.request(`/trackback?target=${pct(target)}`, { method: 'POST', headers: { 'content-type': type }, body });
        const text = await res.text();
        assert.equal(res.status, 200, `HTTP ${res.status}: ${text.slice(0, 300)}`);
        assert.match(res.headers.get('content-type') ?? '', /^text\/xml/);
        const answer = readResponse(text);
        const after = server.counts().comments;
        assert.equal(after, before + (answer.error === 0 ? 1 : 0), `<error>${answer.error}</error> (${answer.message}) but rows ${before} → ${after}`);
        if (answer.error === 0) accepted += 1;
        else refused += 1;
      },
    ),
    runs(350),
  );
  assert.ok(accepted > 30 && refused > 30, `both paths exercised (${accepted} accepted, ${refused} refused)`);
  await server.assertAlive();
});

test('raw bytes, odd content types and encodings, odd paths at the TrackBack door', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ maxLength: 400 }),
      fc.constantFrom('application/x-www-form-urlencoded', 'text/plain', 'application/json', 'multipart/form-data', '', 'application/x-www-form-urlencoded; charset=utf-8; charset=latin1'),
      fc.oneof(fc.constant(`/trackback?target=${encodeURIComponent(POST)}`), fc.constant('/trackback'), fc.nat().map((n) => `/trackback/${n}`),
        fc.constantFrom('/trackback/0', '/trackback/-1', '/trackback/1e9', '/trackback/99999999999999999999', '/trackback/%ff', '/trackback?target=&target=x', '/trackback?target[]=x')),
      fc.constantFrom(undefined, 'gzip', 'deflate', 'br', 'bogus'),
      async (bytes, type, path, encoding) => {
        const before = server.counts().comments;
        const headers = { ...(type === '' ? {} : { 'content-type': type }), ...(encoding ? { 'content-encoding': encoding } : {}) };
        const res = await server.request(path, { method: 'POST', headers, body: Buffer.from(bytes) });
        const text = await res.text();
        assert.equal(res.status, 200, `HTTP ${res.status} for ${path}: ${text.slice(0, 300)}`);
        assert.equal(readResponse(text).error, 1);
        assert.equal(server.counts().comments, before);
      },
    ),
    runs(200),
  );
  await server.assertAlive();
});
