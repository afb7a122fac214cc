/**
 * system.multicall (protocols.md §3.3; table 7.2 P27, P28): results come back per call, a value
 * wrapped in a one-element array and a failure as a fault struct. It must not become an amplifier:
 * pingback.ping inside a batch is refused without fetching anything, nesting is refused, and a batch
 * is capped.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  FAULT, POST, PRIVATE_FETCH, Struct, call, expectFault, expectValue, linkingSource, plain, readFaultStruct, sleep, type Param,
  type XValue,
} from './support.js';
import { useLinkbackServer } from '../helpers/fixtures.js';

const { server, source } = useLinkbackServer(PRIVATE_FETCH);

const entry = (methodName: string, params: Param[] = []): Param => ({ methodName, params });

async function multicall(calls: Param[]): Promise<XValue[]> {
  const value = expectValue(await call(server, 'system.multicall', [calls]));
  assert.equal(value.type, 'array', 'system.multicall answers an array');
  const results = value.value as XValue[];
  assert.equal(results.length, calls.length, 'one result per call');
  return results;
}

/** A successful entry: `[value]`. */
function wrapped(result: XValue): unknown {
  assert.equal(result.type, 'array', `a successful entry is a one-element array, got ${result.type}`);
  const items = result.value as XValue[];
  assert.equal(items.length, 1, 'a successful entry is a one-element array');
  return plain(items[0]!);
}

describe('system.multicall', () => {
  it('runs system.listMethods inside a batch and wraps its value as [value]', async () => {
    const [first, second] = await multicall([entry('system.listMethods'), entry('system.listMethods')]);
    for (const result of [first!, second!]) {
      const methods = wrapped(result) as string[];
      assert.ok(methods.includes('pingback.ping') && methods.includes('pingback.extensions.getPingbacks'), JSON.stringify(methods));
    }
  });

  it('refuses pingback.ping inside a batch with a -32600 entry and fetches nothing; the other entries still run', async () => {
    const from = linkingSource(source, '/multicall/victim', POST);
    const results = await multicall([
      entry('system.listMethods'),
      entry('pingback.ping', [from, POST]),
      entry('pingback.ping', [`${from}?again`, POST]),
      entry('pingback.extensions.getPingbacks', [POST]),
    ]);
    assert.ok(Array.isArray(wrapped(results[0]!)));
    assert.equal(readFaultStruct(results[1]!, 'entry 1').faultCode, FAULT.invalidRequest);
    assert.equal(readFaultStruct(results[2]!, 'entry 2').faultCode, FAULT.invalidRequest);
    // No pingback exists for POST: either an empty list or "unknown target" is a sane answer.
    const last = results[3]!;
    if (last.type === 'struct') assert.equal(readFaultStruct(last, 'entry 3').faultCode, FAULT.targetNotFound);
    else assert.deepEqual(wrapped(last), []);
    await sleep(200);
    assert.equal(source.connections(), 0, 'the source was never contacted');
  });

  it('refuses a nested system.multicall with a fault entry', async () => {
    const [nested, plainCall] = await multicall([entry('system.multicall', [[entry('system.listMethods')]]), entry('system.listMethods')]);
    assert.equal(readFaultStruct(nested!, 'nested entry').faultCode, FAULT.invalidRequest);
    assert.ok(Array.isArray(wrapped(plainCall!)));
  });

  it('answers unknown methods and malformed entries with fault entries', async () => {
    const [unknown, notStruct, noName, badParams] = await multicall([
      entry('no.such.method'),
      'system.listMethods',
      { params: [] },
      { methodName: 'system.listMethods', params: 'nope' },
    ]);
    assert.equal(readFaultStruct(unknown!, 'unknown method').faultCode, FAULT.methodNotFound);
    assert.equal(readFaultStruct(notStruct!, 'string entry').faultCode, FAULT.invalidRequest);
    assert.equal(readFaultStruct(noName!, 'entry without methodName').faultCode, FAULT.invalidRequest);
    const badParamsCode = readFaultStruct(badParams!, 'params not an array').faultCode;
    assert.ok(badParamsCode === FAULT.invalidRequest || badParamsCode === FAULT.invalidParams, `fault ${badParamsCode}`);
  });

  it('accepts 10 calls and refuses a batch of 11 with a fault', async () => {
    const ten = await multicall(Array.from({ length: 10 }, () => entry('system.listMethods')));
    for (const result of ten) assert.ok(Array.isArray(wrapped(result)));
    const eleven = await call(server, 'system.multicall', [Array.from({ length: 11 }, () => entry('system.listMethods'))]);
    assert.equal(eleven.kind, 'fault', 'a batch of 11 is refused as a whole');
  });

  it('refuses an argument that is not one array', async () => {
    for (const params of [[], ['system.listMethods'], [[], []]] as Param[][]) {
      const answer = await call(server, 'system.multicall', params);
      assert.equal(answer.kind, 'fault', `params ${JSON.stringify(params)}`);
      const code = answer.kind === 'fault' ? answer.fault.faultCode : NaN;
      assert.ok(code === FAULT.invalidParams || code === FAULT.invalidRequest, `fault ${code}`);
    }
  });
});

describe('a __proto__ struct member', () => {
  it('next to a real methodName is just an ignored member: the call runs normally', async () => {
    const withProto = new Struct([
      ['methodName', 'system.listMethods'],
      ['params', []],
      ['__proto__', new Struct([['polluted', 'yes'], ['methodName', 'pingback.ping']])],
    ]);
    const [result] = await multicall([withProto]);
    assert.ok((wrapped(result!) as string[]).includes('pingback.ping'));
  });

  it('cannot supply methodName through the prototype: the entry is a -32600 fault', async () => {
    const smuggled = new Struct([['__proto__', new Struct([['methodName', 'system.listMethods'], ['params', []]])]]);
    const [result] = await multicall([smuggled]);
    assert.equal(result!.type, 'struct', 'the entry is a fault struct, not a result');
    assert.equal(readFaultStruct(result!, '__proto__ entry').faultCode, FAULT.invalidRequest);
  });

  it('as a pingback.ping parameter is -32602, and the server keeps serving', async () => {
    const answer = await call(server, 'pingback.ping', [new Struct([['__proto__', new Struct([['toString', 'x']])]]), POST]);
    expectFault(answer, FAULT.invalidParams);
    assert.ok((plain(expectValue(await call(server, 'system.listMethods', []))) as string[]).includes('pingback.ping'));
  });
});
