/**
 * The inputs fuzzing found, replayed at the real server process: each once killed it or answered
 * 500. The process must answer each in its door's own error format and still be up afterwards.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { spawnServer } from '../helpers/spawn-server.js';

const POST = 'http://blog.example/2026/11/hello/';
const call = (value: string) =>
  `<?xml version="1.0"?><methodCall><methodName>pingback.ping</methodName><params><param><value><string>${value}</string></value></param><param><value><string>${POST}</string></value></param></params></methodCall>`;

test('inputs that once crashed the process or answered 500 are refused in each door\'s format, and the process stays up', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'backtalk-survive-'));
  const server = await spawnServer({ BACKTALK_PORT: '0', BACKTALK_DB: join(dir, 'b.db'), BACKTALK_SITES: 'http://blog.example', BACKTALK_ADMIN_TOKEN: 'survive-admin-token-0123456789' }, dir);
  try {
    // sax 1.2 threw an uncaught RangeError on a character reference beyond U+10FFFF: the process exited.
    for (const ref of ['&#99999999;', '&#x110000;', '&#xFFFFFFFFFFFF;', '&#1114112;']) {
      const res = await fetch(`${server.url}/xmlrpc`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: call(`http://source.example/${ref}`) });
      assert.equal(res.status, 200);
      assert.match(await res.text(), /<name>faultCode<\/name>\s*<value><int>-32700<\/int>/, `${ref}: a parse-error fault`);
    }
    // A path parameter that is not valid percent-encoding answered 500.
    for (const path of ['/api/comments/%ff', '/webmention/status/%E0%A4%A', '/avatar/%zz.svg']) {
      const res = await fetch(`${server.url}${path}`, { method: path.startsWith('/api/comments') ? 'DELETE' : 'GET', headers: { 'x-edit-token': 'x' } });
      assert.equal(res.status, 400, path);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'invalid-url');
    }
    const tb = await fetch(`${server.url}/trackback/%ff`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'url=http://source.example/' });
    assert.equal(tb.status, 200);
    assert.match(await tb.text(), /<error>1<\/error>/);

    // A Content-Encoding whose body does not inflate answered 500 (JSON doors) or a TrackBack 500.
    for (const [path, type] of [['/comments', 'application/json'], ['/webmention', 'application/x-www-form-urlencoded'], ['/api/comments/1', 'application/json']] as const) {
      const res = await fetch(`${server.url}${path}`, { method: path === '/api/comments/1' ? 'PUT' : 'POST', headers: { 'content-type': type, 'content-encoding': 'gzip', 'x-edit-token': 'x' }, body: 'not gzip at all' });
      assert.equal(res.status, 400, path);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'invalid-body');
    }
    for (const encoding of ['gzip', 'bogus']) {
      const res = await fetch(`${server.url}/trackback?target=${encodeURIComponent(POST)}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': encoding }, body: 'url=x' });
      assert.equal(res.status, 200, encoding);
      assert.match(await res.text(), /<error>1<\/error>/);
    }

    assert.equal(server.child.exitCode, null, 'still running');
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
    rmSync(dir, { recursive: true, force: true });
  }
});
