/**
 * A real Backtalk on 127.0.0.1 port 0 with a real SQLite file in a temporary folder, built the way
 * server.ts builds it. Tests talk to it over HTTP with fetch.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createRequestListener } from '../../src/app.js';
import { loadConfig, resolveRuntimeConfig } from '../../src/config.js';
import { createLogger } from '../../src/lib/logger.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/repository.js';
import { createFreshDatabase } from './postgres-cluster.js';
import { createDeps, stopBackground, type AppDeps, type DepsOverrides } from '../../src/wiring.js';

export const SITE = 'http://blog.example';
export const POST = `${SITE}/2026/11/hello/`;
export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestServer {
  url: string;
  deps: AppDeps;
  dbPath: string;
  close(): Promise<void>;
  /** fetch relative to the server. */
  request(path: string, init?: RequestInit): Promise<Response>;
  postJson(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  postForm(path: string, fields: Record<string, string>, headers?: Record<string, string>): Promise<Response>;
  admin(path: string, init?: RequestInit): Promise<Response>;
}

/** JSON log lines a test server wrote, parsed (see `logLines`). */
export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/**
 * A sink for a test server's logger (startTestServer's `logTo`): every JSON line it writes, parsed,
 * in `lines`. Pass `BACKTALK_LOG_LEVEL` in the env as well; the test default is `silent`.
 */
export function logLines(): { sink: Writable; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { sink, lines };
}

/**
 * `openStoreWith` replaces openStore(BACKTALK_DB), e.g. to open the SQLite store with a disk sync
 * the test holds (tests/store/group-commit.test.ts).
 */
export async function startTestServer(
  env: Record<string, string> = {}, overrides: DepsOverrides = {}, logTo?: Writable, openStoreWith: (dbPath: string) => Store | Promise<Store> = openStore,
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'backtalk-test-'));
  // tests/multi/run-on-postgres.ts sets BACKTALK_TEST_POSTGRES to run the same tests on PostgreSQL:
  // then each server gets a fresh database of that throwaway cluster instead of a SQLite file.
  const pgAdmin = process.env.BACKTALK_TEST_POSTGRES;
  const dbPath = pgAdmin ? await createFreshDatabase(pgAdmin) : join(dir, 'backtalk.db');
  const config = loadConfig({
    BACKTALK_PORT: '0',
    BACKTALK_DB: dbPath,
    BACKTALK_SITES: SITE,
    BACKTALK_ADMIN_TOKEN: ADMIN_TOKEN,
    BACKTALK_RATE_LIMIT: '0',
    // Tests that send many wrong admin tokens on purpose (fuzzing, 401 checks) are not locked out; tests/http/admin-attempts.test.ts sets it.
    BACKTALK_ADMIN_ATTEMPTS: '0',
    BACKTALK_LINKBACKS_PER_THREAD_HOUR: '0',
    BACKTALK_FETCH_PER_HOST_PER_MINUTE: '100000',
    BACKTALK_FETCH_PER_MINUTE: '100000',
    BACKTALK_LOG_LEVEL: 'silent',
    ...env,
  });
  // BACKTALK_DB in `env` may name a PostgreSQL database (tests/multi); by default a fresh SQLite file.
  const store = await openStoreWith(config.dbPath);
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const runtime = resolveRuntimeConfig(config, (server.address() as AddressInfo).port);
  const deps = await createDeps(runtime, store, createLogger(config.logLevel, logTo), overrides);
  // The same composition as server.ts: the fast lane at the node:http layer, then the Express app.
  server.on('request', createRequestListener(deps));
  const url = `http://127.0.0.1:${runtime.port}`;

  const request = (path: string, init?: RequestInit) => fetch(url + path, { redirect: 'manual', ...init });
  return {
    url,
    deps,
    dbPath,
    request,
    postJson: (path, body, headers = {}) =>
      request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }),
    postForm: (path, fields, headers = {}) =>
      request(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields).toString() }),
    admin: (path, init = {}) =>
      request(path, { ...init, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', ...(init.headers as Record<string, string> | undefined) } }),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await stopBackground(deps);
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
