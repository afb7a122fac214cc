/**
 * A full disk (issue 14, point 11): the database lives on a small tmpfs that the test then fills.
 * Writes answer 503 with Retry-After in each door's own format, like a busy database; reads keep
 * working; the condition is logged once, not per request. Needs root for `mount`; skipped with one
 * line when mounting is refused.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { logLines, POST, startTestServer } from '../helpers/test-server.js';
import { fill, mountTmpfs } from '../helpers/tmpfs.js';

test('a full disk: writes answer 503 with Retry-After in each door\'s format, reads keep working, one log line', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'backtalk-full-'));
  if (!mountTmpfs(dir, '4m')) {
    rmSync(dir, { recursive: true, force: true });
    t.skip('mount -t tmpfs was refused (not root?)');
    return;
  }
  const { sink, lines } = logLines();
  const server = await startTestServer({ BACKTALK_DB: join(dir, 'backtalk.db'), BACKTALK_LOG_LEVEL: 'info', BACKTALK_VERIFY_TRACKBACKS: 'false' }, {}, sink);
  try {
    const first = await server.postJson('/comments', { target: POST, author: 'A', email: 'a@example.com', body: 'before the disk filled up' });
    assert.equal(first.status, 201);
    fill(join(dir, 'filler'));

    for (let i = 0; i < 3; i++) {
      const res = await server.postJson('/comments', { target: POST, author: 'B', email: 'b@example.com', body: `${'a long comment that needs new pages. '.repeat(200)} ${i}` });
      assert.equal(res.status, 503);
      assert.match(res.headers.get('retry-after') ?? '', /^\d+$/);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'busy');
    }
    const tb = await server.postForm(`/trackback?target=${encodeURIComponent(POST)}`, { url: 'http://127.0.0.1:9/tb', title: 'x'.repeat(2000), excerpt: 'y'.repeat(4000) });
    assert.equal(tb.status, 503);
    assert.match(tb.headers.get('retry-after') ?? '', /^\d+$/);
    assert.match(await tb.text(), /<error>1<\/error>/);

    const read = await server.request(`/api/comments?target=${encodeURIComponent(POST)}`);
    assert.equal(read.status, 200);
    assert.equal(((await read.json()) as { comments: unknown[] }).comments.length, 1);

    const full = lines.filter((l) => /disk under the database is full/.test(String(l.msg)));
    assert.equal(full.length, 1, 'logged once, not per request');
  } finally {
    // Closing checkpoints the WAL, which may itself fail on the full disk; the mount must go regardless.
    rmSync(join(dir, 'filler'), { force: true });
    await server.close().catch(() => undefined);
    execFileSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  }
});
