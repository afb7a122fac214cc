/**
 * Hostile input at POST /xmlrpc: random XML-RPC calls (every value type, deep nesting, huge ints,
 * odd doubles, base64, dateTime, entities, `__proto__` members), the same with mutated bytes, DOCTYPE
 * and entity bombs, declared encodings. Every answer is an XML-RPC methodResponse (a result or a
 * fault with an int code), never a 5xx, and a row is stored only by a pingback.ping that succeeded.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { SaxesParser } from 'saxes';
import { LINKING_HOST, mutate, mutation, nastyString, POST, runs, startFuzzServer, urlish, type FuzzServer } from './support.js';

let server: FuzzServer;
before(async () => (server = await startFuzzServer()));
after(async () => server.close());

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Text for a <string>: escaped nasty text, or raw entity references good and bad. */
const xmlText = fc.oneof(
  { weight: 4, arbitrary: nastyString(60).map(escapeXml) },
  { weight: 1, arbitrary: fc.constantFrom('&amp;&lt;&gt;&quot;&apos;', '&#0;', '&#x1F600;', '&#xD800;', '&#99999999;', '&bogus;', '&', '<![CDATA[x]]>', ']]>', '<!-- c -->', '<?pi x?>') },
);

const scalar = fc.oneof(
  fc.oneof(fc.integer(), fc.constantFrom('99999999999999999999999', '-2147483649', '2147483648', '+5', '-0', '0x10', '1e3', '', ' 7 ', 'NaN')).map((v) => `<int>${v}</int>`),
  fc.oneof(fc.integer(), fc.constantFrom('2147483648', 'x')).map((v) => `<i4>${v}</i4>`),
  fc.oneof(fc.double().map(String), fc.constantFrom('1e309', '-1e309', 'NaN', 'inf', '-Infinity', '1.', '.5', '1e', '', '0x1p3')).map((v) => `<double>${v}</double>`),
  fc.constantFrom('0', '1', 'true', '2', '', '-1').map((v) => `<boolean>${v}</boolean>`),
  xmlText.map((v) => `<string>${v}</string>`),
  xmlText.map((v) => v),
  fc.oneof(fc.uint8Array({ maxLength: 60 }).map((a) => Buffer.from(a).toString('base64')), fc.constantFrom('!!!', '====', 'a', '')).map((v) => `<base64>${v}</base64>`),
  fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString().replace(/[-:]|\.\d+Z$/g, '')), fc.constantFrom('20261125T25:61:61', 'yesterday', '', '99999999T00:00:00', '2026-11-25T20:41:00Z')).map((v) => `<dateTime.iso8601>${v}</dateTime.iso8601>`),
  fc.constant('<nil/>'),
  fc.constantFrom('<unknown>1</unknown>', '<struct><member><value>1</value></member></struct>', '<array></array>', '<array><data><value>'),
);

const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar.map((s) => `<value>${s}</value>`),
    fc.array(tie('value'), { maxLength: 4 }).map((vs) => `<value><array><data>${vs.join('')}</data></array></value>`),
    fc.array(fc.tuple(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'methodName', 'params', 'faultCode'), nastyString(10).map(escapeXml)), tie('value')), { maxLength: 4 })
      .map((ms) => `<value><struct>${ms.map(([n, v]) => `<member><name>${n}</name>${v}</member>`).join('')}</struct></value>`),
  ),
}));

const METHODS = ['pingback.ping', 'pingback.extensions.getPingbacks', 'system.listMethods', 'system.getCapabilities', 'system.multicall', 'system.methodHelp', 'pingback.ping ', 'toString', '__proto__', 'constructor'];
const methodName = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...METHODS) }, { weight: 1, arbitrary: nastyString(20).map(escapeXml) });

let unique = 0;
const stringValue = (s: string) => `<value><string>${escapeXml(s)}</string></value>`;

/** A pingback.ping that can succeed (a linking source), or one with random arguments. */
const pingParams = fc.oneof(
  fc.constant('linking').map(() => [stringValue(`http://${LINKING_HOST}/p/${(unique += 1)}`), stringValue(POST)]),
  fc.tuple(urlish, urlish).map(([s, t]) => [stringValue(s), stringValue(t)]),
  fc.array(value, { maxLength: 3 }),
);

const randomCall = fc.record({
  name: methodName,
  params: fc.oneof(pingParams, fc.array(value, { maxLength: 4 })),
  prolog: fc.constantFrom('', '<?xml version="1.0"?>', '<?xml version="1.0" encoding="utf-8"?>', '<?xml version="1.0" encoding="ISO-8859-1"?>', '<?xml version="1.0" encoding="utf-16"?>', '<?xml version="1.0" encoding="x-nope"?>', '\ufeff<?xml version="1.0"?>'),
  prelude: fc.constantFrom('', '', '', '<!DOCTYPE methodCall [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>', '<!DOCTYPE x SYSTEM "file:///etc/passwd">', '<!-- hi -->'),
});

/** A ping that should succeed, with random extra arguments now and then (the spec takes exactly two). */
const plausiblePing = fc.record({
  name: fc.constant('pingback.ping'),
  params: fc.tuple(fc.constant(null), fc.array(value, { maxLength: 1 })).map(([, extra]) => [stringValue(`http://${LINKING_HOST}/p/${(unique += 1)}`), stringValue(POST), ...extra]),
  prolog: fc.constantFrom('', '<?xml version="1.0"?>', '<?xml version="1.0" encoding="ISO-8859-1"?>'),
  prelude: fc.constantFrom('', '<!-- hi -->'),
});

