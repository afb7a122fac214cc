/**
 * Pingback as an SSRF and port-scan tool (CVE-2013-0235; protocols.md §3.5, table 7.2 P11, P12):
 * without BACKTALK_ALLOW_PRIVATE_FETCH a source on a loopback address, in any spelling, is refused
 * with fault 16 and no connection is ever made. The victims listen on a port the fetcher would
 * otherwise accept (80, else 8080) when this machine lets us bind one, so the refusal has to come
 * from the address check, not only from the port rule.
 */
import assert from 'node:assert/strict';
import { lookup } from 'node:dns/promises';
import { after, before, describe, it } from 'node:test';

import type { TestServer } from '../helpers/test-server.js';
import { startTestServer } from '../helpers/test-server.js';
import { FAULT, POST, allRows, expectFault, expectPingAccepted, linkingPage, ping, sleep, startSourceServer, type SourceServer } from './support.js';

let victim4: SourceServer;
let victim6: SourceServer | undefined;
let server: TestServer;

/** A victim on 127.0.0.1 at the first port that can be bound, and one on ::1 at the same port when possible. */
async function startVictims(): Promise<void> {
  for (const port of [80, 8080, 0]) {
    try {
      victim4 = await startSourceServer('127.0.0.1', { port });
      break;
    } catch {
      // taken or not allowed: try the next one
    }
  }
  try {
    victim6 = await startSourceServer('::1', { port: victim4.port });
  } catch {
    victim6 = undefined;
  }
  for (const victim of [victim4, victim6]) victim?.set('/', linkingPage(POST, 'Internal admin page'));
}

before(async () => {
  await startVictims();
  server = await startTestServer({});
});
after(async () => {
  await server?.close();
  await victim4?.close();
  await victim6?.close();
});

let baseline = 0;
/** Connections the victims saw since the control test. */
const connections = () => victim4.connections() + (victim6?.connections() ?? 0) - baseline;

describe('SSRF guard without BACKTALK_ALLOW_PRIVATE_FETCH', () => {
  it('control: with BACKTALK_ALLOW_PRIVATE_FETCH the same victim is reached and the ping accepted', async (t) => {
    if (![80, 8080].includes(victim4.port)) t.diagnostic(`ports 80 and 8080 unavailable; victims on ${victim4.port}, so the port rule alone also refuses`);
    const open = await startTestServer({ BACKTALK_ALLOW_PRIVATE_FETCH: 'true' });
    try {
      const before = victim4.connections();
      expectPingAccepted(await ping(open, `http://127.0.0.1:${victim4.port}/`));
      assert.ok(victim4.connections() > before, 'the victim saw the fetch');
    } finally {
      await open.close();
    }
    await sleep(100);
    baseline = victim4.connections() + (victim6?.connections() ?? 0);
  });

  const spellings = (port: number) => [
    `http://127.0.0.1:${port}/`,
    `http://[::1]:${port}/`,
    `http://2130706433:${port}/`,
    `http://localhost:${port}/`,
    `http://0x7f000001:${port}/`,
    `http://127.1:${port}/`,
    `http://0177.0.0.1:${port}/`,
    `http://[::ffff:127.0.0.1]:${port}/`,
    `http://LOCALHOST.:${port}/`,
  ];

  it('refuses every loopback spelling with fault 16; the victims see no connection', async () => {
    for (const from of spellings(victim4.port)) expectFault(await ping(server, from), FAULT.sourceNotFound, from);
    await sleep(200);
    assert.equal(connections(), 0, 'no connection reached a victim');
    assert.deepEqual(await allRows(server), []);
  });

  it('refuses a host name that resolves to loopback through /etc/hosts', async (t) => {
    const name = 'vm';
    const resolved = await lookup(name).catch(() => undefined);
    if (!resolved || resolved.address !== '127.0.0.1') {
      t.skip(`${name} does not resolve to 127.0.0.1 on this machine`);
      return;
    }
    expectFault(await ping(server, `http://${name}:${victim4.port}/`), FAULT.sourceNotFound);
    await sleep(200);
    assert.equal(connections(), 0, 'no connection reached a victim');
  });

  it('refuses non-standard ports of any address without connecting', async () => {
    const other = await startSourceServer();
    try {
      other.set('/', linkingPage(POST));
      expectFault(await ping(server, other.url('/')), FAULT.sourceNotFound);
      await sleep(200);
      assert.equal(other.connections(), 0);
    } finally {
      await other.close();
    }
  });
});
