/**
 * Typed errors with a stable kebab-case code. They are rendered in one place per wire format:
 * JSON by http/middleware/error-handler.ts, TrackBack XML and XML-RPC faults by their adapters.
 */
import { ENGLISH, format, type MessageKey, type Strings } from '../i18n/index.js';

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
  | 'csrf-refused'
  | 'not-failed'
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

/** Values for a message's `{placeholders}`: numbers, or text quoted from the request. */
export type MessageParams = Readonly<Record<string, string | number>>;

/** A message key (i18n/en.ts `errors`), with its values when the text has placeholders. */
export type Message = MessageKey | { readonly key: MessageKey; readonly params: MessageParams };

/** A message with values, e.g. `msg('comment-too-long', { max: 10000 })`. */
export function msg(key: MessageKey, params: MessageParams): Message {
  return { key, params };
}

/**
 * An error keeps its code and its message key with values; the text is rendered in the reader's
 * language where the error is rendered (http/middleware/error-handler.ts, the protocol adapters).
 * `message` holds the English text, for logs and for code that has no reader to speak to.
 */
export class AppError extends Error {
  readonly messageKey: MessageKey;
  readonly params: MessageParams;

  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message: Message,
    /** The request field the error is about, when there is one (contract: `error.field`). */
    readonly field?: string,
  ) {
    const key = typeof message === 'string' ? message : message.key;
    const params = typeof message === 'string' ? {} : message.params;
    super(format(ENGLISH.errors[key], params));
    this.name = new.target.name;
    this.messageKey = key;
    this.params = params;
  }

  /** The message in the given language (English when the language lacks it, which the i18n test forbids). */
  messageIn(strings: Strings): string {
    return format(strings.errors[this.messageKey] ?? ENGLISH.errors[this.messageKey], this.params);
  }
}

export class ValidationError extends AppError {
  constructor(code: ErrorCode, message: Message, field?: string) {
    super(code, 400, message, field);
  }
}

export class ForbiddenError extends AppError {
  constructor(code: ErrorCode, message: Message, field?: string) {
    super(code, 403, message, field);
  }
}

export class NotFoundError extends AppError {
  constructor(message: Message = 'not-found') {
    super('not-found', 404, message);
  }
}

export class ConflictError extends AppError {
  constructor(code: ErrorCode, message: Message) {
    super(code, 409, message);
  }
}

export class UnauthorizedError extends AppError {
  constructor() {
    super('unauthorized', 401, 'unauthorized');
  }
}

export class RateLimitedError extends AppError {
  constructor(readonly retryAfterSeconds: number, message: Message = msg('rate-limited', { seconds: retryAfterSeconds })) {
    super('rate-limited', 429, message);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(limitBytes: number) {
    super('payload-too-large', 413, msg('payload-too-large', { kib: Math.round(limitBytes / 1024) }));
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
    message: Message,
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
  constructor(message: Message, readonly retryAfterSeconds = 5) {
    super('busy', 503, message);
  }
}

/**
 * The database is briefly unavailable: SQLite's write lock held past busy_timeout (an import or a
 * backup in another process), or PostgreSQL refusing for load.
 */
export class StoreBusyError extends BusyError {
  constructor() {
    super('busy');
  }
}

/**
 * The disk under the database is full (SQLite SQLITE_FULL, PostgreSQL class 53100 disk_full). Nothing
 * was stored and reads still work; like a busy database it is a 503 with Retry-After in each door's
 * own format, with a longer wait, since space comes back only when the owner frees some.
 */
export class StoreFullError extends BusyError {
  constructor() {
    super('store-full', 300);
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
