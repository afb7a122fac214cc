/**
 * The POST /comments lane (src/http/comment-lane.ts) answers exactly as the Express route does: the
 * same requests, sent to one server whose listener has the lane and to one without it (both over
 * the same deps and database), get the same status, headers and body, comment ids, tokens and
 * dates aside. Each request also shows which door took it: Express gives the request its own
 * prototype as soon as it sees it, the lane never does.
 */
import assert from 'node:assert/strict';
import { createServer, IncomingMessage, request as httpRequest, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { createRequestListener } from '../../src/app.js';
import { connect } from 'node:net';
import { logLines, POST, SITE, startTestServer, type TestServer } from '../helpers/test-server.js';
import { nastyString, runs } from '../fuzz/support.js';

interface Raw { status: number; headers: Record<string, string | string[]>; body: string }

function send(url: string, method: string, headers: Record<string, string>, body?: string | Buffer, path = '/comments'): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url + path, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers as Record<string, string | string[]>, body: Buffer.concat(chunks).toString('latin1') }));
    });
    req.on('error', reject);
    if (body !== undefined && typeof body !== 'string' || headers['transfer-encoding'] === undefined) req.end(body);
    else {
      req.write(body);
      req.end();
    }
  });
}

async function listen(listener: RequestListener): Promise<{ server: Server; url: string }> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Two doors over one app's deps: `lane` (the server's listener) and `express` (the lane switched off). */
interface Doors {
  app: TestServer;
  lane: string;
  express: string;
  /** Per request to `lane`: whether Express saw it. */
  tookExpress: boolean[];
  close(): Promise<void>;
}

async function doors(env: Record<string, string> = {}): Promise<Doors> {
  const app = await startTestServer(env);
  const tookExpress: boolean[] = [];
  const withLane = createRequestListener(app.deps);
  const lane = await listen((req, res) => {
    withLane(req, res);
    tookExpress.push(Object.getPrototypeOf(req) !== IncomingMessage.prototype);
  });
  const express = await listen(createRequestListener(app.deps, { postLane: false }));
  return {
    app, lane: lane.url, express: express.url, tookExpress,
    async close() {
      for (const s of [lane.server, express.server]) {
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
      await app.close();
    },
  };
}

/** What may differ between two answers to equal requests: new ids, tokens, dates, the server's own port. */
function normalized(raw: Raw, ports: string[]): unknown {
  const scrub = (text: string) => {
    let out = text
      .replace(/comment-\d+/g, 'comment-N').replace(/posted=\d+/g, 'posted=N').replace(/\/api\/comments\/\d+/g, '/api/comments/N')
      .replace(/"id":\d+/g, '"id":N').replace(/"edit_token":"[^"]+"/g, '"edit_token":"T"').replace(/"created":"[^"]+"/g, '"created":"D"')
      .replace(/bt_own=\d+\.[\w-]+/g, 'bt_own=N.T').replace(/Expires=[^;]+/g, 'Expires=D');
    // Only where a port can be (after the host): a random request id may hold the same digits.
    for (const port of ports) out = out.split(`:${port}`).join(':PORT');
    return out;
  };
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw.headers)) {
    if (['date', 'connection', 'keep-alive'].includes(name)) continue;
    const text = Array.isArray(value) ? value.join('\n') : value;
    // Each server makes up its own request id unless the client sent one.
    headers[name] = name === 'x-request-id' && /^[0-9a-f-]{36}$/.test(text) ? 'UUID' : scrub(text);
  }
  // A new comment's ids and dates differ, so its weak ETag and perhaps its length do; that they are right does not.
  if (raw.status === 201 && headers.etag) headers.etag = 'W/"…"';
  return { status: raw.status, headers, body: scrub(raw.body) };
}

interface Case {
  name: string;
  headers: Record<string, string>;
  /** The body; `TAG` is replaced by a tag of the same length for each door, so neither posts a repeat. */
  body: string | Buffer;
  /** true: the lane takes it; false: it goes to Express (both doors answer through Express then). */
  lane: boolean;
  path?: string;
}

const FORM = 'application/x-www-form-urlencoded';
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const target = encodeURIComponent(POST);

