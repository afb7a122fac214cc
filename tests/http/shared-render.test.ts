/**
 * Readers who ask for the same thread version while its body is being built share that one build
 * (src/http/public-reads.ts buildOnce): the thread is read once, not once per reader. That is what
 * keeps a thread too large for the body cache from being read and rendered by every concurrent
 * reader at once. The thread read is held open by the test, so all readers arrive while it runs.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, SITE, type TestServer } from '../helpers/test-server.js';
import { until } from '../helpers/wait.js';

const TARGET = `${SITE}/2026/12/shared-render/`;
let server: TestServer;

before(async () => {
  server = await startTestServer({ BACKTALK_MODERATION: 'auto' });
  for (let i = 0; i < 3; i++) {
    const res = await server.postJson('/comments', { target: TARGET, author: `Reader ${i}`, body: `Comment number ${i} on the shared thread.` });
    assert.equal(res.status, 201);
  }
});
after(() => server.close());

/** Holds `method` of the reader until release(); counts its calls and the version reads. */
function holdReader(method: 'readThread' | 'readPage') {
  const reader = server.deps.reader as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const original = reader[method]!;
  const originalVersions = reader.versions!;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const counts = { reads: 0, versions: 0 };
  reader[method] = async (...args) => {
    counts.reads += 1;
    await released;
    return original.apply(server.deps.reader, args);
  };
  reader.versions = async (...args) => {
    counts.versions += 1;
    return originalVersions.apply(server.deps.reader, args);
  };
  const restore = () => {
    reader[method] = original;
    reader.versions = originalVersions;
  };
  return { counts, release, restore };
}

async function concurrentReaders(path: string, method: 'readThread' | 'readPage', versionReads: number): Promise<void> {
  const held = holdReader(method);
  try {
    const readers = Array.from({ length: 8 }, () => server.request(path).then(async (res) => ({ status: res.status, body: await res.text() })));
    // Every reader has asked for the version and gone on to the body: then all of them are waiting
    // on the held read, or on the one build.
    await until(() => held.counts.versions >= versionReads);
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(held.counts.reads, 1, `the thread was read once for 8 concurrent readers (read ${held.counts.reads} times)`);
    held.release();
    const answers = await Promise.all(readers);
    assert.deepEqual(answers.map((a) => a.status), Array(8).fill(200));
    assert.equal(new Set(answers.map((a) => a.body)).size, 1, 'every reader got the same body');
    assert.equal((JSON.parse(answers[0]!.body) as { comments: unknown[] }).comments.length, method === 'readPage' ? 2 : 3);
  } finally {
    held.release();
    held.restore();
  }
}

test('concurrent readers of the whole thread share one read and one body', { timeout: 60_000 }, async () => {
  await concurrentReaders(`/api/comments?target=${encodeURIComponent(TARGET)}`, 'readThread', 16); // the fast lane and the full path each ask once
});

test('concurrent readers of one page share one read and one body', { timeout: 60_000 }, async () => {
  await concurrentReaders(`/api/comments?target=${encodeURIComponent(TARGET)}&limit=2&sort=newest`, 'readPage', 8); // a page is never on the fast lane
});
