/** GET /metrics: Prometheus text format. Mounted behind the admin token, or alone on BACKTALK_METRICS_PORT. */
import type { RequestHandler } from 'express';
import type { Metrics } from '../metrics/metrics.js';

export function metricsHandler(metrics: Metrics): RequestHandler {
  return async (_req, res) => {
    const { contentType, body } = await metrics.render();
    res.set('Cache-Control', 'no-store').type(contentType).send(body);
  };
}
