/**
 * The Webmention queue is bounded and fair (issue 14, point 5). Fairness is shown by order, never by
 * timing: a local source host holds its 40 pages open until the good mention from another host has
 * been processed; with a plain FIFO of 4 workers the good one would only come after a fetch deadline
 * had cut off slow pages, and the test fails as soon as any slow page is cut off first.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, test } from 'node:test';

import { POST, startTestServer, type TestServer } from '../helpers/test-server.js';
import { PRIVATE_FETCH, readStatus, sendWebmention, submit } from './support.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const page = `<!doctype html><title>a reply</title><p>About <a href="${POST}">the post</a>.</p>`;

/** A source host whose pages answer only when `release()` is called; `ended` counts fetches that ended early. */
async function holdingHost(host: string) {
  const held: ServerResponse[] = [];
  let seen = 0;
  let endedEarly = 0;
  let released = false;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen += 1;
    if (released) {
      res.end(page);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.write('<!doctype html>');
    held.push(res);
    res.on('close', () => {
      if (!released) endedEarly += 1;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const base = `http://${host}:${(server.address() as AddressInfo).port}`;
  const close = () => {
    released = true;
    for (const res of held) res.end('</html>');
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { base, seen: () => seen, endedEarly: () => endedEarly, close };
}

async function quickHost(host: string) {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(page));
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  cleanups.push(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return `http://${host}:${(server.address() as AddressInfo).port}`;
}

async function testServer(env: Record<string, string> = {}): Promise<TestServer> {
  const server = await startTestServer({ ...PRIVATE_FETCH, BACKTALK_RATE_LIMIT: '0', BACKTALK_LINKBACKS_PER_THREAD_HOUR: '0', ...env });
  cleanups.push(() => server.close());
  return server;
}

describe('Webmention queue fairness', () => {
  test('40 never-ending sources on one host do not hold up a good mention from another host', async () => {
    const server = await testServer({ BACKTALK_FETCH_PER_HOST_PER_MINUTE: '100000', BACKTALK_FETCH_PER_MINUTE: '100000' });
    const slow = await holdingHost('127.0.0.2');
    cleanups.push(slow.close);
    for (let i = 0; i < 40; i++) await submit(server, `${slow.base}/never/${i}`);
    // The background worker as the server runs it (4 at a time), not drained step by step.
    server.deps.worker.start();
    // The workers have started on the slow host before the good mention arrives.
    while (slow.seen() === 0) await new Promise((r) => setTimeout(r, 20));
    const good = await submit(server, `${await quickHost('127.0.0.3')}/good`);
    let status = await readStatus(good);
    while (status.status === 'pending') {
      assert.equal(slow.endedEarly(), 0, 'the good mention is processed before any slow source is cut off by the fetch deadline');
      await new Promise((r) => setTimeout(r, 50));
      status = await readStatus(good);
    }
    assert.equal(status.status, 'accepted', status.reason ?? '');
    assert.equal(slow.endedEarly(), 0);
    assert.ok(slow.seen() <= 2, `one host holds at most 2 workers (it was fetched ${slow.seen()} times)`);
  });
});

describe('Webmention queue caps', () => {
  test('over the cap per client: 429 with Retry-After in the JSON error shape', async () => {
    const server = await testServer({ BACKTALK_WEBMENTION_QUEUE_PER_CLIENT: '3' });
    const slow = await holdingHost('127.0.0.2');
    cleanups.push(slow.close);
    for (let i = 0; i < 3; i++) await submit(server, `${slow.base}/never/${i}`);
    const res = await sendWebmention(server, `${slow.base}/never/3`, POST);
    assert.equal(res.status, 429);
    assert.match(res.headers.get('retry-after') ?? '', /^\d+$/);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'rate-limited');
    assert.match(body.error.message, /your address/);
  });

  test('over the cap per source host: 429 for that host, another host is still queued', async () => {
    const server = await testServer({ BACKTALK_WEBMENTION_QUEUE_PER_SOURCE_HOST: '2' });
    const slow = await holdingHost('127.0.0.2');
    cleanups.push(slow.close);
    for (let i = 0; i < 2; i++) await submit(server, `${slow.base}/never/${i}`);
    const over = await sendWebmention(server, `${slow.base}/never/2`, POST);
    assert.equal(over.status, 429);
    assert.match(over.headers.get('retry-after') ?? '', /^\d+$/);
    assert.match(((await over.json()) as { error: { message: string } }).error.message, /source's host/);
    const other = await sendWebmention(server, `${await quickHost('127.0.0.3')}/fine`, POST);
    assert.equal(other.status, 201);
  });
});
