/**
 * Typed errors with a stable kebab-case code. They are rendered in one place per wire format:
 * JSON by http/middleware/error-handler.ts, TrackBack XML and XML-RPC faults by their adapters.
 */
export type ErrorCode =
  | 'invalid-body'
  | 'invalid-json'
  | 'missing-field'
  | 'field-too-long'
  | 'invalid-url'
  | 'invalid-target'
  | 'target-too-long'
  | 'target-not-allowed'
  | 'invalid-parent'
  | 'invalid-charset'
  | 'unsupported-media-type'
  | 'payload-too-large'
  | 'duplicate'
  | 'rate-limited'
  | 'forbidden'
  | 'edit-window-closed'
  | 'unauthorized'
  | 'not-found'
  | 'closed'
  | 'source-unreachable'
  | 'source-missing-link'
  | 'upstream-error'
  | 'same-source-and-target'
  | 'method-not-allowed'
  | 'busy'
  | 'sending-off'
  | 'source-not-allowed'
  | 'internal-error';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message: string,
    /** The request field the error is about, when there is one (contract: `error.field`). */
    readonly field?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(code: ErrorCode, message: string, field?: string) {
    super(code, 400, message, field);
  }
}

export class ForbiddenError extends AppError {
  constructor(code: ErrorCode, message: string, field?: string) {
    super(code, 403, message, field);
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'Not found.') {
    super('not-found', 404, message);
  }
}

export class ConflictError extends AppError {
  constructor(code: ErrorCode, message: string) {
    super(code, 409, message);
  }
}

export class UnauthorizedError extends AppError {
  constructor() {
    super('unauthorized', 401, 'A valid admin token is required.');
  }
}

export class RateLimitedError extends AppError {
  constructor(readonly retryAfterSeconds: number, message = `Too many submissions; try again in ${retryAfterSeconds} s.`) {
    super('rate-limited', 429, message);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(limitBytes: number) {
    super('payload-too-large', 413, `The request body is larger than ${Math.round(limitBytes / 1024)} KiB.`);
  }
}

/**
 * A linkback refused because of what its source page did (not reachable, no link, gone). `detail`
 * says what happened in the sender's terms; `retry` is set when trying again later may succeed
 * (`backoff`: the source failed for now; `busy`: our own outbound limits said wait, the source was
 * never asked). The synchronous doors answer with the message; the Webmention queue retries.
 */
export class LinkbackSourceError extends AppError {
  constructor(
    code: 'source-unreachable' | 'source-missing-link' | 'upstream-error',
    message: string,
    readonly detail: string,
    readonly retry: 'backoff' | 'busy' | null = null,
  ) {
    super(code, code === 'upstream-error' ? 503 : 400, message);
  }
}

/**
 * The server cannot take the request now but will soon: nothing was done, and the client may simply
 * send again, so this is a 503 with Retry-After, not a 500.
 */
export class BusyError extends AppError {
  constructor(message: string, readonly retryAfterSeconds = 5) {
    super('busy', 503, message);
  }
}

/**
 * The database is briefly unavailable: SQLite's write lock held past busy_timeout (an import or a
 * backup in another process), or PostgreSQL refusing for load.
 */
export class StoreBusyError extends BusyError {
  constructor() {
    super('The database is busy; please try again in a few seconds.');
  }
}

/**
 * The disk under the database is full (SQLite SQLITE_FULL, PostgreSQL class 53100 disk_full). Nothing
 * was stored and reads still work; like a busy database it is a 503 with Retry-After in each door's
 * own format, with a longer wait, since space comes back only when the owner frees some.
 */
export class StoreFullError extends BusyError {
  constructor() {
    super('The server cannot store anything right now; please try again later.', 300);
  }
}

const BUSY_CODES = new Set([
  'SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_BUSY_TIMEOUT', 'SQLITE_LOCKED',
  '55P03', // lock_not_available
  '53300', // too_many_connections
  '57P03', // cannot_connect_now
]);

/** A StoreBusyError for a driver error that only means "try again", else undefined. */
export function storeBusy(err: unknown): StoreBusyError | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && BUSY_CODES.has(code) ? new StoreBusyError() : undefined;
}
