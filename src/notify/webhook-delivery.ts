/**
 * Webhook delivery: one signed JSON POST. The URL is the owner's own setting, so it may be on a
 * private address and is called with plain fetch (not the linkback fetcher, whose SSRF guard would
 * refuse it), with a timeout and no redirects.
 *
 * Signature: `X-Backtalk-Signature: sha256=HEX(HMAC-SHA256(secret, TIMESTAMP + "." + BODY))` with
 * `X-Backtalk-Timestamp` in Unix seconds, so a receiver can refuse stale replays.
 */
import { createHmac } from 'node:crypto';
import type { Clock } from '../lib/clock.js';
import type { OutboxItem } from '../store/repository.js';

const TIMEOUT_MS = 10_000;

export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function createWebhookDelivery(options: { url: string; secret: string; clock: Clock; userAgent: string }) {
  return async function deliver(item: OutboxItem): Promise<void> {
    const body = JSON.stringify(item.payload);
    const timestamp = String(Math.floor(options.clock.now().getTime() / 1000));
    const res = await fetch(options.url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
      headers: {
        'content-type': 'application/json',
        'user-agent': options.userAgent,
        'x-backtalk-event': String(item.payload.event ?? ''),
        // Stable across retries, so a receiver can drop a repeat.
        'x-backtalk-delivery': String(item.id),
        'x-backtalk-timestamp': timestamp,
        'x-backtalk-signature': webhookSignature(options.secret, timestamp, body),
      },
      body,
    });
    await res.body?.cancel().catch(() => undefined);
    if (res.status < 200 || res.status > 299) throw new Error(`webhook answered HTTP ${res.status}`);
  };
}
