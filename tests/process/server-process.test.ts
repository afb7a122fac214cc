import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { spawnServer } from '../helpers/spawn-server.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'backtalk-proc-'));
  dirs.push(dir);
  return dir;
}
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the server process', () => {
  test('starts with no configuration but a free port: default database folder, one URL line, a generated admin token printed once', async () => {
    const cwd = tempDir();
    const first = await spawnServer({ BACKTALK_PORT: '0' }, cwd);
    try {
      assert.match(first.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.ok(existsSync(join(cwd, 'data', 'backtalk.db')), 'creates ./data/backtalk.db');
      const token = /Admin token[^:]*: (\S+)/.exec(first.stdout())?.[1];
      assert.ok(token, 'prints the generated admin token');
      const health = await fetch(`${first.url}/healthz`);
      assert.equal(health.status, 200);
      const ok = await fetch(`${first.url}/api/admin/comments?status=pending`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(ok.status, 200, 'the printed token is the admin token');
      const bad = await fetch(`${first.url}/api/admin/comments?status=pending`, { headers: { authorization: 'Bearer nope' } });
      assert.equal(bad.status, 401);
      // The default site is the public URL itself, so a post on it can be commented on.
      const posted = await fetch(`${first.url}/comments`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ target: `${first.url}/demo/`, body: 'first!' }),
      });
      assert.equal(posted.status, 201);
    } finally {
      first.child.kill('SIGTERM');
      assert.equal(await first.exited, 0);
    }
    const second = await spawnServer({ BACKTALK_PORT: '0' }, cwd);
    try {
      assert.doesNotMatch(second.stdout(), /Admin token/, 'the token is printed only on first start');
      const db = new Database(join(cwd, 'data', 'backtalk.db'), { readonly: true });
      const row = db.prepare(`SELECT value FROM settings WHERE key = 'admin_token_hash'`).get() as { value: string };
      db.close();
      assert.match(row.value, /^[0-9a-f]{64}$/, 'only a hash is kept');
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });

  test('bad configuration stops it with one line naming each variable and a non-zero exit', async () => {
    const cwd = tempDir();
    await assert.rejects(
      spawnServer({ BACKTALK_PORT: 'eighty', BACKTALK_MODERATION: 'sometimes' }, cwd),
      (err: { code: number; stderr: string }) => {
        assert.notEqual(err.code, 0);
        const lines = err.stderr.trim().split('\n');
        assert.equal(lines.length, 2);
        assert.match(lines[0]!, /BACKTALK_PORT/);
        assert.match(lines[1]!, /BACKTALK_MODERATION/);
        assert.doesNotMatch(err.stderr, /at .*\.ts:\d+/, 'no stack trace');
        return true;
      },
    );
  });

  test('SIGTERM lets an in-flight request finish and closes the database cleanly', async () => {
    const cwd = tempDir();
    const dbPath = join(cwd, 'db', 'bt.db');
    const server = await spawnServer({ BACKTALK_PORT: '0', BACKTALK_DB: dbPath, BACKTALK_ADMIN_TOKEN: 'proc-admin-token-0123456789' }, cwd);
    const { port } = new URL(server.url);
    const body = JSON.stringify({ target: `${server.url}/post`, body: 'sent slowly, across a shutdown' });
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    let response = '';
    socket.on('data', (chunk) => (response += chunk.toString()));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write(`POST /comments HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`);
    socket.write(body.slice(0, 10));
    await new Promise((r) => setTimeout(r, 200));
    server.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    socket.write(body.slice(10));
    await closed;
    assert.match(response, /^HTTP\/1\.1 201/, 'the in-flight request was answered');
    assert.equal(await server.exited, 0);
    const wal = `${dbPath}-wal`;
    assert.ok(!existsSync(wal) || statSync(wal).size === 0, 'WAL checkpointed on close');
    const db = new Database(dbPath, { readonly: true });
    assert.equal((db.pragma('integrity_check', { simple: true }) as string), 'ok');
    assert.equal((db.prepare('SELECT count(*) AS n FROM comments').get() as { n: number }).n, 1);
    db.close();
  });
});
