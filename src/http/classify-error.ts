/**
 * The one place an error that is not already an AppError gets its meaning, for every door: the JSON
 * API and the comment form (middleware/error-handler.ts), TrackBack (trackback-routes.ts) and
 * XML-RPC (xmlrpc-routes.ts) each render the AppError returned here in their own wire format.
 * undefined means a bug: the door logs it once and answers its own "internal error".
 */
import { AppError, BusyError, PayloadTooLargeError, RateLimitedError, storeBusy, StoreFullError, ValidationError } from '../domain/errors.js';
import { WorkerBusyError, WorkerTimeoutError } from '../workers/worker-pool.js';

export function classifyError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  if (err instanceof WorkerBusyError) return new BusyError('server-busy');
  // A comment or preview whose Markdown takes longer than any real one could (source pages never get
  // here: verify-source turns their timeout into the linkback's refusal).
  if (err instanceof WorkerTimeoutError) {
    return new ValidationError('invalid-body', 'text-too-complex', 'body');
  }
  if (isDiskFull(err)) return new StoreFullError();
  return storeBusy(err) ?? fromBodyParser(err as { type?: string; limit?: number; status?: number });
}

/** SQLite's SQLITE_FULL, PostgreSQL's 53100 disk_full: nothing can be written until space is freed. */
function isDiskFull(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' || code === '53100';
}

/** Seconds to send in Retry-After with this error, if it has any. */
export function retryAfterSeconds(error: AppError): number | undefined {
  return error instanceof RateLimitedError || error instanceof BusyError ? error.retryAfterSeconds : undefined;
}

/**
 * Errors a client causes before our code runs, mapped to our codes: body-parser's carry a `type`;
 * the router's "Failed to decode param" (a path like `/api/comments/%ff`) is a URIError with status 400.
 */
export function fromBodyParser(err: { type?: string; limit?: number; status?: number } | null | undefined): AppError | undefined {
  if (err === null || err === undefined) return undefined;
  if (err instanceof URIError && err.status === 400) return new ValidationError('invalid-url', 'path-encoding-invalid');
  switch (err.type) {
    case 'entity.too.large':
      return new PayloadTooLargeError(err.limit ?? 65536);
    case 'entity.parse.failed':
      return new ValidationError('invalid-json', 'json-invalid');
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new AppError('unsupported-media-type', 415, 'encoding-unsupported');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
    case 'parameters.too.many':
      return new ValidationError('invalid-body', 'body-unreadable');
    default:
      // Any other client error body-parser raises (an http-error with a 4xx status): e.g. a
      // `Content-Encoding: gzip` body that does not inflate. Unmapped, it would have been a 500.
      if (typeof err.status === 'number' && err.status >= 400 && err.status < 500 && (err as { expose?: boolean }).expose) {
        return new AppError('invalid-body', err.status, 'body-unreadable');
      }
      return undefined;
  }
}
