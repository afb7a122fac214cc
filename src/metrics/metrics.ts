/**
 * Prometheus metrics for one app. Every app gets its own Registry (prom-client's global one would be
 * shared by the many apps a test process builds, and would make importing this module a side effect).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricsSources {
  /** Webmentions waiting for verification whose attempt is due (store.webmentions.countDue). */
  webmentionQueueDepth?: () => Promise<number>;
  /** Notifications (mail, webhooks) waiting to be sent, when the store has an outbox. */
  outboxDepth?: () => Promise<number>;
  /** Posts to read and links to ping waiting in the send queue (src/send/). */
  sendQueueDepth?: () => Promise<number>;
}

export interface Metrics {
  readonly registry: Registry;
  /** One finished HTTP request; `route` is the matched route pattern, never the raw URL (bounded labels). */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  /** One spam checker's verdict on one submission. */
  spamVerdict(checker: string, verdict: string): void;
  /** A linkback attempt's outcome as the owner's log records it (accepted, pending, spam, refused, duplicate…). */
  linkback(kind: string, outcome: string): void;
  /** One linkback we sent (or tried to): protocol webmention|pingback|trackback|none, outcome sent|refused|retried|gave-up|no-endpoint. */
  sent(protocol: string, outcome: string): void;
  /** An admin request with a wrong token (`refused`), or with any token while its client is locked out (`locked`). */
  adminAuthFailure(outcome: 'refused' | 'locked'): void;
  /**
   * One response body compressed (issue 15.4): `view` comments|counts|thread|feed, `coding` br|gzip.
   * Bodies are compressed once per version, so this grows with changes, not with reads.
   */
  compressed(view: string, coding: string): void;
  /** The text served on /metrics, and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
}

export function createMetrics(sources: MetricsSources = {}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'backtalk_' });

  const requests = new Counter({
    name: 'backtalk_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'backtalk_http_request_duration_seconds',
    help: 'Time from request to the end of the response, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const verdicts = new Counter({
    name: 'backtalk_spam_verdicts_total',
    help: 'Spam checker verdicts, by checker (rules, akismet) and verdict (ham, hold, spam, unknown).',
    labelNames: ['checker', 'verdict'] as const,
    registers: [registry],
  });
  const linkbacks = new Counter({
    name: 'backtalk_linkbacks_total',
    help: 'Linkback attempts (trackback, pingback, webmention) by outcome.',
    labelNames: ['kind', 'outcome'] as const,
    registers: [registry],
  });
  const adminAuthFailures = new Counter({
    name: 'backtalk_admin_auth_failures_total',
    help: 'Admin requests refused for their token (refused), or answered 429 because their client made too many such requests (locked).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const sends = new Counter({
    name: 'backtalk_sends_total',
    help: 'Linkbacks sent for our own posts, by protocol (webmention, pingback, trackback, none) and outcome (sent, refused, retried, gave-up, no-endpoint).',
    labelNames: ['protocol', 'outcome'] as const,
    registers: [registry],
  });
  const compressions = new Counter({
    name: 'backtalk_compressions_total',
    help: 'Response bodies compressed, by view (comments, counts, thread, feed) and coding (br, gzip); once per version of a body, not per read.',
    labelNames: ['view', 'coding'] as const,
    registers: [registry],
  });
  const { webmentionQueueDepth, outboxDepth, sendQueueDepth } = sources;
  if (sendQueueDepth) {
    new Gauge({
      name: 'backtalk_send_queue_depth',
      help: 'Posts to read and links to ping whose attempt is due.',
      registers: [registry],
      async collect() {
        this.set(await sendQueueDepth());
      },
    });
  }
  if (webmentionQueueDepth) {
    new Gauge({
      name: 'backtalk_webmention_queue_depth',
      help: 'Webmentions waiting for verification whose attempt is due.',
      registers: [registry],
      async collect() {
        this.set(await webmentionQueueDepth());
      },
    });
  }
  if (outboxDepth) {
    new Gauge({
      name: 'backtalk_outbox_depth',
      help: 'Notifications waiting to be sent.',
      registers: [registry],
      async collect() {
        this.set(await outboxDepth());
      },
    });
  }

  return {
    registry,
    observeRequest(method, route, status, seconds) {
      const labels = { method, route, status: String(status) };
      requests.inc(labels);
      latency.observe(labels, seconds);
    },
    spamVerdict: (checker, verdict) => verdicts.inc({ checker, verdict }),
    linkback: (kind, outcome) => linkbacks.inc({ kind, outcome }),
    sent: (protocol, outcome) => sends.inc({ protocol, outcome }),
    adminAuthFailure: (outcome) => adminAuthFailures.inc({ outcome }),
    compressed: (view, coding) => compressions.inc({ view, coding }),
    render: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}