const CASES: Case[] = [
  { name: 'form, published', lane: true, headers: { 'content-type': FORM, accept: 'text/html,*/*' }, body: form({ target: POST, body: 'Hello TAG', author: 'Ann' }) },
  { name: 'form from /thread with a cookie', lane: true, headers: { 'content-type': FORM, cookie: 'a=b; bt_own=1.aaaaaaaaaaaaaaaaaaaaaaaa' }, body: form({ target: POST, body: 'Back TAG', return: 'thread', lang: 'de' }) },
  { name: 'form asking for JSON', lane: true, headers: { 'content-type': FORM, accept: 'application/json' }, body: form({ target: POST, body: 'Json please TAG' }) },
  { name: 'JSON from the site', lane: true, headers: { 'content-type': 'application/json', origin: SITE }, body: JSON.stringify({ target: POST, body: 'Widget TAG', author: 'W', email: 'w@mail.example', url: 'https://w.example/' }) },
  { name: 'JSON, charset and a request id', lane: true, headers: { 'content-type': 'application/json; charset=UTF-8', 'x-request-id': 'proxy-42' }, body: JSON.stringify({ target: POST, body: 'Id TAG' }) },
  { name: 'JSON with a byte order mark', lane: true, headers: { 'content-type': 'application/json' }, body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ target: POST, body: 'Bom TAG' }))]) },
  { name: 'form from a foreign origin', lane: true, headers: { 'content-type': FORM, origin: 'http://elsewhere.example' }, body: form({ target: POST, body: 'Foreign TAG' }) },
  { name: 'form in ISO-8859-1', lane: true, headers: { 'content-type': `${FORM}; charset=iso-8859-1` }, body: `target=${target}&body=caf%E9+TAG&author=Jos%E9` },
  { name: 'form in ISO-8859-1, raw bytes', lane: true, headers: { 'content-type': `${FORM};charset=ISO-8859-1` }, body: Buffer.from(`target=${target}&body=na\xefve TAG`, 'latin1') },
  { name: 'form with bracketed and encoded-bracket keys', lane: true, headers: { 'content-type': FORM }, body: `%5Btarget%5D=${target}&[body]=Brackets+TAG&author[]=x&[]=y&[0]=z` },
  { name: 'form with a malformed escape', lane: true, headers: { 'content-type': FORM }, body: `target=${target}&body=100%+sure+%E0%A4%A+TAG` },
  { name: 'form with __proto__ and prototype names', lane: true, headers: { 'content-type': FORM }, body: `__proto__=x&constructor=y&toString=z&target=${target}&body=Proto+TAG&[__proto__]=w` },
  { name: 'form whose value holds ]=', lane: true, headers: { 'content-type': FORM }, body: `target=${target}&body=a]=b+TAG` },
  { name: 'form with no = and empty keys', lane: true, headers: { 'content-type': FORM }, body: `target=${target}&body=Bare+TAG&subscribe&=x&&` },
  { name: 'empty body field', lane: true, headers: { 'content-type': FORM }, body: form({ target: POST, body: '', author: 'TAG' }) },
  { name: 'repeated field', lane: true, headers: { 'content-type': FORM }, body: `target=${target}&body=One+TAG&body=Two` },
  // qs merges `[body]` into `body` and drops an empty second value (found by the random bodies below).
  { name: 'a field named again through brackets, empty', lane: true, headers: { 'content-type': FORM }, body: `target=${target}&body=Twice+TAG&%5Bbody%5D=` },
  { name: 'a field named again through brackets, not empty', lane: true, headers: { 'content-type': FORM }, body: `target=${target}&body=Twice+TAG&[body]=again` },
  { name: 'bad parent, German by Accept-Language', lane: true, headers: { 'content-type': FORM, 'accept-language': 'de-DE,de;q=0.9' }, body: form({ target: POST, body: 'Parent TAG', parent: 'x' }) },
  { name: 'bad parent, French by lang field, JSON', lane: true, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ target: POST, body: 'Parent TAG', parent: -1, lang: 'fr' }) },
  { name: 'target outside the sites', lane: true, headers: { 'content-type': FORM }, body: form({ target: 'http://evil.example/p', body: 'Evil TAG' }) },
  { name: 'target outside the sites, JSON', lane: true, headers: { 'content-type': 'application/json', origin: SITE }, body: JSON.stringify({ target: 'http://evil.example/p', body: 'Evil TAG' }) },
  { name: 'field of the wrong type, JSON', lane: true, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ target: POST, body: ['TAG'] }) },
  { name: 'bad JSON', lane: true, headers: { 'content-type': 'application/json' }, body: '{"target": TAG' },
  { name: 'JSON that is not an object', lane: true, headers: { 'content-type': 'application/json' }, body: ' "TAG"' },
  { name: 'JSON array', lane: true, headers: { 'content-type': 'application/json' }, body: '["TAG"]' },
  { name: 'empty JSON body', lane: true, headers: { 'content-type': 'application/json' }, body: '' },
  { name: 'empty form body', lane: true, headers: { 'content-type': FORM }, body: '' },
  { name: 'too many fields', lane: true, headers: { 'content-type': FORM }, body: `target=${target}&body=TAG${'&a=1'.repeat(1000)}` },
  { name: 'too long (Express answers)', lane: false, headers: { 'content-type': FORM }, body: `target=${target}&body=TAG${'x'.repeat(66_000)}` },
  { name: 'another type (Express answers)', lane: false, headers: { 'content-type': 'text/plain' }, body: 'TAG' },
  { name: 'no type (Express answers)', lane: false, headers: {}, body: 'TAG' },
  { name: 'unknown charset (Express answers)', lane: false, headers: { 'content-type': `${FORM}; charset=koi8-r` }, body: form({ target: POST, body: 'TAG' }) },
  { name: 'JSON in UTF-16 (Express answers)', lane: false, headers: { 'content-type': 'application/json; charset=utf-16' }, body: '{}TAG' },
  { name: 'gzip body (Express answers)', lane: false, headers: { 'content-type': FORM, 'content-encoding': 'gzip' }, body: 'not gzip TAG' },
  { name: 'chunked body (Express answers)', lane: false, headers: { 'content-type': FORM, 'transfer-encoding': 'chunked' }, body: form({ target: POST, body: 'Chunked TAG' }) },
  { name: 'query string (Express answers)', lane: false, path: '/comments?lang=de', headers: { 'content-type': FORM }, body: form({ target: POST, body: 'Query TAG', parent: 'x' }) },
];

