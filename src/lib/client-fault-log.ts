/**
 * Log lines a client can cause at will (a malformed XML-RPC call, an unreadable body): at `warn`,
 * without stack traces (the stack is ours and says nothing about the client's mistake), and at most
 * `perMinute` of them a minute. What is over the budget is only counted, and the count goes out with
 * the next line that gets through, so a flood of bad requests costs a few lines a minute, not one per
 * request, and the owner still learns how big it was.
 */
import type { Logger } from './logger.js';

export type ClientFaultLog = (fields: Record<string, unknown>, msg: string) => void;

export function createClientFaultLog(logger: Logger, perMinute = 10, now: () => number = Date.now): ClientFaultLog {
  let windowStart = -Infinity;
  let written = 0;
  let suppressed = 0;
  return (fields, msg) => {
    const t = now();
    if (t - windowStart >= 60_000) {
      windowStart = t;
      written = 0;
    }
    if (written >= perMinute) {
      suppressed++;
      return;
    }
    written++;
    logger.warn(suppressed > 0 ? { ...fields, suppressed } : fields, msg);
    suppressed = 0;
  };
}
