/**
 * What the notification tests share: a real SMTP server on 127.0.0.1 (smtp-server) that keeps what
 * it receives, a plain parser for nodemailer's output, a local webhook receiver, and a clock the
 * tests can move.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Clock } from '../../src/lib/clock.js';
import { useFixture } from '../helpers/fixtures.js';
import { POST, startTestServer, type TestServer } from '../helpers/test-server.js';

export const OWNER = 'owner@blog.example';

export interface ReceivedMail {
  from: string;
  to: string[];
  headers: Map<string, string>;
  subject: string;
  /** The text/plain part (the whole body of a single-part mail). */
  text: string;
  /** The text/html part of a multipart/alternative mail, if any. */
  html?: string;
  /** Content types of the parts, in order (empty for a single-part mail). */
  parts: string[];
  raw: string;
}

export interface SmtpSink {
  port: number;
  mails: ReceivedMail[];
  /** User names that logged in (AUTH PLAIN/LOGIN over the plain loopback connection). */
  logins: string[];
  /** Mails to one address, oldest first. */
  to(address: string): ReceivedMail[];
  stop(): Promise<void>;
  /** Listens again on the same port, keeping what was received. */
  restart(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const mails: ReceivedMail[] = [];
  const logins: string[] = [];
  let server: SMTPServer | undefined;
  let port = 0;
  const listen = async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      allowInsecureAuth: true,
      onAuth(auth, _session, callback) {
        logins.push(auth.username ?? '');
        callback(null, { user: auth.username });
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          mails.push({ ...parseMail(raw), from, to: session.envelope.rcptTo.map((r) => r.address), raw });
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(port, '127.0.0.1', () => resolve());
    });
    port = (server!.server.address() as AddressInfo).port;
  };
  await listen();
  return {
    get port() {
      return port;
    },
    mails,
    logins,
    to: (address) => mails.filter((m) => m.to.includes(address)),
    stop: () => new Promise<void>((resolve) => server!.close(() => resolve())),
    restart: listen,
  };
}

/**
 * Headers (unfolded, lower-case names) and the decoded text of a message: its body when single-part,
 * its text/plain and text/html parts when multipart (as nodemailer writes multipart/alternative).
 */
export function parseMail(raw: string): Pick<ReceivedMail, 'headers' | 'subject' | 'text' | 'html' | 'parts'> {
  const { headers, body } = splitEntity(raw);
  const boundary = /^multipart\/[^;]+;.*boundary="?([^";]+)"?/i.exec(headers.get('content-type') ?? '')?.[1];
  const subject = decodeWords(headers.get('subject') ?? '');
  if (!boundary) return { headers, subject, text: decodeBody(headers, body), parts: [] };
  const parts = body.split(`--${boundary}`).slice(1).filter((p) => !p.startsWith('--')).map((p) => splitEntity(p.replace(/^\r\n/, '').replace(/\r\n$/, '')));
  const typeOf = (h: Map<string, string>) => (h.get('content-type') ?? 'text/plain').split(';')[0]!.trim().toLowerCase();
  const plain = parts.find((p) => typeOf(p.headers) === 'text/plain');
  const html = parts.find((p) => typeOf(p.headers) === 'text/html');
  return {
    headers, subject, parts: parts.map((p) => typeOf(p.headers)),
    text: plain ? decodeBody(plain.headers, plain.body) : '',
    ...(html ? { html: decodeBody(html.headers, html.body) } : {}),
  };
}

function splitEntity(raw: string): { headers: Map<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function decodeBody(headers: Map<string, string>, body: string): string {
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  let text: string;
  if (encoding === 'quoted-printable') text = decodeQuotedPrintable(body);
  else if (encoding === 'base64') text = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  else text = body;
  return text.replace(/\r\n/g, '\n');
}

function decodeQuotedPrintable(body: string): string {
  const joined = body.replace(/=\r\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const ch = joined[i]!;
    if (ch === '=' && /^[0-9A-F]{2}$/i.test(joined.slice(i + 1, i + 3))) {
      bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(ch, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** RFC 2047 encoded words, enough for nodemailer's subjects. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_m, enc: string, data: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : decodeQuotedPrintable(data.replace(/_/g, ' ').replace(/=\r\n/g, '')),
    );
}

/** Every http(s) URL in a mail's text. */
export function linksIn(text: string): string[] {
  return [...text.matchAll(/https?:\/\/[^\s<>]+/g)].map((m) => m[0]);
}

/** The URL after `label: ` in a mail's text. */
export function linkAfter(text: string, label: string): string {
  const line = text.split('\n').find((l) => l.startsWith(`${label}: `));
  if (!line) throw new Error(`no "${label}" line in:\n${text}`);
  return line.slice(label.length + 2).trim();
}

import { movableClock, type MovableClock } from '../helpers/clock.js';
export { movableClock, type MovableClock };

export interface WebhookCall {
  headers: IncomingMessage['headers'];
  body: string;
}

export interface WebhookReceiver {
  url: string;
  calls: WebhookCall[];
  /** While true the receiver answers 503 (and records nothing). */
  failing: boolean;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const calls: WebhookCall[] = [];
  const receiver: WebhookReceiver = { url: '', calls, failing: false, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (receiver.failing) {
        res.writeHead(503).end();
        return;
      }
      calls.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  receiver.close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return receiver;
}

export interface MailSetup {
  app: TestServer;
  smtp: SmtpSink;
  clock: MovableClock;
  /** Lets queued notifications reach the outbox, then delivers everything due. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export async function startWithMail(env: Record<string, string> = {}): Promise<MailSetup> {
  const smtp = await startSmtpSink();
  const clock = movableClock();
  const app = await startTestServer({
    BACKTALK_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    BACKTALK_NOTIFY_EMAIL: OWNER,
    BACKTALK_MAIL_FROM: 'Backtalk <backtalk@blog.example>',
    ...env,
  }, { clock });
  return {
    app,
    smtp,
    clock,
    async flush() {
      await app.deps.notifier.drain();
      await app.deps.outbox.drain();
    },
    async close() {
      await app.close();
      await smtp.stop();
    },
  };
}

/** startWithMail() for the tests of the current suite: started before them, closed after them. */
export function useMailSetup(env: Record<string, string> = {}): MailSetup {
  return useFixture('the mail setup', () => startWithMail(env), (setup) => setup.close());
}

export async function postComment(app: TestServer, fields: Record<string, unknown>): Promise<{ id: number; status: string }> {
  const res = await app.postJson('/comments', { target: POST, author: 'Ann', body: `Hello ${Math.random()}`, ...fields });
  if (res.status !== 201) throw new Error(`comment refused: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: number; status: string };
}