/** encodeURIComponent, or the text as it is where it cannot (a lone surrogate). */
function encoded(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return text;
  }
}

function tagged(body: string | Buffer, tag: string): string | Buffer {
  return typeof body === 'string' ? body.split('TAG').join(tag) : Buffer.from(body.toString('latin1').split('TAG').join(tag), 'latin1');
}

async function compare(d: Doors, c: Case, i: number): Promise<{ lane: Raw; express: Raw }> {
  const laneTag = `L${String(i).padStart(3, '0')}`;
  const expressTag = `E${String(i).padStart(3, '0')}`;
  const before = d.tookExpress.length;
  const lane = await send(d.lane, 'POST', c.headers, tagged(c.body, laneTag), c.path);
  assert.equal(d.tookExpress.length, before + 1);
  assert.equal(d.tookExpress[before], !c.lane, `${c.name}: ${c.lane ? 'the lane' : 'Express'} should have taken it`);
  const express = await send(d.express, 'POST', c.headers, tagged(c.body, expressTag), c.path);
  const ports = [new URL(d.lane).port, new URL(d.express).port, new URL(d.app.url).port];
  const strip = (raw: Raw, tag: string) => {
    const headers = JSON.parse(JSON.stringify(raw.headers).split(tag).join('TAG')) as Raw['headers'];
    // New ids (and the tags) may differ in length: that the length is the body's is what counts.
    if (headers['content-length'] === String(raw.body.length)) headers['content-length'] = "the body's";
    return { ...raw, body: raw.body.split(tag).join('TAG'), headers };
  };
  assert.deepEqual(normalized(strip(lane, laneTag), ports), normalized(strip(express, expressTag), ports), c.name);
  return { lane, express };
}

