/**
 * The real entry point (src/main.ts, as `npm start` runs it) on PostgreSQL: two processes started at
 * the same moment on an empty database (the schema is made once, under the advisory lock), each
 * prints a start line without the password, they share one generated admin token and serve one set
 * of comments, a bad URL stops a process with one line, and SIGTERM ends each cleanly.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { spawnServer, type SpawnedServer } from '../helpers/spawn-server.js';
import { postgresUnavailable, startPostgresCluster, type PostgresCluster } from '../helpers/postgres-cluster.js';

const skip = postgresUnavailable();
const SITE = 'http://blog.example';
const POST = `${SITE}/2026/11/hello/`;

describe('Backtalk processes on PostgreSQL', { skip }, () => {
  let cluster: PostgresCluster;
  let cwd: string;
  before(async () => {
    cluster = await startPostgresCluster();
    cwd = await mkdtemp(join(tmpdir(), 'backtalk-pgproc-'));
  });
  after(async () => {
    await cluster?.stop();
    await rm(cwd, { recursive: true, force: true });
  });

  test('two processes started together on an empty database serve as one; SIGTERM ends each with 0', async () => {
    await cluster.createDatabase('procs');
    // The cluster trusts local connections; the password is there to check it is never printed.
    const url = cluster.url('procs').replace('postgres://backtalk@', 'postgres://backtalk:s3cret-pw@');
    const env = { BACKTALK_DB: url, BACKTALK_PORT: '0', BACKTALK_SITES: SITE, BACKTALK_RATE_LIMIT: '0' };
    const servers: SpawnedServer[] = await Promise.all([spawnServer(env, cwd), spawnServer(env, cwd)]);
    try {
      for (const s of servers) {
        assert.match(s.stdout(), /database postgres:\/\/backtalk:\*\*\*@\/procs/);
        assert.doesNotMatch(s.stdout() + s.stderr(), /s3cret-pw/);
        assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
      }
      // No admin token configured: exactly one of the two generated and printed one, and it works on both.
      const printed = servers.map((s) => /Admin token \(shown only this once, keep it safe\): (\S+)/.exec(s.stdout())?.[1]).filter(Boolean);
      assert.equal(printed.length, 1, 'one admin token printed between the two');
      for (const s of servers) {
        const res = await fetch(`${s.url}/api/admin/comments?status=pending`, { headers: { authorization: `Bearer ${printed[0]}` } });
        assert.equal(res.status, 200, `${s.url} accepts the token printed by the other`);
      }
      const posted = await fetch(`${servers[0]!.url}/comments`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ target: POST, body: 'Hello from one', author: 'A' }),
      });
      assert.equal(posted.status, 201);
      const read = await fetch(`${servers[1]!.url}/api/comments?target=${encodeURIComponent(POST)}`);
      assert.equal(((await read.json()) as { total: number }).total, 1, 'the other process serves it');
    } finally {
      for (const s of servers) s.child.kill('SIGTERM');
    }
    assert.deepEqual(await Promise.all(servers.map((s) => s.exited)), [0, 0]);
  });

  test('an unreachable PostgreSQL stops the process with one line and a non-zero exit', async () => {
    const env = { BACKTALK_DB: `postgres://backtalk:pw@/nope?host=${encodeURIComponent(join(cwd, 'no-socket-here'))}`, BACKTALK_PORT: '0' };
    const failure = await spawnServer(env, cwd).then(
      (s) => { s.child.kill('SIGKILL'); return undefined; },
      (err: { code: number; stderr: string }) => err,
    );
    assert.ok(failure, 'the server must not start');
    assert.notEqual(failure.code, 0);
    const lines = failure.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `one line: ${failure.stderr}`);
    assert.match(lines[0]!, /^backtalk: cannot open PostgreSQL database postgres:\/\/backtalk:\*\*\*@\/nope.*ENOENT/);
    assert.doesNotMatch(failure.stderr, /pw@/);
  });
});
