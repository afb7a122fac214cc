import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { guardConnections, serverTimeouts, type ConnectionLimits } from './http/connection-guard.js';
import { createClientFaultLog } from './lib/client-fault-log.js';
import { createRequestListener } from './app.js';
import { ConfigError, loadConfig, resolveRuntimeConfig } from './config.js';
import { createLogger } from './lib/logger.js';
import { openStore } from './store/open-store.js';
import { reportStartup } from './startup-output.js';
import { createDeps, stopBackground, type AppDeps } from './wiring.js';
import { serveMetrics } from './http/metrics-routes.js';
import { startIdleCompaction, type IdleCompaction } from './lib/idle-compaction.js';

const SHUTDOWN_GRACE_MS = 10_000;

/**
 * Serves until SIGTERM/SIGINT: then stops accepting, lets in-flight requests finish, drains the
 * notification queue and closes the database cleanly (WAL checkpointed).
 */
export async function runServer(env: Record<string, string | undefined>): Promise<void> {
  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const problem of err.problems) process.stderr.write(`backtalk: invalid configuration: ${problem}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const store = await openStore(config.dbPath);

  // Requests that arrive while the app is still being built wait for it instead of being dropped;
  // once it is built, requests go straight to it (no promise turn per request).
  let listener: RequestListener | undefined;
  let resolveApp!: (app: RequestListener) => void;
  const appReady = new Promise<RequestListener>((resolve) => (resolveApp = resolve));
  const limits: ConnectionLimits = {
    headerTimeoutMs: config.headerTimeout * 1000, requestTimeoutMs: config.requestTimeout * 1000, keepAliveTimeoutMs: config.keepAliveTimeout * 1000,
    maxConnections: config.maxConnections, maxConnectionsPerClient: config.maxConnectionsPerClient,
  };
  const server: Server = createServer(serverTimeouts(limits), (req, res) => {
    if (listener) listener(req, res);
    else void appReady.then((ready) => ready(req, res));
  });
  // Express's own reading of BACKTALK_TRUST_PROXY, so "which peer is a proxy" means the same here.
  const isTrustedProxy = express().set('trust proxy', config.trustProxy).get('trust proxy fn') as (address: string, hop: number) => boolean;
  const refusedLog = createClientFaultLog(logger.child({ component: 'connections' }));
  guardConnections(server, limits, (address) => isTrustedProxy(address, 0), {
    refused: (address) => refusedLog({ address, limit: limits.maxConnectionsPerClient }, 'connection refused: too many open from this client'),
    dropped: (address) => refusedLog({ address, limit: limits.maxConnections }, 'connection dropped: too many open in all'),
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const runtime = resolveRuntimeConfig(config, (server.address() as AddressInfo).port);
  let newAdminToken: string | undefined;
  const deps = await createDeps(runtime, store, logger, { onNewAdminToken: (token) => (newAdminToken = token) });
  listener = createRequestListener(deps);
  resolveApp(listener);
  deps.worker.start();
  deps.outbox.start();
  // BACKTALK_SEND=off: nothing queued is sent and no feed is polled (staging copies must not ping the world).
  if (runtime.sendEnabled) {
    deps.sends.start();
    deps.feedWatcher.start();
  }
  const metricsAt = runtime.metricsPort === undefined ? undefined : await serveMetrics(deps.metrics, runtime.host, runtime.metricsPort);
  reportStartup({ config: runtime, newAdminToken, metricsAt }, { tty: process.stdout.isTTY === true, write: (text) => process.stdout.write(text), logger });
  // `gc` is there when node runs with --expose-gc, as `npm start` does.
  const memoryLog = logger.child({ component: 'memory' });
  const compaction = startIdleCompaction({
    gc: (globalThis as { gc?: () => void }).gc,
    release: () => store.releaseMemory?.(),
    onCompaction: ({ beforeBytes, afterBytes, pauseMs }) =>
      memoryLog.debug({ heap_before: beforeBytes, heap_after: afterBytes, pause_ms: Math.round(pauseMs) }, 'heap compacted after a busy spell'),
  });

  installShutdown(server, deps, compaction);
}

function installShutdown(server: Server, deps: AppDeps, compaction: IdleCompaction): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    deps.logger.info({ signal }, 'shutting down');
    compaction.stop();
    const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    force.unref();
    server.close(async () => {
      await stopBackground(deps);
      await deps.refusedOrigins.flush();
      // After the notifier: its last rows are written; what is not delivered now stays for the next start.
      await deps.outbox.stop();
      await deps.store.close();
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