const call = fc.oneof({ weight: 1, arbitrary: plausiblePing }, { weight: 3, arbitrary: randomCall });

function toXml(c: { name: string; params: string[]; prolog: string; prelude: string }): string {
  return `${c.prolog}${c.prelude}<methodCall><methodName>${c.name}</methodName><params>${c.params.map((p) => `<param>${p}</param>`).join('')}</params></methodCall>`;
}

/** A methodResponse: well-formed, and either params or a fault struct with an int faultCode and a string. */
function readAnswer(xml: string): { fault: boolean } {
  const parser = new SaxesParser();
  const names: string[] = [];
  const path: string[] = [];
  let faultCode = '';
  parser.on('error', (e) => assert.fail(`not well-formed (${e.message}): ${xml.slice(0, 300)}`));
  parser.on('opentag', (t) => {
    names.push(t.name);
    path.push(t.name);
  });
  parser.on('closetag', () => path.pop());
  parser.on('text', (t) => {
    if (path.at(-1) === 'int' && names.includes('fault')) faultCode += t;
  });
  parser.write(xml).close();
  assert.equal(names[0], 'methodResponse');
  const fault = names[1] === 'fault';
  if (fault) {
    assert.match(faultCode, /^-?\d+$/, `faultCode is an int: ${xml.slice(0, 300)}`);
    assert.ok(names.includes('name') && xml.includes('<name>faultString</name>'));
  } else {
    assert.equal(names[1], 'params');
  }
  return { fault };
}

test('random and mutated XML-RPC calls: always a methodResponse, never a 5xx, a row only for a successful pingback.ping', async () => {
  let succeeded = 0;
  let faults = 0;
  await fc.assert(
    fc.asyncProperty(call, fc.array(mutation, { maxLength: 3 }), fc.nat(3), async (c, mutations, mutateSometimes) => {
      const xml = toXml(c);
      const body = mutateSometimes === 0 ? mutate(Buffer.from(xml), mutations) : Buffer.from(xml);
      const before = server.counts().comments;
      const res = await server.request('/xmlrpc', { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
      const text = await res.text();
      assert.ok(res.status === 200 || res.status === 413, `HTTP ${res.status} for ${body.toString().slice(0, 300)}: ${text.slice(0, 300)}`);
      assert.match(res.headers.get('content-type') ?? '', /^text\/xml/);
      const { fault } = readAnswer(text);
      assert.doesNotMatch(text, /<int>-32603<\/int>/, `an internal error for ${body.toString().slice(0, 400)}`);
      const after = server.counts().comments;
      const storedOne = !fault && c.name.trim() === 'pingback.ping' && mutateSometimes !== 0;
      if (fault) faults += 1;
      else if (c.name.trim() === 'pingback.ping') succeeded += 1;
      if (mutateSometimes === 0) assert.ok(after === before || after === before + 1, 'a mutated call stores at most one row');
      else assert.equal(after, before + (storedOne ? 1 : 0), `rows ${before} → ${after}, fault: ${fault}`);
      if (c.prelude.startsWith('<!DOCTYPE') && mutateSometimes !== 0) assert.ok(fault, 'a DOCTYPE is refused');
    }),
    runs(600),
  );
  assert.ok(succeeded > 20 && faults > 100, `both paths exercised (${succeeded} pings stored, ${faults} faults)`);
  await server.assertAlive();
});

test('deep nesting, huge documents and raw bytes at /xmlrpc: a methodResponse, never an internal error', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.integer({ min: 1, max: 4000 }).map((d) => `<methodCall><methodName>system.listMethods</methodName><params><param>${'<value><array><data>'.repeat(d)}${'</data></array></value>'.repeat(d)}</param></params></methodCall>`),
        fc.integer({ min: 1, max: 3000 }).map((d) => `<methodCall><methodName>system.multicall</methodName><params><param>${'<value><struct><member><name>m</name>'.repeat(d)}<value>1</value>${'</member></struct></value>'.repeat(d)}</param></params></methodCall>`),
        fc.integer({ min: 1, max: 30 }).map((k) => `<methodCall><methodName>pingback.ping</methodName><params><param><value><string>${'x'.repeat(k * 3000)}</string></value></param></params></methodCall>`),
        fc.uint8Array({ maxLength: 500 }).map((a) => Buffer.from(a).toString('latin1')),
      ),
      async (xml) => {
        const before = server.counts().comments;
        const res = await server.request('/xmlrpc', { method: 'POST', headers: { 'content-type': 'text/xml' }, body: Buffer.from(xml, 'latin1') });
        const text = await res.text();
        assert.ok(res.status === 200 || res.status === 413, `HTTP ${res.status}: ${text.slice(0, 300)}`);
        readAnswer(text);
        assert.doesNotMatch(text, /<int>-32603<\/int>/, `an internal error for ${xml.slice(0, 200)}…`);
        assert.equal(server.counts().comments, before);
      },
    ),
    runs(200),
  );
  await server.assertAlive();
});
