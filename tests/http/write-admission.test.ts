/**
 * Readers first while writers flood (src/http/write-admission.ts): when many comment bodies and a
 * reader's GET arrive together, at most `writesPerTurn` comment pipelines start before the reader
 * is answered, never more than that between two check phases of the event loop, and the waiting
 * ones start in the order they arrived. No timing: the order of events in one process.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createRequestListener } from '../../src/app.js';
import { DEFAULT_WRITES_PER_TURN_WITH_READERS } from '../../src/http/write-admission.js';
import type { Pipeline } from '../../src/pipeline/receive.js';
import { POST, startTestServer, type TestServer } from '../helpers/test-server.js';

const WRITERS = 16;
const PER_TURN = 4;

type Event = { kind: 'start'; n: number } | { kind: 'arrived'; n: number } | { kind: 'read arrived' } | { kind: 'read answered' } | { kind: 'check' };

async function serve(app: TestServer, writesPerTurn: number, withReaders: number, events: Event[]): Promise<{ server: Server; port: number; accepted: () => number }> {
  const pipeline: Pipeline = {
    ...app.deps.pipeline,
    admit: (submission) => {
      if (submission.kind === 'comment') events.push({ kind: 'start', n: Number(/#(\d+)/.exec(submission.body)![1]) });
      return app.deps.pipeline.admit(submission);
    },
  };
  const listener = createRequestListener({ ...app.deps, pipeline }, { writesPerTurn, writesPerTurnWithReaders: withReaders });
  const server = createServer((req, res) => {
    if (req.method === 'POST') events.push({ kind: 'arrived', n: Number(req.headers['x-n']) });
    else {
      events.push({ kind: 'read arrived' });
      const end = res.end.bind(res) as (...args: unknown[]) => typeof res;
      res.end = ((...args: unknown[]) => {
        events.push({ kind: 'read answered' });
        return end(...args);
      }) as typeof res.end;
    }
    listener(req, res);
  });
  let accepted = 0;
  server.on('connection', () => (accepted += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, accepted: () => accepted };
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** The whole answer on a `Connection: close` request. */
function answerOf(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString()));
    socket.on('close', () => resolve(text));
  });
}

