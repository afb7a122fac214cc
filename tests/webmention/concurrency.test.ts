/**
 * The verification worker runs several sources at once, within a bound: one slow source must not
 * hold up the quick ones behind it, and a burst must not turn into unbounded outbound fetches.
 * "Slow" sources are held open until the test releases them, so what is checked is order and state
 * (the quick ones were accepted while the slow one was still unanswered), never elapsed time.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';

import { holdOpen } from '../helpers/source-server.js';
import { POST, startTestServer, type TestServer } from '../helpers/test-server.js';
import { until } from '../helpers/wait.js';
import {
  linkingPage, PRIVATE_FETCH, readStatus, startSourceServer, submit, type InFlightTracker, type SourceServer,
} from './support.js';

/** Guards against a hang only; every wait below is on state. */
const TIMEOUT = { timeout: 60_000 };
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

/**
 * Drains the worker in the background while the slow page is held open, and waits until every quick
 * mention is accepted. The slow source must not have answered by then (it cannot: it answers only
 * once released), and its own mention must still be pending: it was being fetched all along.
 */
async function quickOnesPassTheHeldOne(server: TestServer, slow: { source: SourceServer; path: string; location: string; release: () => void }, fastLocations: string[]) {
  const drained = server.deps.worker.drain();
  await until(async () => (await Promise.all(fastLocations.map(readStatus))).every((s) => s.status !== 'pending'));
  const fast = await Promise.all(fastLocations.map(readStatus));
  assert.deepEqual(fast.map((s) => s.status), Array(fastLocations.length).fill('accepted'), JSON.stringify(fast.map((s) => s.reason)));
  assert.equal(slow.source.hits(slow.path), 1, 'the slow source was being fetched meanwhile');
  assert.deepEqual(slow.source.answered.filter((p) => p === slow.path), [], 'and had not answered yet');
  assert.equal((await readStatus(slow.location)).status, 'pending', 'its mention waits for it');
  slow.release();
  await drained;
  assert.equal((await readStatus(slow.location)).status, 'accepted', 'and the slow one is accepted once it answers');
}

describe('bounded concurrent verification', () => {
  test('one source server: a page held open does not hold up 5 quick pages behind it', TIMEOUT, async () => {
    const server = await testServer();
    const source = await sourceServer();
    const slow = holdOpen();
    source.set('/slow', { ...linkingPage(POST), until: slow.promise });
    const location = await submit(server, source.url('/slow'));
    const fastLocations: string[] = [];
    for (let i = 1; i <= 5; i += 1) {
      source.set(`/fast${i}`, linkingPage(POST));
      fastLocations.push(await submit(server, source.url(`/fast${i}`)));
    }
    await quickOnesPassTheHeldOne(server, { source, path: '/slow', location, release: slow.release }, fastLocations);
  });

  test('sources on different hosts: 5 quick ones are accepted while the slow one is still loading', TIMEOUT, async () => {
    const server = await testServer();
    const slowSource = await sourceServer('127.0.0.1');
    const slow = holdOpen();
    slowSource.set('/slow', { ...linkingPage(POST), until: slow.promise });
    const location = await submit(server, slowSource.url('/slow'));
    const fastLocations: string[] = [];
    for (let i = 2; i <= 6; i += 1) {
      const quick = await sourceServer(`127.0.0.${i}`);
      quick.set('/fast', linkingPage(POST));
      fastLocations.push(await submit(server, quick.url('/fast')));
    }
    await quickOnesPassTheHeldOne(server, { source: slowSource, path: '/slow', location, release: slow.release }, fastLocations);
  });

  test('ten slow sources on ten hosts are fetched in parallel, but not all at once', TIMEOUT, async () => {
    const server = await testServer();
    const tracker: InFlightTracker = { now: 0, max: 0 };
    const held = holdOpen();
    const locations: string[] = [];
    for (let i = 10; i < 20; i += 1) {
      const source = await sourceServer(`127.0.0.${i}`, tracker);
      source.set('/slow', { ...linkingPage(POST), until: held.promise });
      locations.push(await submit(server, source.url('/slow')));
    }
    // Count the jobs the worker has taken from the queue: with every source held open, none can
    // finish, so once each taken job's fetch has reached its source the picture is stable.
    const queue = server.deps.store.webmentions;
    const claimDue = queue.claimDue.bind(queue);
    let taken = 0;
    queue.claimDue = async (...args) => {
      const jobs = await claimDue(...args);
      taken += jobs.length;
      return jobs;
    };
    const drained = server.deps.worker.drain();
    await until(() => taken > 0 && tracker.now === taken);
    assert.ok(tracker.now > 1, `fetched in parallel (${tracker.now} at once)`);
    assert.ok(tracker.now < 10, `bounded: ${tracker.now} fetches at once, the rest wait in the queue`);
    assert.equal(taken, tracker.now, 'no job was taken beyond the ones being fetched');
    held.release();
    await drained;
    const statuses = await Promise.all(locations.map(readStatus));
    assert.deepEqual(statuses.map((s) => s.status), Array(10).fill('accepted'), JSON.stringify(statuses.map((s) => s.reason)));
    assert.ok(tracker.max < 10, `never more than the bound at once (${tracker.max})`);
  });
});
