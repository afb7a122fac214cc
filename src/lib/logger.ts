import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON-lines logger; one per process, children per request or component. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return destination ? pino({ level, base: undefined }, destination) : pino({ level, base: undefined });
}
