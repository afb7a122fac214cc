/**
 * A full disk on PostgreSQL (issue 14, point 11): the database's tablespace lives on a small tmpfs
 * that the test then fills, so extending a table fails with SQLSTATE 53100 (disk_full) while the
 * write-ahead log, on the cluster's own disk, keeps room (a full pg_wal makes PostgreSQL stop, which
 * is an outage, not a refusal). Writes answer 503 with Retry-After like a busy database, reads keep
 * working, and the condition is logged once. Needs root for `mount` and the PostgreSQL binaries.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';

import { postgresUnavailable, startPostgresCluster } from '../helpers/postgres-cluster.js';
import { logLines, POST, startTestServer } from '../helpers/test-server.js';
import { fill, mountTmpfs } from '../helpers/tmpfs.js';

/** The uid/gid PostgreSQL runs as when the tests run as root (see helpers/postgres-cluster.ts). */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const found = spawnSync('getent', ['passwd', 'postgres'], { encoding: 'utf8' });
  const [, , uid, gid] = found.stdout.trim().split(':');
  return uid && gid ? { uid: Number(uid), gid: Number(gid) } : undefined;
}

async function sql(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

const skip = postgresUnavailable() ?? (process.getuid?.() === 0 ? undefined : 'mount needs root: PostgreSQL disk-full test skipped');

test('PostgreSQL disk full (53100): writes answer 503 with Retry-After, reads keep working, one log line', { skip }, async (t) => {
  const mountPoint = mkdtempSync(join(tmpdir(), 'backtalk-pgfull-'));
  if (!mountTmpfs(mountPoint, '24m')) {
    rmSync(mountPoint, { recursive: true, force: true });
    t.skip('mount -t tmpfs was refused');
    return;
  }
  const cluster = await startPostgresCluster();
  const space = join(mountPoint, 'space');
  mkdirSync(space);
  const owner = postgresUser();
  if (owner) chownSync(space, owner.uid, owner.gid);
  const { sink, lines } = logLines();
  let server: Awaited<ReturnType<typeof startTestServer>> | undefined;
  try {
    await sql(cluster.url(), `CREATE TABLESPACE small LOCATION '${space}'`);
    await sql(cluster.url(), 'CREATE DATABASE full_disk TABLESPACE small');
    server = await startTestServer({ BACKTALK_DB: cluster.url('full_disk'), BACKTALK_LOG_LEVEL: 'info', BACKTALK_VERIFY_TRACKBACKS: 'false' }, {}, sink);
    const first = await server.postJson('/comments', { target: POST, author: 'A', email: 'a@example.com', body: 'before the disk filled up' });
    assert.equal(first.status, 201);
    fill(join(mountPoint, 'filler'));

    // Bodies that do not compress need new heap and TOAST pages, which PostgreSQL cannot allocate.
    for (let i = 0; i < 3; i++) {
      const res = await server.postJson('/comments', { target: POST, author: 'B', email: 'b@example.com', body: randomBytes(4500).toString('base64') });
      assert.equal(res.status, 503);
      assert.match(res.headers.get('retry-after') ?? '', /^\d+$/);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'busy');
    }
    const tb = await server.postForm(`/trackback?target=${encodeURIComponent(POST)}`, { url: 'http://127.0.0.1:9/tb', title: 'x'.repeat(200), excerpt: randomBytes(3000).toString('base64') });
    assert.equal(tb.status, 503);
    assert.match(await tb.text(), /<error>1<\/error>/);

    const read = await server.request(`/api/comments?target=${encodeURIComponent(POST)}`);
    assert.equal(read.status, 200);
    assert.equal(((await read.json()) as { comments: unknown[] }).comments.length, 1, 'the accepted comment is still there');

    const full = lines.filter((l) => /disk under the database is full/.test(String(l.msg)));
    assert.equal(full.length, 1, 'logged once, not per request');
  } finally {
    rmSync(join(mountPoint, 'filler'), { force: true });
    await server?.close().catch(() => undefined);
    await cluster.stop().catch(() => undefined);
    execFileSync('umount', ['-l', mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  }
});
