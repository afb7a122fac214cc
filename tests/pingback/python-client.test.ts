/**
 * Python's standard-library XML-RPC client (xmlrpc.client over expat) talking to Backtalk: an
 * implementation we did not write, strict about the XML it reads, standing in for the blogs out
 * there that send pings from non-JavaScript stacks.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { FAULT, OTHER_POST, POST, PRIVATE_FETCH, linkingSource, pythonUnavailable, runPython } from './support.js';
import { useLinkbackServer } from '../helpers/fixtures.js';

const skip = await pythonUnavailable();

// Every Python run prints one JSON line: {"ok": value} or {"fault": [code, string]} per call.
const PING_TWICE = `
import json, sys, xmlrpc.client
proxy = xmlrpc.client.ServerProxy(sys.argv[1] + '/xmlrpc')
out = []
for _ in range(2):
    try:
        out.append({'ok': proxy.pingback.ping(sys.argv[2], sys.argv[3])})
    except xmlrpc.client.Fault as f:
        out.append({'fault': [f.faultCode, f.faultString]})
print(json.dumps(out))
`;

const LIST_METHODS = `
import json, sys, xmlrpc.client
proxy = xmlrpc.client.ServerProxy(sys.argv[1] + '/xmlrpc')
print(json.dumps(proxy.system.listMethods()))
`;

const GET_PINGBACKS = `
import json, sys, xmlrpc.client
proxy = xmlrpc.client.ServerProxy(sys.argv[1] + '/xmlrpc')
out = []
for target in sys.argv[2:]:
    try:
        out.append({'ok': proxy.pingback.extensions.getPingbacks(target)})
    except xmlrpc.client.Fault as f:
        out.append({'fault': [f.faultCode, f.faultString]})
print(json.dumps(out))
`;

type Outcome = { ok: unknown } | { fault: [number, string] };

describe('Python xmlrpc.client as the sender', { skip }, () => {
  const { server, source } = useLinkbackServer(PRIVATE_FETCH);

  it('pingback.ping answers a string; the same ping again raises Fault 48', async () => {
    const from = linkingSource(source, '/python/first', POST, 'Pythonic post');
    const [first, second] = (await runPython(PING_TWICE, [server.url, from, POST])) as Outcome[];
    assert.ok(first && 'ok' in first, `first ping failed: ${JSON.stringify(first)}`);
    assert.equal(typeof first.ok, 'string', 'the success answer is a string');
    assert.ok(second && 'fault' in second, `second ping was not refused: ${JSON.stringify(second)}`);
    assert.equal(second.fault[0], FAULT.alreadyRegistered);
    assert.equal(typeof second.fault[1], 'string');
  });

  it('system.listMethods includes pingback.ping and pingback.extensions.getPingbacks', async () => {
    const methods = (await runPython(LIST_METHODS, [server.url])) as unknown;
    assert.ok(Array.isArray(methods), `not an array: ${JSON.stringify(methods)}`);
    assert.ok(methods.every((m) => typeof m === 'string'), 'method names are strings');
    for (const name of ['pingback.ping', 'pingback.extensions.getPingbacks', 'system.listMethods']) {
      assert.ok(methods.includes(name), `${name} missing from ${JSON.stringify(methods)}`);
    }
  });

  it('pingback.extensions.getPingbacks returns the source URLs of a post, and Fault 32 for an unknown post', async () => {
    const a = linkingSource(source, '/python/list-a', OTHER_POST, 'List A');
    const b = linkingSource(source, '/python/list-b', OTHER_POST, 'List B');
    for (const from of [a, b]) {
      const [answer] = (await runPython(PING_TWICE.replace('range(2)', 'range(1)'), [server.url, from, OTHER_POST])) as Outcome[];
      assert.ok(answer && 'ok' in answer, `ping from ${from} failed: ${JSON.stringify(answer)}`);
    }
    const unknown = 'http://blog.example/2020/01/never-written/';
    const [listed, missing] = (await runPython(GET_PINGBACKS, [server.url, OTHER_POST, unknown])) as Outcome[];
    assert.ok(listed && 'ok' in listed, `getPingbacks failed: ${JSON.stringify(listed)}`);
    assert.deepEqual([...(listed.ok as string[])].sort(), [a, b].sort());
    assert.ok(missing && 'fault' in missing, `unknown post was not a fault: ${JSON.stringify(missing)}`);
    assert.equal(missing.fault[0], FAULT.targetNotFound);
  });
});
