/** GET /metrics: Prometheus text format. Mounted behind the admin token, or alone on BACKTALK_METRICS_PORT. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import type { Metrics } from '../metrics/metrics.js';

export function metricsHandler(metrics: Metrics): RequestHandler {
  return async (_req, res) => {
    const { contentType, body } = await metrics.render();
    res.set('Cache-Control', 'no-store').type(contentType).send(body);
  };
}

/**
 * The metrics port: only GET /metrics, no token (Prometheus scrapers rarely carry one; the port is
 * meant for a private interface or a firewall rule). Resolves with the `host:port` it listens on.
 */
export async function serveMetrics(metrics: Metrics, host: string, port: number): Promise<string> {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', metricsHandler(metrics));
  app.use((_req, res) => void res.status(404).type('text/plain').send('Only /metrics is served on this port.\n'));
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  server.unref();
  const address = server.address() as AddressInfo;
  return `${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
}
