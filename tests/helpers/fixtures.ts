/**
 * Suite fixtures for node:test: `useX()` registers a `before` hook that starts a resource and an
 * `after` hook that closes it, in whichever suite (or file) it is called, and hands back a stand-in
 * that forwards to the started resource. Test files keep writing `server.request(...)` and
 * `source.set(...)` as before, without a `let` plus two hooks in every file.
 */
import { after, before } from 'node:test';

import { startSourceServer, type SourceServer } from './source-server.js';
import { startTestServer, type TestServer } from './test-server.js';
import type { DepsOverrides } from '../../src/wiring.js';

/**
 * Starts `start()` before the suite's tests and `stop()`s it after them. The returned object stands
 * for the started value; reading it outside the suite's tests (before `before` ran) throws, so a
 * misplaced use fails loudly instead of acting on `undefined`.
 */
export function useFixture<T extends object>(name: string, start: () => Promise<T>, stop: (value: T) => Promise<void>): T {
  let current: T | undefined;
  before(async () => {
    current = await start();
  });
  after(async () => {
    if (current) await stop(current);
    current = undefined;
  });
  return standIn(name, () => current);
}

/** An object that forwards every read to `get()`, throwing while there is nothing to forward to. */
function standIn<T extends object>(name: string, get: () => T | undefined): T {
  const live = (): T => {
    const value = get();
    if (!value) throw new Error(`${name} is used outside the tests of the suite that set it up`);
    return value;
  };
  return new Proxy({} as T, {
    get: (_, key) => Reflect.get(live(), key),
    has: (_, key) => Reflect.has(live(), key),
  });
}

/** A Backtalk test server (test-server.ts) for the tests of the current suite. */
export function useTestServer(env: Record<string, string> = {}, overrides: DepsOverrides = {}): TestServer {
  return useFixture('the test server', () => startTestServer(env, overrides), (server) => server.close());
}

/** A source blog (source-server.ts) on 127.0.0.1 for the tests of the current suite. */
export function useSourceServer(): SourceServer {
  return useFixture('the source server', () => startSourceServer(), (source) => source.close());
}

/**
 * What most linkback suites need: a source blog and a Backtalk that may fetch from it (pass
 * BACKTALK_ALLOW_PRIVATE_FETCH in `env`). The source starts first; the server closes first.
 */
export function useLinkbackServer(env: Record<string, string> = {}): { server: TestServer; source: SourceServer } {
  let source: SourceServer | undefined;
  let server: TestServer | undefined;
  before(async () => {
    source = await startSourceServer();
    server = await startTestServer(env);
  });
  after(async () => {
    // The server first: it may still hold connections to the source.
    await server?.close();
    await source?.close();
    server = source = undefined;
  });
  return { server: standIn('the test server', () => server), source: standIn('the source server', () => source) };
}

/** A fresh Backtalk (own SQLite file, own limiters) for one test, closed afterwards. */
export async function withServer(env: Record<string, string>, run: (server: TestServer) => Promise<void>): Promise<void> {
  const server = await startTestServer(env);
  try {
    await run(server);
  } finally {
    await server.close();
  }
}
