/**
 * Why a source was refused is said in general words (issue 14, point 13): neither the Webmention
 * status nor the owner's linkback log repeats DNS answers, resolved addresses or resolver errors,
 * which would let anyone map internal host names by sending Webmentions. The fetcher here is the
 * real guarded one; only its resolver is a table, so "intranet.example" can resolve to 10.20.30.40.
 */
import assert from 'node:assert/strict';
import { isIP, type LookupFunction } from 'node:net';
import { after, before, describe, test } from 'node:test';

import { createPageFetcher, DEFAULT_FETCH_POLICY } from '../../src/fetch/fetch-page.js';
import { POST, startTestServer, type TestServer } from '../helpers/test-server.js';
import { linkbackLog } from '../pingback/support.js';
import { readStatus, startSourceServer, submit, type SourceServer } from './support.js';

const INTERNAL = '10.20.30.40';
const LEAKS = [INTERNAL, '127.0.0.1', 'resolves', 'ENOTFOUND', 'getaddrinfo', 'ECONNREFUSED', 'range'];

/** dns.lookup stand-in: names from the table, ENOTFOUND for the rest, as getaddrinfo says it. */
function tableLookup(table: Record<string, string>): LookupFunction {
  return (hostname, options, callback) => {
    const address = table[hostname];
    setImmediate(() => {
      if (!address) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
      if (options.all) callback(null, [{ address, family: isIP(address) }]);
      else callback(null, address, isIP(address));
    });
  };
}

function assertGeneral(text: string, what: string): void {
  for (const leak of LEAKS) assert.ok(!text.includes(leak), `${what} says "${leak}": ${text}`);
}

describe('refusal reasons', () => {
  let server: TestServer;
  let source: SourceServer;

  before(async () => {
    source = await startSourceServer();
    // "public.example" is the sender's blog: the one loopback address let through, as a public one would be.
    const fetcher = createPageFetcher(
      { ...DEFAULT_FETCH_POLICY, allowedPorts: [80, 443, source.port], allowAddresses: ['127.0.0.1/32'] },
      { lookup: tableLookup({ 'public.example': '127.0.0.1', 'intranet.example': INTERNAL }) },
    );
    server = await startTestServer({}, { fetcher });
  });
  after(async () => {
    await server.close();
    await source.close();
  });

  test('a source on an internal address: rejected as "not at a public address", no address or DNS answer', async () => {
    const location = await submit(server, `http://intranet.example:${source.port}/post`);
    await server.deps.worker.drain();
    const status = await readStatus(location);
    assert.equal(status.status, 'rejected');
    assert.match(status.reason ?? '', /not at a public address/);
    assertGeneral(JSON.stringify(status), 'the status');
  });

  test('a redirect from a public page to an internal name says the same', async () => {
    source.set('/hop', { status: 302, headers: { location: `http://intranet.example:${source.port}/secret` }, body: '' });
    const location = await submit(server, `http://public.example:${source.port}/hop`);
    await server.deps.worker.drain();
    const status = await readStatus(location);
    assert.equal(status.status, 'rejected');
    assert.match(status.reason ?? '', /not at a public address/);
    assertGeneral(JSON.stringify(status), 'the status');
  });

  test('a name that does not resolve gets the same words, so existence does not show', async () => {
    const location = await submit(server, `http://no-such-host.example:${source.port}/post`);
    await server.deps.worker.drain();
    const status = await readStatus(location);
    assert.match(status.reason ?? '', /not at a public address/);
    assertGeneral(JSON.stringify(status), 'the status');
  });

  test('the owner\'s linkback log holds the same general words', async () => {
    const log = await linkbackLog(server);
    const refused = log.filter((e) => e.outcome === 'refused');
    assert.ok(refused.length >= 2, JSON.stringify(log));
    for (const e of refused) {
      assert.match(e.reason, /not at a public address/);
      assertGeneral(e.reason, 'the log');
    }
    assert.ok(log.every((e) => e.target === POST));
  });
});
