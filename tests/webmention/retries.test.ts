/**
 * Temporary failures are retried with back-off (first retry after 30 s, doubling, 5 attempts in all),
 * and then given up. The clock is the test's: a retry runs only once the clock passes its time.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, test } from 'node:test';

import { POST, startTestServer, type TestServer } from '../helpers/test-server.js';
import {
  linkingPage, manualClock, mentionsFrom, PRIVATE_FETCH, readStatus, startSourceServer, submit, type SourceServer,
} from './support.js';

const SECOND = 1000;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setup(): Promise<{ server: TestServer; source: SourceServer; clock: ReturnType<typeof manualClock> }> {
  const clock = manualClock();
  const server = await startTestServer(PRIVATE_FETCH, { clock });
  cleanups.push(() => server.close());
  const source = await startSourceServer();
  cleanups.push(() => source.close());
  return { server, source, clock };
}

const unavailable = { status: 503, contentType: 'text/plain', body: 'down for maintenance' };

describe('a source answering 503', () => {
  test('stays pending with a retry reason, is retried after 30 s, and is accepted once the source recovers', async () => {
    const { server, source, clock } = await setup();
    source.set('/flaky', unavailable);
    const location = await submit(server, source.url('/flaky'));
    await server.deps.worker.drain();
    assert.equal(source.hits('/flaky'), 1);
    let status = await readStatus(location);
    assert.equal(status.status, 'pending', JSON.stringify(status));
    assert.match(status.reason ?? '', /retry/i);

    clock.advance(29 * SECOND);
    await server.deps.worker.drain();
    assert.equal(source.hits('/flaky'), 1, 'not retried before its back-off');

    clock.advance(2 * SECOND);
    await server.deps.worker.drain();
    assert.equal(source.hits('/flaky'), 2, 'retried 31 s after the first try');
    status = await readStatus(location);
    assert.equal(status.status, 'pending');
    assert.match(status.reason ?? '', /retry/i);

    source.set('/flaky', linkingPage());
    clock.advance(61 * SECOND);
    await server.deps.worker.drain();
    assert.equal(source.hits('/flaky'), 3);
    status = await readStatus(location);
    assert.equal(status.status, 'accepted', JSON.stringify(status));
    assert.equal((await mentionsFrom(server, source.url('/flaky'))).length, 1);
  });

  test('that never recovers is given up after 5 attempts, with back-offs of 30, 60, 120 and 240 s', async () => {
    const { server, source, clock } = await setup();
    source.set('/down', unavailable);
    const location = await submit(server, source.url('/down'));
    await server.deps.worker.drain();
    assert.equal(source.hits('/down'), 1);

    let attempts = 1;
    for (const backoff of [30, 60, 120, 240]) {
      clock.advance((backoff - 1) * SECOND);
      await server.deps.worker.drain();
      assert.equal(source.hits('/down'), attempts, `no retry 1 s before the ${backoff} s back-off ends`);
      const waiting = await readStatus(location);
      assert.equal(waiting.status, 'pending', `after ${attempts} attempts: ${JSON.stringify(waiting)}`);
      clock.advance(2 * SECOND);
      await server.deps.worker.drain();
      attempts += 1;
      assert.equal(source.hits('/down'), attempts, `attempt ${attempts} after the ${backoff} s back-off`);
    }

    const status = await readStatus(location);
    assert.equal(status.status, 'rejected', JSON.stringify(status));
    assert.match(status.reason ?? '', /gave up/i);
    assert.match(status.reason ?? '', /503/);

    clock.advance(3600 * SECOND);
    await server.deps.worker.drain();
    assert.equal(source.hits('/down'), 5, 'no sixth attempt');
    assert.equal((await mentionsFrom(server, source.url('/down'))).length, 0);
  });
});

describe('a refused connection', () => {
  test('counts as temporary: pending with a retry reason, and accepted once the source is listening', async () => {
    const { server, clock } = await setup();
    // A port that was just free: bind, note it, close.
    const probe: Server = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const sourceUrl = `http://127.0.0.1:${port}/refused`;
    const location = await submit(server, sourceUrl);
    await server.deps.worker.drain();
    const status = await readStatus(location);
    assert.equal(status.status, 'pending', JSON.stringify(status));
    assert.match(status.reason ?? '', /retry/i);
    assert.match(status.reason ?? '', /ECONNREFUSED|refused/i);

    // The blog comes back on the same port.
    const page = linkingPage(POST);
    let hits = 0;
    const revived: Server = createServer((req, res) => {
      hits += 1;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page.body);
    });
    await new Promise<void>((resolve, reject) => {
      revived.once('error', reject);
      revived.listen(port, '127.0.0.1', () => resolve());
    });
    cleanups.push(() => new Promise<void>((resolve) => {
      revived.closeAllConnections();
      revived.close(() => resolve());
    }));

    clock.advance(31 * SECOND);
    await server.deps.worker.drain();
    assert.equal(hits, 1);
    assert.equal((await readStatus(location)).status, 'accepted');
  });
});
