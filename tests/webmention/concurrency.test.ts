/**
 * The verification worker runs several sources at once, within a bound: one slow source must not
 * hold up the quick ones behind it, and a burst must not turn into unbounded outbound fetches.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';

import { POST, startTestServer, type TestServer } from '../helpers/test-server.js';
import {
  linkingPage, PRIVATE_FETCH, readStatus, startSourceServer, submit, type InFlightTracker, type SourceServer, type WebmentionStatus,
} from './support.js';

const SLOW_MS = 1000;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function testServer(): Promise<TestServer> {
  const server = await startTestServer(PRIVATE_FETCH);
  cleanups.push(() => server.close());
  return server;
}

async function sourceServer(host = '127.0.0.1', tracker?: InFlightTracker): Promise<SourceServer> {
  const source = await startSourceServer(host, { tracker });
  cleanups.push(() => source.close());
  return source;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Drains the worker in the background and watches the status URLs. Returns the fast mentions' statuses
 * as they were when all of them were accepted, or when the slow source answered, whichever came first.
 */
async function raceFastAgainstSlow(server: TestServer, slow: { source: SourceServer; path: string }, fastLocations: string[]) {
  const drained = server.deps.worker.drain();
  const started = Date.now();
  let fast: WebmentionStatus[] = [];
  let slowDone = false;
  while (Date.now() - started < SLOW_MS + 4000) {
    slowDone = slow.source.answered.includes(slow.path);
    fast = await Promise.all(fastLocations.map(readStatus));
    if (fast.every((s) => s.status === 'accepted') || slowDone) break;
    await sleep(20);
  }
  const elapsed = Date.now() - started;
  return { fast, slowDone, elapsed, drained };
}

describe('bounded concurrent verification', () => {
  test('one source server: a page taking 1 s does not hold up 5 quick pages behind it', async () => {
    const server = await testServer();
    const source = await sourceServer();
    source.set('/slow', { ...linkingPage(POST), delayMs: SLOW_MS });
    const slowLocation = await submit(server, source.url('/slow'));
    const fastLocations: string[] = [];
    for (let i = 1; i <= 5; i += 1) {
      source.set(`/fast${i}`, linkingPage(POST));
      fastLocations.push(await submit(server, source.url(`/fast${i}`)));
    }
    const { fast, slowDone, elapsed, drained } = await raceFastAgainstSlow(server, { source, path: '/slow' }, fastLocations);
    await drained;
    assert.deepEqual(
      fast.map((s) => s.status),
      ['accepted', 'accepted', 'accepted', 'accepted', 'accepted'],
      `all quick mentions accepted before the slow source answered (slow answered: ${slowDone}, ${elapsed} ms); ` +
        `reasons: ${JSON.stringify(fast.map((s) => s.reason))}`,
    );
    assert.equal(slowDone, false, 'the slow source was still answering');
    assert.equal((await readStatus(slowLocation)).status, 'accepted', 'and the slow one is accepted after drain');
  });

  test('sources on different hosts: 5 quick ones are accepted while the slow one is still loading', async () => {
    const server = await testServer();
    const slowSource = await sourceServer('127.0.0.1');
    slowSource.set('/slow', { ...linkingPage(POST), delayMs: SLOW_MS });
    const slowLocation = await submit(server, slowSource.url('/slow'));
    const fastLocations: string[] = [];
    for (let i = 2; i <= 6; i += 1) {
      const quick = await sourceServer(`127.0.0.${i}`);
      quick.set('/fast', linkingPage(POST));
      fastLocations.push(await submit(server, quick.url('/fast')));
    }
    const { fast, slowDone, elapsed, drained } = await raceFastAgainstSlow(server, { source: slowSource, path: '/slow' }, fastLocations);
    assert.equal(slowDone, false, `the quick mentions did not wait for the slow one (${elapsed} ms)`);
    assert.deepEqual(fast.map((s) => s.status), ['accepted', 'accepted', 'accepted', 'accepted', 'accepted']);
    await drained;
    assert.equal((await readStatus(slowLocation)).status, 'accepted');
  });

  test('ten slow sources on ten hosts are fetched in parallel, but not all at once', async () => {
    const server = await testServer();
    const tracker: InFlightTracker = { now: 0, max: 0 };
    const locations: string[] = [];
    for (let i = 10; i < 20; i += 1) {
      const source = await sourceServer(`127.0.0.${i}`, tracker);
      source.set('/slow', { ...linkingPage(POST), delayMs: 300 });
      locations.push(await submit(server, source.url('/slow')));
    }
    const started = Date.now();
    await server.deps.worker.drain();
    const elapsed = Date.now() - started;
    const statuses = await Promise.all(locations.map(readStatus));
    assert.deepEqual(statuses.map((s) => s.status), Array(10).fill('accepted'), JSON.stringify(statuses.map((s) => s.reason)));
    assert.ok(tracker.max > 1, `fetched in parallel (at most ${tracker.max} at once)`);
    assert.ok(tracker.max < 10, `bounded: ${tracker.max} fetches at once`);
    assert.ok(elapsed < 10 * 300, `parallel work is faster than one after another (${elapsed} ms)`);
  });
});
