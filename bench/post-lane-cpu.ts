/**
 * CPU per POST /comments through the lane (src/http/comment-lane.ts) and through the Express route,
 * measured back to back in one process over the same deps and database: 8 keep-alive sockets each
 * send unique form comments one after another, and process.cpuUsage() is read around each block. The
 * client's share (a socket write and read) is the same on both sides, so the difference is what the
 * lane saves; blocks alternate so drift from other load on the machine falls on both.
 *
 *   node --import tsx bench/post-lane-cpu.ts [comments per block=500] [blocks per side=4]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequestListener } from '../src/app.js';
import { loadConfig, resolveRuntimeConfig } from '../src/config.js';
import { createLogger } from '../src/lib/logger.js';
import { openStore } from '../src/store/open-store.js';
import { createDeps } from '../src/wiring.js';
import { SITE } from './sides.js';

const TARGET = `${SITE}/bench/post-lane`;
const perBlock = Number(process.argv[2] ?? 500);
const blocks = Number(process.argv[3] ?? 4);

async function listen(listener: RequestListener): Promise<{ server: Server; port: number }> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** Sends `count` comments one after another on one keep-alive connection; resolves when all are answered 303. */
function postMany(socket: Socket, count: number, tag: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = 0;
    let buffer = '';
    const next = () => {
      sent += 1;
      const body = new URLSearchParams({ target: TARGET, author: 'Bench', email: 'bench@mail.example', body: `Lane CPU ${tag}-${sent}: a short plain-text reply.` }).toString();
      socket.write(`POST /comments HTTP/1.1\r\nHost: bench\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    };
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      for (;;) {
        const head = buffer.indexOf('\r\n\r\n');
        if (head < 0) return;
        const length = Number(/content-length: (\d+)/i.exec(buffer.slice(0, head))?.[1] ?? 0);
        if (buffer.length < head + 4 + length) return;
        if (!buffer.startsWith('HTTP/1.1 303')) {
          socket.off('data', onData);
          reject(new Error(buffer.slice(0, 300)));
          return;
        }
        buffer = buffer.slice(head + 4 + length);
        answered += 1;
        if (answered === count) {
          socket.off('data', onData);
          resolve();
          return;
        }
        next();
      }
    };
    socket.on('data', onData);
    next();
  });
}

const dir = mkdtempSync(join(tmpdir(), 'backtalk-lane-cpu-'));
const config = loadConfig({ BACKTALK_PORT: '0', BACKTALK_DB: join(dir, 'bench.db'), BACKTALK_SITES: SITE, BACKTALK_RATE_LIMIT: '0', BACKTALK_LOG_LEVEL: 'warn', BACKTALK_ADMIN_TOKEN: 'bench-admin-token-0123456789' });
const store = await openStore(config.dbPath);
const probe = createServer();
await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
const runtime = resolveRuntimeConfig(config, (probe.address() as AddressInfo).port);
const deps = await createDeps(runtime, store, createLogger('warn'));
const sides = {
  lane: await listen(createRequestListener(deps)),
  express: await listen(createRequestListener(deps, { postLane: false })),
};
const CONNECTIONS = 8;
const sockets = Object.fromEntries(await Promise.all(Object.entries(sides).map(async ([name, s]) => {
  const list = await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    const socket = connect(s.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    return socket;
  }));
  return [name, list] as const;
}))) as Record<keyof typeof sides, Socket[]>;
const postBlock = (name: keyof typeof sides, count: number, tag: string) =>
  Promise.all(sockets[name].map((socket, i) => postMany(socket, Math.ceil(count / CONNECTIONS), `${tag}-${i}`)));

// Warm-up: both paths compiled and their caches filled before anything is counted.
for (const name of ['lane', 'express'] as const) await postBlock(name, 400, `warm-${name}`);
const cpuMs: Record<string, number[]> = { lane: [], express: [] };
for (let b = 0; b < blocks; b++) {
  for (const name of (b % 2 === 0 ? ['lane', 'express'] : ['express', 'lane']) as Array<keyof typeof sides>) {
    const before = process.cpuUsage();
    await postBlock(name, perBlock, `${name}-${b}`);
    const used = process.cpuUsage(before);
    cpuMs[name]!.push((used.user + used.system) / 1000 / (Math.ceil(perBlock / CONNECTIONS) * CONNECTIONS));
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const lane = median(cpuMs.lane!);
const express = median(cpuMs.express!);
console.log(JSON.stringify({ perBlock, blocks, 'lane ms CPU/POST (per block)': cpuMs.lane!.map((x) => Number(x.toFixed(3))), 'express ms CPU/POST (per block)': cpuMs.express!.map((x) => Number(x.toFixed(3))) }));
console.log(`median CPU per POST, client included: lane ${lane.toFixed(3)} ms, Express route ${express.toFixed(3)} ms: the lane saves ${(express - lane).toFixed(3)} ms (${((1 - lane / express) * 100).toFixed(1)} %)`);
for (const s of Object.values(sockets).flat()) s.destroy();
for (const s of [...Object.values(sides).map((x) => x.server), probe]) s.close();
await deps.notifier.drain();
await deps.titles.drain();
await store.close();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
