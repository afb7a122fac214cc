/**
 * XML-RPC nesting is limited, and client-caused failures are logged at warn, without stack traces and
 * within a budget (issue 14, point 15).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { MAX_NESTING } from '../../src/protocols/xmlrpc.js';
import { createClientFaultLog } from '../../src/lib/client-fault-log.js';
import { createLogger } from '../../src/lib/logger.js';
import { logLines, startTestServer, type LogLine, type TestServer } from '../helpers/test-server.js';
import { expectFault, expectValue, postXmlRpc, readAnswer } from './support.js';

const arrays = (depth: number) =>
  `<methodCall><methodName>system.listMethods</methodName><params><param>${'<value><array><data>'.repeat(depth)}${'</data></array></value>'.repeat(depth)}</param></params></methodCall>`;
const structs = (depth: number) =>
  `<methodCall><methodName>system.multicall</methodName><params><param>${'<value><struct><member><name>m</name>'.repeat(depth)}<value>1</value>${'</member></struct></value>'.repeat(depth)}</param></params></methodCall>`;

describe('XML-RPC nesting and client-fault logs', () => {
  let server: TestServer;
  let lines: LogLine[];
  before(async () => {
    const log = logLines();
    lines = log.lines;
    server = await startTestServer({ BACKTALK_LOG_LEVEL: 'warn' }, {}, log.sink);
  });
  after(async () => server.close());

  test(`arrays and structs nest at most ${MAX_NESTING} levels; deeper is fault -32600, not a crash`, async () => {
    expectValue(readAnswer(await postXmlRpc(server, arrays(MAX_NESTING))), 'at the limit');
    for (const depth of [MAX_NESTING + 1, 500, 900]) {
      const fault = expectFault(readAnswer(await postXmlRpc(server, arrays(depth))), -32600, `${depth} arrays`);
      assert.match(fault.faultString, /nest/);
      expectFault(readAnswer(await postXmlRpc(server, structs(depth))), -32600, `${depth} structs`);
    }
    // Upper-case tags, as sax's loose mode reads them, are counted too.
    const upper = arrays(MAX_NESTING + 1).replace(/array/g, 'ARRAY');
    expectFault(readAnswer(await postXmlRpc(server, upper)), -32600, 'upper-case tags');
    expectValue(readAnswer(await postXmlRpc(server, arrays(1))), 'the server still answers');
  });

  test('a flood of malformed calls leaves a handful of warn lines without stacks', async () => {
    lines.length = 0;
    for (let i = 0; i < 40; i++) {
      const body = i % 2 === 0 ? `<methodCall><params>not xml ${i}` : arrays(100);
      readAnswer(await postXmlRpc(server, body));
    }
    // An unreadable body (gzip that is not gzip) is the client's doing as well.
    const unreadable = await postXmlRpc(server, 'not gzip at all', { 'content-type': 'text/xml', 'content-encoding': 'gzip' });
    assert.ok(unreadable.status >= 400 && unreadable.status < 500, `HTTP ${unreadable.status}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const xmlrpcLines = lines.filter((l) => /^xml-rpc /.test(l.msg));
    assert.ok(xmlrpcLines.length >= 1 && xmlrpcLines.length <= 10, `${xmlrpcLines.length} lines for 41 bad requests`);
    for (const l of xmlrpcLines) {
      assert.equal(l.level, 40, `not at warn: ${JSON.stringify(l)}`);
      assert.ok(!('err' in l) && !JSON.stringify(l).includes('    at '), `a stack trace was logged: ${JSON.stringify(l)}`);
    }
    assert.equal(lines.filter((l) => l.level >= 50).length, 0, 'nothing at error for client mistakes');
  });
});

test('the budget: at most N lines a minute, the rest counted into the next line that gets through', () => {
  const { sink, lines } = logLines();
  let t = 1_000_000;
  const log = createClientFaultLog(createLogger('warn', sink), 3, () => t);
  for (let i = 0; i < 10; i++) log({ i }, 'bad call');
  t += 61_000;
  log({ i: 10 }, 'bad call');
  return new Promise<void>((resolve) => setImmediate(() => {
    assert.deepEqual(lines.map((l) => [l.i, l.suppressed]), [[0, undefined], [1, undefined], [2, undefined], [10, 7]]);
    resolve();
  }));
});
