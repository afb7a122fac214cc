/**
 * A real HTTP server on 127.0.0.1 speaking Akismet's REST API (AK-SPEC `spec.yml`), so tests exercise
 * the patched `akismet-api` package over a socket. Point `BACKTALK_AKISMET_URL` (or
 * `createAkismet({ baseUrl })`) at `fake.url` and use `FAKE_AKISMET_KEY` as the key.
 *
 * Default answers, as the real service gives them:
 * - `POST /1.1/verify-key`: `valid` when `api_key` (or the legacy `key`) is the fake's key, else
 *   `invalid` with an `X-akismet-debug-help` header.
 * - `POST /1.1/comment-check`: with a wrong or missing `api_key`, `invalid` (+ debug help); otherwise
 *   `true` for Akismet's test triggers (author `viagra-test-123` or email
 *   `akismet-guaranteed-spam@example.com`), else `false`.
 * - `POST /1.1/submit-spam`, `/1.1/submit-ham`: `Thanks for making the web a better place.`
 * - Anything else: 404.
 *
 * `respondWith(path, …)` replaces the answer for every later request to that path (until called
 * again), e.g. a 500, `X-akismet-pro-tip: discard`, `hang: true` for a server that never answers, or
 * `until` for one that answers when the test says so.
 * Every request is recorded in `requests`, hanging ones included, in arrival order. `reset()` brings
 * back the default answers and empties `requests`, for a fake shared by several tests.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const FAKE_AKISMET_KEY = 'test-key';

export interface FakeAkismetRequest {
  /** Request path, e.g. `/1.1/comment-check`. */
  path: string;
  /** The urlencoded body, decoded. A repeated field keeps its last value. */
  form: Record<string, string>;
}

export interface FakeAkismetResponse {
  body: string;
  headers?: Record<string, string>;
  /** Defaults to 200. */
  status?: number;
  /** Never answer (the socket stays open until `close()`). */
  hang?: boolean;
  /** Answer only once this settles: a slow service the test releases itself. */
  until?: Promise<unknown>;
}

export interface FakeAkismet {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  requests: FakeAkismetRequest[];
  respondWith(path: string, response: FakeAkismetResponse): void;
  reset(): void;
  close(): Promise<void>;
}

const SPAM_AUTHOR = 'viagra-test-123';
const SPAM_EMAIL = 'akismet-guaranteed-spam@example.com';
const THANKS = 'Thanks for making the web a better place.';

/** Starts the fake on 127.0.0.1 and an ephemeral port. `key` is the one key it accepts. */
export async function startFakeAkismet(options: { key?: string } = {}): Promise<FakeAkismet> {
  const key = options.key ?? FAKE_AKISMET_KEY;
  const requests: FakeAkismetRequest[] = [];
  const overrides = new Map<string, FakeAkismetResponse>();

  const server = createServer((req, res) => {
    readForm(req).then(
      (form) => {
        const path = new URL(req.url ?? '/', 'http://fake').pathname;
        requests.push({ path, form });
        const answer = overrides.get(path) ?? defaultAnswer(path, form, key);
        if (answer.hang) return;
        if (answer.until) void answer.until.then(() => send(res, answer), () => send(res, answer));
        else send(res, answer);
      },
      () => send(res, { status: 400, body: 'bad request' }),
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respondWith(path, response) {
      overrides.set(path, response);
    },
    reset() {
      overrides.clear();
      requests.length = 0;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Hanging requests keep their sockets open; without this close() would wait for them.
        server.closeAllConnections();
      });
    },
  };
}

function defaultAnswer(path: string, form: Record<string, string>, key: string): FakeAkismetResponse {
  const keyOk = (form.api_key ?? form.key) === key;
  const invalid: FakeAkismetResponse = {
    body: 'invalid',
    headers: { 'X-akismet-debug-help': 'We were unable to verify your API key.' },
  };
  switch (path) {
    case '/1.1/verify-key':
      return keyOk ? { body: 'valid' } : invalid;
    case '/1.1/comment-check':
      if (!keyOk) return invalid;
      return { body: String(form.comment_author === SPAM_AUTHOR || form.comment_author_email === SPAM_EMAIL) };
    case '/1.1/submit-spam':
    case '/1.1/submit-ham':
      return { body: THANKS };
    default:
      return { status: 404, body: 'Not Found' };
  }
}

function send(res: ServerResponse, answer: FakeAkismetResponse): void {
  res.writeHead(answer.status ?? 200, { 'Content-Type': 'text/plain; charset=utf-8', ...answer.headers });
  res.end(answer.body);
}

async function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}
