/**
 * The XML-RPC layer under pingback.ping (protocols.md §3.3, §5.2, table 7.2 P18-P26): interop fault
 * codes with HTTP 200 for anything that is not a well-formed call (-32700), not a methodCall
 * (-32600), an unknown method (-32601) or the wrong parameters (-32602); DTDs refused before parsing
 * so neither entity expansion nor external entities can happen; HTTP 405 for other methods and 413
 * for bodies over the cap, the server staying healthy afterwards.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  FAULT, POST, PRIVATE_FETCH, Raw, allRows, call, expectFault, expectValue, linkingSource, methodCall, plain, postXmlRpc, readAnswer,
  sleep, startSourceServer,
} from './support.js';
import { useLinkbackServer } from '../helpers/fixtures.js';

const { server, source } = useLinkbackServer(PRIVATE_FETCH);

const send = async (body: string | Buffer) => readAnswer(await postXmlRpc(server, body));

describe('-32602: pingback.ping with the wrong parameters', () => {
  it('one, three or no parameters, or an <int>/<array> where a string belongs; nothing fetched, nothing stored', async () => {
    const from = linkingSource(source, '/params', POST);
    const calls: Array<[string, Parameters<typeof methodCall>[1]]> = [
      ['one parameter', [from]],
      ['three parameters', [from, POST, POST]],
      ['no parameters', []],
      ['an int source', [5, POST]],
      ['an array target', [from, []]],
      ['an array of both', [[from, POST]]],
      ['a struct source', [{ url: from }, POST]],
    ];
    for (const [name, params] of calls) expectFault(await call(server, 'pingback.ping', params), FAULT.invalidParams, name);
    assert.equal(source.hits('/params'), 0, 'the source was not fetched');
    assert.deepEqual(await allRows(server), []);
  });

  it('getPingbacks with no parameter or an int', async () => {
    expectFault(await call(server, 'pingback.extensions.getPingbacks', []), FAULT.invalidParams);
    expectFault(await call(server, 'pingback.extensions.getPingbacks', [7]), FAULT.invalidParams);
  });
});

describe('-32601: unknown methods', () => {
  // Names that exist on every JavaScript object must not reach a prototype method.
  for (const name of ['foo.bar', 'pingback.pong', 'system.shutdown', '__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
    it(name, async () => {
      expectFault(await call(server, name, [POST]), FAULT.methodNotFound);
    });
  }
});

describe('-32700: not well-formed', () => {
  const cases: Array<[string, string]> = [
    ['hello world', 'hello world'],
    ['an HTML page', '<!doctype html><html><head><title>Hi</title></head><body><p>Hello</p></body></html>'],
    ['truncated XML', methodCall('pingback.ping', ['http://a.example/', POST]).slice(0, 90)],
    ['an empty body', ''],
  ];
  for (const [name, body] of cases) {
    it(name, async () => {
      expectFault(await send(body), FAULT.parseError);
    });
  }

  // "At once" is seen in the answer, not timed: the fault comes from the DTD guard that runs before
  // any XML parser, so no entity was ever expanded.
  it('a billion-laughs DOCTYPE is refused at once', async () => {
    const entities = ['<!ENTITY lol "lol">'];
    for (let i = 1; i <= 9; i++) entities.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`);
    const body =
      `<?xml version="1.0"?><!DOCTYPE methodCall [${entities.join('')}]>` +
      `<methodCall><methodName>pingback.extensions.getPingbacks</methodName><params><param><value><string>&lol9;</string></value></param></params></methodCall>`;
    const fault = expectFault(await send(body), FAULT.parseError);
    assert.match(fault.faultString, /DOCTYPE and ENTITY declarations are not allowed/, 'refused by the guard, before parsing');
    assert.doesNotMatch(fault.faultString, /lol/, 'nothing of the entities reaches the answer');
  });

  it('XXE: external entities pointing at a local server are refused and never fetched', async () => {
    const victim = await startSourceServer();
    try {
      linkingSource(victim, '/xxe', POST);
      const general =
        `<?xml version="1.0"?><!DOCTYPE methodCall [<!ENTITY xxe SYSTEM "${victim.url('/xxe')}">]>` +
        `<methodCall><methodName>pingback.ping</methodName><params>` +
        `<param><value><string>&xxe;</string></value></param><param><value><string>${POST}</string></value></param>` +
        `</params></methodCall>`;
      const parameter =
        `<?xml version="1.0"?><!DOCTYPE methodCall [<!ENTITY % remote SYSTEM "${victim.url('/xxe')}"> %remote;]>` +
        `<methodCall><methodName>system.listMethods</methodName><params></params></methodCall>`;
      const file =
        `<?xml version="1.0"?><!DOCTYPE methodCall [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` +
        `<methodCall><methodName>pingback.extensions.getPingbacks</methodName><params><param><value><string>&xxe;</string></value></param></params></methodCall>`;
      for (const body of [general, parameter]) expectFault(await send(body), FAULT.parseError);
      const answer = await postXmlRpc(server, file);
      expectFault(readAnswer(answer), FAULT.parseError);
      assert.doesNotMatch(answer.body, /root:/, 'no file content in the answer');
      await sleep(300);
      assert.equal(victim.connections(), 0, 'nobody connected to the entity URL');
    } finally {
      await victim.close();
    }
  });
});

describe('-32600: not a methodCall', () => {
  it('a methodResponse sent as the request', async () => {
    const response = `<?xml version="1.0"?><methodResponse><params><param><value><string>hi</string></value></param></params></methodResponse>`;
    expectFault(await send(response), FAULT.invalidRequest);
  });

  it('a methodCall without a methodName', async () => {
    expectFault(await send(`<?xml version="1.0"?><methodCall><params></params></methodCall>`), FAULT.invalidRequest);
  });
});

describe('HTTP around /xmlrpc', () => {
  it('GET → 405 with Allow: POST', async () => {
    const res = await server.request('/xmlrpc');
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'POST');
    await res.arrayBuffer();
  });

  it('a 100 KB body → 413, and the server still answers afterwards', async () => {
    const padding = 'x'.repeat(100 * 1024);
    const body = methodCall('pingback.extensions.getPingbacks', [`${POST}?${padding}`]);
    let status: number;
    try {
      status = (await postXmlRpc(server, body)).status;
    } catch (err) {
      assert.fail(`the oversized request got no HTTP answer: ${(err as Error).message}`);
    }
    assert.equal(status, 413);
    const after = await send(methodCall('system.listMethods', []));
    assert.ok((plain(expectValue(after)) as string[]).includes('pingback.ping'));
  });

  it('a raw <value> extension type the server does not know is not a crash', async () => {
    const answer = await send(methodCall('pingback.extensions.getPingbacks', [new Raw('<ex:nil xmlns:ex="http://ws.apache.org/xmlrpc/namespaces/extensions"/>')]));
    assert.equal(answer.kind, 'fault', 'an unknown type is refused with a fault');
    const { faultCode } = (answer as { fault: { faultCode: number } }).fault;
    assert.ok(([FAULT.parseError, FAULT.invalidParams] as number[]).includes(faultCode), `fault ${faultCode}`);
  });
});