/** Sixteen comment posts, then a reader's GET (or the GET first), all written in one turn; the events the server saw. */
let floods = 0;
async function flood(app: TestServer, writesPerTurn: number, readerFirst = false, withReaders = Math.min(writesPerTurn, DEFAULT_WRITES_PER_TURN_WITH_READERS)): Promise<{ events: Event[]; answers: string[] }> {
  const events: Event[] = [];
  // Each flood's comments differ from the last one's (the same words twice are a duplicate).
  const run = ++floods;
  const { server, port, accepted } = await serve(app, writesPerTurn, withReaders, events);
  const threadPath = `/api/comments?target=${encodeURIComponent(POST)}`;
  // The thread's body in the cache: the reader is answered by the read lane, in the turn it arrives.
  await (await fetch(`http://127.0.0.1:${port}${threadPath}`)).text();
  events.length = 0;
  const already = accepted();
  const sockets = await Promise.all(Array.from({ length: WRITERS + 1 }, () => open(port)));
  const answers = sockets.map(answerOf);
  // The server accepts one connection per loop turn: all of them first, as a server's keep-alive
  // connections are, so the requests written next are all readable in one poll phase.
  while (accepted() < already + WRITERS + 1) await new Promise((resolve) => setImmediate(resolve));
  // Marks each check phase: started before any POST, so it runs ahead of the admission's own callback.
  let marking = true;
  const mark = () => {
    events.push({ kind: 'check' });
    if (marking) setImmediate(mark);
  };
  setImmediate(mark);
  const read = () => sockets[WRITERS]!.write(`GET ${threadPath} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  if (readerFirst) read();
  for (let n = 0; n < WRITERS; n++) {
    const body = new URLSearchParams({ target: POST, author: 'Flood', body: `Flooding comment #${n}, flood ${run}` }).toString();
    sockets[n]!.write(`POST /comments HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-N: ${n}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  }
  if (!readerFirst) read();
  const texts = await Promise.all(answers);
  marking = false;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return { events, answers: texts };
}

describe('write admission', () => {
  let app: TestServer;
  before(async () => (app = await startTestServer()));
  after(async () => app.close());

  it(`starts at most ${PER_TURN} comment pipelines before a reader who arrived with ${WRITERS} writers is answered`, async () => {
    const { events, answers } = await flood(app, PER_TURN);
    for (const text of answers.slice(0, WRITERS)) assert.match(text, /^HTTP\/1\.1 303 /, 'every comment is stored');
    assert.match(answers[WRITERS]!, /^HTTP\/1\.1 200 /);

    const starts = events.filter((e) => e.kind === 'start');
    assert.equal(starts.length, WRITERS);
    const readAt = events.findIndex((e) => e.kind === 'read answered');
    const startedBefore = events.slice(0, readAt).filter((e) => e.kind === 'start').length;
    assert.ok(startedBefore <= PER_TURN, `${startedBefore} pipelines started before the reader was answered: ${describeEvents(events)}`);
    // All sixteen arrived before the reader was answered, so the rest did wait.
    assert.equal(events.slice(0, readAt).filter((e) => e.kind === 'arrived').length, WRITERS, describeEvents(events));

    // Between two check phases (one poll phase), never more than PER_TURN starts.
    let inTurn = 0;
    for (const e of events) {
      if (e.kind === 'check') inTurn = 0;
      else if (e.kind === 'start') assert.ok(++inTurn <= PER_TURN, describeEvents(events));
    }
    // First come, first started.
    const arrived = events.filter((e): e is { kind: 'arrived'; n: number } => e.kind === 'arrived').map((e) => e.n);
    assert.deepEqual(starts.map((e) => (e as { n: number }).n), arrived);
  });

  it(`while readers are answered, writers get ${DEFAULT_WRITES_PER_TURN_WITH_READERS} starts in that turn and the next, then ${PER_TURN} again`, async () => {
    const { events, answers } = await flood(app, PER_TURN, true);
    for (const text of answers.slice(0, WRITERS)) assert.match(text, /^HTTP\/1\.1 303 /, 'every comment is stored');
    // The starts of each poll phase (what lies between two check phases).
    const turns: Array<{ read: boolean; starts: number }> = [{ read: false, starts: 0 }];
    for (const e of events) {
      if (e.kind === 'check') turns.push({ read: false, starts: 0 });
      else if (e.kind === 'read arrived') turns.at(-1)!.read = true;
      else if (e.kind === 'start') turns.at(-1)!.starts += 1;
    }
    const readTurn = turns.findIndex((t) => t.read);
    assert.ok(readTurn >= 0, describeEvents(events));
    for (const t of turns.slice(readTurn, readTurn + 2)) {
      assert.ok(t.starts <= DEFAULT_WRITES_PER_TURN_WITH_READERS, `${t.starts} starts while a reader was answered: ${describeEvents(events)}`);
    }
    assert.ok(turns.slice(readTurn + 2).some((t) => t.starts > DEFAULT_WRITES_PER_TURN_WITH_READERS),
      `with the reader gone, the turns start ${PER_TURN} again: ${describeEvents(events)}`);
    assert.equal(turns.reduce((n, t) => n + t.starts, 0), WRITERS);
  });

  it('without it (a limit nobody reaches) the same reader waits behind every writer: what the test above guards against', async () => {
    const { events } = await flood(app, 1_000, false, 1_000);
    const readAt = events.findIndex((e) => e.kind === 'read answered');
    assert.equal(events.slice(0, readAt).filter((e) => e.kind === 'start').length, WRITERS, describeEvents(events));
  });
});

function describeEvents(events: Event[]): string {
  return events.map((e) => (e.kind === 'start' ? `s${e.n}` : e.kind === 'arrived' ? `a${e.n}` : e.kind === 'check' ? '|' : e.kind === 'read arrived' ? 'GET' : 'READ')).join(' ');
}