describe('POST /comments: the lane answers as the Express route', () => {
  for (const moderation of ['auto', 'all']) {
    describe(`BACKTALK_MODERATION=${moderation}`, () => {
      let d: Doors;
      before(async () => (d = await doors({ BACKTALK_MODERATION: moderation })));
      after(async () => d.close());

      it('the same status, headers and body for every request, the odd ones too', async () => {
        const statuses: number[] = [];
        for (const [i, c] of CASES.entries()) statuses.push((await compare(d, c, i)).lane.status);
        // The cases reach every kind of answer: new comments both ways, refusals, and the body errors.
        for (const status of [201, 303, 400, 403, 413, 415]) assert.ok(statuses.includes(status), `some case answered ${status}: ${statuses.join(' ')}`);
      });

      it('form posts: the redirect, and the own-comment cookie when held', async () => {
        const { lane } = await compare(d, { name: 'held or published', lane: true, headers: { 'content-type': FORM }, body: form({ target: POST, body: 'Cookie TAG' }) }, 900);
        assert.equal(lane.status, 303);
        assert.equal(lane.headers['content-type'], 'text/plain; charset=utf-8');
        assert.equal(lane.headers.vary, undefined, 'the 303 no longer depends on Accept');
        if (moderation === 'all') {
          assert.match(String(lane.headers.location), /\/comments\/held\?target=/);
          assert.match(String(lane.headers['set-cookie']), /^bt_own=\d+\.[\w-]{20,}; Max-Age=2592000; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
        } else {
          assert.equal(lane.headers.location, `${POST}#comment-${/comment-(\d+)/.exec(String(lane.headers.location))![1]}`);
          assert.equal(lane.headers['set-cookie'], undefined);
        }
      });
    });
  }

  it('a foreign Origin is noted as refused by the lane too', async () => {
    const d = await doors();
    try {
      await send(d.lane, 'POST', { 'content-type': FORM, origin: 'http://refused.example' }, form({ target: POST, body: 'From elsewhere' }));
      assert.equal(d.tookExpress.at(-1), false);
      const refused = await d.app.deps.refusedOrigins.list();
      assert.deepEqual(refused.map((r) => r.origin), ['http://refused.example']);
    } finally {
      await d.close();
    }
  });

  it('the rate limit: one limit across both doors, the same 429 with Retry-After', async () => {
    const d = await doors({ BACKTALK_RATE_LIMIT: '2' });
    try {
      const post = (url: string, n: number) => send(url, 'POST', { 'content-type': FORM }, form({ target: POST, body: `Limited ${n}` }));
      assert.equal((await post(d.lane, 1)).status, 303);
      assert.equal((await post(d.express, 2)).status, 303);
      const lane = await post(d.lane, 3);
      const express = await post(d.express, 4);
      assert.equal(lane.status, 429);
      assert.ok(Number(lane.headers['retry-after']) > 0);
      const ports = [new URL(d.lane).port, new URL(d.express).port];
      assert.deepEqual(normalized(lane, ports), normalized({ ...express, body: express.body.replace('Limited 4', 'Limited 3') }, ports));
    } finally {
      await d.close();
    }
  });

  it('a body cut off mid-way: a 400 logged at error level (nobody got it), and the server goes on', async () => {
    const { sink, lines } = logLines();
    const app = await startTestServer({ BACKTALK_LOG_LEVEL: 'info' }, {}, sink);
    try {
      const port = Number(new URL(app.url).port);
      const socket = connect(port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(`POST /comments HTTP/1.1\r\nHost: x\r\nContent-Type: ${FORM}\r\nContent-Length: 100\r\n\r\ntarget=`);
      socket.end();
      while (!lines.some((l) => l.msg === 'POST /comments 400')) await new Promise((resolve) => setTimeout(resolve, 10));
      const line = lines.find((l) => l.msg === 'POST /comments 400')!;
      assert.equal(line.level, 50, 'an answer the client never got is logged at error level');
      const res = await app.postForm('/comments', { target: POST, body: 'Still here' });
      assert.equal(res.status, 303);
    } finally {
      await app.close();
    }
  });

  it('random form bodies: the same answer both ways', async () => {
    const d = await doors();
    try {
      const key = fc.oneof(fc.constantFrom('target', 'body', 'author', 'email', 'url', 'parent', 'website2', 'subscribe', 'lang', 'return', '[body]', 'body[]', '__proto__'), nastyString(8));
      const value = fc.oneof(nastyString(40), fc.constantFrom('%', '%zz', '%E9', '+', ']=', '%5D=', 'a&b', 'de'));
      let n = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(fc.tuple(key, value, fc.boolean()), { maxLength: 6 }), fc.boolean(), async (extra, latin1) => {
          n += 1;
          // Raw pairs, encoded or not, after a valid comment: the parsers have to agree on all of it.
          const tail = extra.map(([k, v, raw]) => (raw ? `${k}=${v}` : `${encoded(k)}=${encoded(v)}`)).join('&');
          const c: Case = {
            name: `random ${n}: ${tail}`, lane: true, headers: { 'content-type': latin1 ? `${FORM}; charset=iso-8859-1` : FORM },
            body: Buffer.from(`target=${target}&body=Random+TAG&${tail}`, latin1 ? 'latin1' : 'utf8'),
          };
          await compare(d, c, 1000 + n);
        }),
        runs(150),
      );
    } finally {
      await d.close();
    }
  });
});
