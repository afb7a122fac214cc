/**
 * What a receiver's answer means for a queued send: done, refused for good, or worth another try.
 * Transient (retried with back-off): network errors, timeouts, 5xx, 408, 429 (honouring Retry-After).
 * Final: every other answer, including each protocol's own refusals (Webmention 400, Pingback faults,
 * TrackBack `<error>1</error>`): sending the same request again would get the same answer.
 */
import type { FetchOutcome } from '../fetch/fetch-page.js';

export type SendAnswer =
  | { kind: 'sent'; response: string }
  | { kind: 'refused'; response: string }
  | { kind: 'transient'; response: string; retryAfterMs?: number }
  /** A rate or concurrency budget of ours was spent: try again soon, without counting an attempt. */
  | { kind: 'later'; response: string };

/** Longest response text kept with a link (the receiver's message, for the owner to read). */
export const MAX_RESPONSE_TEXT = 500;

/** The answer for a fetch that produced no HTTP response, or undefined when it did. */
export function answerWithoutResponse(outcome: FetchOutcome): SendAnswer | undefined {
  if (outcome.kind === 'refused') {
    return outcome.cause === 'limit' ? { kind: 'later', response: outcome.reason } : { kind: 'refused', response: `not sent: ${outcome.reason}` };
  }
  if (outcome.kind === 'failed') {
    return outcome.temporary ? { kind: 'transient', response: outcome.reason } : { kind: 'refused', response: outcome.reason };
  }
  return undefined;
}

/** The transient answer for a 5xx, 408 or 429 response, or undefined for any other status. */
export function transientStatus(status: number, headers: Record<string, string>, now: Date, text: string): SendAnswer | undefined {
  if (status < 500 && status !== 408 && status !== 429) return undefined;
  const retryAfterMs = parseRetryAfter(headers['retry-after'], now);
  return { kind: 'transient', response: clip(`HTTP ${status}${text ? `: ${text}` : ''}`), ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
}

/** RFC 9110 §10.2.3: delay-seconds or an HTTP-date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/** Visible text of a short answer body, one line, clipped. */
export function clip(text: string): string {
  const line = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return line.length > MAX_RESPONSE_TEXT ? `${line.slice(0, MAX_RESPONSE_TEXT - 1)}…` : line;
}
