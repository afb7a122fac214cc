/**
 * A blog on a loopback address whose pages a test sets: the "source" a TrackBack, Pingback or
 * Webmention points to. It records every request, counts TCP connections (SSRF tests check that a
 * refused fetch never connected) and, with a tracker, requests in flight across servers
 * (concurrency tests), and can answer late, when the test releases it, or never.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface SourcePage {
  status?: number;
  contentType?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Answer after this many milliseconds. */
  delayMs?: number;
  /** Accept the request and never answer. */
  hang?: boolean;
  /** Answer only once this settles (see `holdOpen`): a slow peer the test releases itself, so order, not time, decides. */
  until?: Promise<unknown>;
}

/** A latch for `SourcePage.until`: requests wait on `promise` until the test calls `release`. */
export function holdOpen(): { promise: Promise<void>; release: () => void } {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

export interface SeenRequest {
  path: string;
  headers: IncomingHttpHeaders;
}

/** Counts requests in flight across several source servers. */
export interface InFlightTracker {
  now: number;
  max: number;
}

export interface SourceServer {
  origin: string;
  port: number;
  /** Absolute URL of `path` on this server. */
  url(path: string): string;
  set(path: string, page: SourcePage): void;
  /** Every request, in order of arrival. */
  requests: SeenRequest[];
  /** Requests received for `path` (all paths when omitted). */
  hits(path?: string): number;
  connections(): number;
  /** Paths whose response has been sent, in order. */
  answered: string[];
  close(): Promise<void>;
}

const NOT_FOUND: SourcePage = { status: 404, contentType: 'text/plain', body: 'not found' };

export async function startSourceServer(host = '127.0.0.1', options: { port?: number; tracker?: InFlightTracker } = {}): Promise<SourceServer> {
  const { tracker } = options;
  const pages = new Map<string, SourcePage>();
  const requests: SeenRequest[] = [];
  const answered: string[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = req.url ?? '/';
    requests.push({ path, headers: req.headers });
    const page = pages.get(path) ?? NOT_FOUND;
    if (page.hang) return;
    if (tracker) {
      tracker.now += 1;
      tracker.max = Math.max(tracker.max, tracker.now);
    }
    const answer = (): void => {
      if (tracker) tracker.now -= 1;
      answered.push(path);
      res.writeHead(page.status ?? 200, { 'content-type': page.contentType ?? 'text/html; charset=utf-8', ...page.headers });
      res.end(page.body ?? '');
    };
    const afterDelay = (): void => {
      if (page.delayMs) setTimeout(answer, page.delayMs);
      else answer();
    };
    if (page.until) void page.until.then(afterDelay, afterDelay);
    else afterDelay();
  };

  const server: Server = createServer(handle);
  server.on('connection', (socket: Socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    origin,
    port,
    url: (path) => origin + path,
    set: (path, page) => void pages.set(path, page),
    requests,
    hits: (path) => (path === undefined ? requests.length : requests.filter((r) => r.path === path).length),
    connections: () => connections,
    answered,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
