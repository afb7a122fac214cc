/**
 * What a SQLite server loads at start (issue 15, RSS): not the PostgreSQL driver, not the worker
 * threads' pool, not the XML-RPC library, not every backend of rate-limiter-flexible; each of
 * those is heap a small blog's server would hold for nothing. The XML-RPC library is loaded by the
 * first Pingback, and that Pingback is answered as before.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { spawnServer, type SpawnedServer } from '../helpers/spawn-server.js';
import { until } from '../helpers/wait.js';

const HOOK = pathToFileURL(fileURLToPath(new URL('../helpers/loaded-packages.ts', import.meta.url))).href;
const dir = mkdtempSync(join(tmpdir(), 'backtalk-startup-modules-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function loaded(server: SpawnedServer): Promise<string[]> {
  const before = server.stderr().length;
  server.child.kill('SIGUSR2');
  await until(() => server.stderr().slice(before).includes('LOADED '));
  const line = server.stderr().slice(before).split('\n').find((l) => l.startsWith('LOADED '))!;
  return JSON.parse(line.slice('LOADED '.length)) as string[];
}

const packageOf = (file: string) => (file.startsWith('@') ? file.split('/').slice(0, 2).join('/') : file.split('/')[0]!);

test('a SQLite server starts without pg, piscina, xmlrpc or rate-limiter-flexible\'s other backends; a Pingback loads xmlrpc', { timeout: 60_000 }, async () => {
  const server = await spawnServer({ BACKTALK_PORT: '0', BACKTALK_DB: join(dir, 'b.db'), BACKTALK_SITES: 'http://blog.example' }, dir, ['--import', HOOK]);
  try {
    const atStart = await loaded(server);
    const packages = new Set(atStart.map(packageOf));
    assert.ok(packages.has('better-sqlite3') && packages.has('express'), `the hook sees the server's packages: ${[...packages].join(', ')}`);
    for (const name of ['pg', 'piscina', 'xmlrpc', 'xmlbuilder', 'sax']) assert.equal(packages.has(name), false, `${name} is not loaded at start`);
    assert.ok(atStart.includes('rate-limiter-flexible/lib/RateLimiterMemory.js'));
    assert.equal(atStart.some((file) => /rate-limiter-flexible\/lib\/RateLimiter(Redis|Mongo|MySQL|Dynamo)\.js$/.test(file)), false, 'no other backend of the rate limiter');

    // A Pingback to a page that is not ours: a fault (0x0021, the target cannot be used), in XML-RPC.
    const res = await fetch(`${server.url}/xmlrpc`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: '<?xml version="1.0"?><methodCall><methodName>pingback.ping</methodName><params>' +
        '<param><value><string>http://elsewhere.example/a</string></value></param>' +
        '<param><value><string>http://not-ours.example/b</string></value></param></params></methodCall>',
    });
    const text = await res.text();
    assert.equal(res.status, 200);
    assert.match(text, /<fault>/);
    assert.match(text, /<name>faultCode<\/name>\s*<value><int>33<\/int><\/value>/);
    assert.ok((await loaded(server)).some((file) => file.startsWith('xmlrpc/')), 'xmlrpc is loaded once a Pingback came');
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
  }
});
