/**
 * Slow and idle connections cannot exhaust the server (issue 14, point 7). The real entry point runs
 * as a child process (its own file descriptors, its own event loop); the "attacker" connects from
 * 127.0.0.2 and the reader from 127.0.0.1, both on loopback only. Every loop is bounded in count.
 * Nothing here asserts a duration: each check waits for an event (a close, an answer) or a count.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { spawnServer, type SpawnedServer } from '../helpers/spawn-server.js';

const ATTACKER = '127.0.0.2';
const READER = '127.0.0.1';
const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function start(env: Record<string, string> = {}): Promise<SpawnedServer & { port: number; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'backtalk-slow-'));
  dirs.push(dir);
  // The documented defaults (config.ts), stated because tests/helpers/spawn-server.ts lifts the caps for other tests.
  const server = await spawnServer({
    BACKTALK_PORT: '0', BACKTALK_DB: join(dir, 'b.db'), BACKTALK_ADMIN_TOKEN: 'slow-clients-token-0123456789',
    BACKTALK_MAX_CONNECTIONS_PER_CLIENT: '32', BACKTALK_MAX_CONNECTIONS: '512', ...env,
  }, dir);
  return Object.assign(server, {
    port: Number(new URL(server.url).port),
    async stop() {
      server.child.kill('SIGKILL');
      await server.exited;
    },
  });
}

/** GET /healthz from `localAddress`: the status, or the error's code when the connection was refused or reset. */
function healthz(port: number, localAddress: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/healthz', localAddress, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    req.end();
  });
}

interface Flood {
  sockets: Socket[];
  /** Connections the server closed (we never close one before `release`). */
  closedByServer(): number;
  release(): void;
}

/** Opens `count` connections from `localAddress`, each sending the start of a request and never the end of its headers. */
async function slowHeaders(port: number, localAddress: string, count: number, batch = 250): Promise<Flood> {
  const sockets: Socket[] = [];
  let closed = 0;
  let releasing = false;
  for (let i = 0; i < count; i += batch) {
    const wave = Array.from({ length: Math.min(batch, count - i) }, () => new Promise<void>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, localAddress });
      socket.on('error', () => undefined);
      socket.on('close', () => {
        if (!releasing) closed += 1;
        resolve();
      });
      socket.on('connect', () => {
        socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
        resolve();
      });
      sockets.push(socket);
    }));
    await Promise.all(wave);
  }
  return {
    sockets,
    closedByServer: () => closed,
    release() {
      releasing = true;
      for (const s of sockets) s.destroy();
    },
  };
}

/** Waits until `check()` holds; the test's own timeout ends a wait that never does. */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('slow and idle clients', () => {
  test('10,000 slow-header connections from one address: it keeps 32, and /healthz answers another reader', { timeout: 120_000 }, async () => {
    // Deadlines far away, so only the per-client cap can close anything during the test.
    const server = await start({ BACKTALK_HEADER_TIMEOUT: '600', BACKTALK_REQUEST_TIMEOUT: '600' });
    try {
      const attempts = 10_000;
      const flood = await slowHeaders(server.port, ATTACKER, attempts);
      await until(() => flood.closedByServer() >= attempts - 32);
      assert.equal(await healthz(server.port, READER), 200, 'a reader on another address is served');
      assert.equal(typeof await healthz(server.port, ATTACKER), 'string', 'the flooding address gets no further connection');
      flood.release();
      // Its slots come back as its connections close.
      let status: number | string = '';
      for (let i = 0; i < 200 && status !== 200; i++) {
        status = await healthz(server.port, ATTACKER);
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 25));
      }
      assert.equal(status, 200);
    } finally {
      await server.stop();
    }
  });

  test('a connection that never finishes its headers is answered 408 and closed; an idle keep-alive one is closed', { timeout: 60_000 }, async () => {
    const server = await start({ BACKTALK_HEADER_TIMEOUT: '1', BACKTALK_REQUEST_TIMEOUT: '2', BACKTALK_KEEPALIVE_TIMEOUT: '1' });
    try {
      const slow = connect({ host: '127.0.0.1', port: server.port });
      let answer = '';
      slow.on('data', (d: Buffer) => (answer += d.toString()));
      slow.on('error', () => undefined);
      slow.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a');
      await new Promise<void>((resolve) => slow.on('close', () => resolve()));
      assert.match(answer, /^HTTP\/1\.1 408 /);

      const idle = connect({ host: '127.0.0.1', port: server.port });
      let got = '';
      idle.on('data', (d: Buffer) => (got += d.toString()));
      idle.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      await new Promise<void>((resolve) => idle.on('close', () => resolve()));
      assert.match(got, /^HTTP\/1\.1 200 /);
      assert.match(got, /Keep-Alive: timeout=1/i);
    } finally {
      await server.stop();
    }
  });

  test('the total cap holds across addresses, and trusted proxies are exempt from the per-client cap', { timeout: 60_000 }, async () => {
    const capped = await start({ BACKTALK_MAX_CONNECTIONS: '40', BACKTALK_HEADER_TIMEOUT: '600', BACKTALK_REQUEST_TIMEOUT: '600' });
    try {
      const a = await slowHeaders(capped.port, '127.0.0.2', 32);
      const b = await slowHeaders(capped.port, '127.0.0.3', 32);
      await until(() => a.closedByServer() + b.closedByServer() >= 64 - 40);
      a.release();
      b.release();
    } finally {
      await capped.stop();
    }

    const proxied = await start({ BACKTALK_TRUST_PROXY: 'loopback', BACKTALK_HEADER_TIMEOUT: '600', BACKTALK_REQUEST_TIMEOUT: '600' });
    try {
      // nginx on the same machine: every reader arrives from its address.
      const held = await slowHeaders(proxied.port, ATTACKER, 40);
      assert.equal(await healthz(proxied.port, ATTACKER), 200);
      assert.equal(held.closedByServer(), 0);
      held.release();
    } finally {
      await proxied.stop();
    }
  });
});
