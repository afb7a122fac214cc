/**
 * The outbox under failure: an SMTP outage or a webhook receiver that is down loses nothing and
 * sends nothing twice; a new process on the same database delivers what the old one left; an item
 * that keeps failing ends as `failed` after the bounded number of tries.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { loadConfig, resolveRuntimeConfig } from '../../src/config.js';
import { createLogger } from '../../src/lib/logger.js';
import { openStore } from '../../src/store/open-store.js';
import { createDeps } from '../../src/wiring.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { until } from '../helpers/wait.js';
import { movableClock, OWNER, postComment, startWebhookReceiver, useMailSetup, type WebhookReceiver } from './support.js';

const MINUTE = 60_000;

describe('mail through an SMTP outage', () => {
  const setup = useMailSetup();

  test('SMTP down: the request still succeeds and the mail waits; SMTP back: delivered once', async () => {
    await setup.smtp.stop();
    const c = await postComment(setup.app, { body: 'during the outage' });
    assert.equal(c.status, 'approved');
    // The request did not wait for SMTP: it answered before any delivery was even tried.
    const [queued] = await setup.app.deps.store.outbox.listByStatus('pending', 10);
    assert.ok(queued, 'the mail waits in the outbox');
    assert.equal(queued.attempts, 0, 'no delivery was tried on the request path');
    await setup.flush();
    const [pending] = await setup.app.deps.store.outbox.listByStatus('pending', 10);
    assert.ok(pending, 'the mail is still in the outbox');
    assert.equal(pending.attempts, 1);
    assert.match(pending.lastError ?? '', /ECONNREFUSED|connect/i);
    assert.ok(pending.nextAttemptAt.getTime() > setup.clock.now().getTime(), 'retry scheduled later (back-off)');

    // Still down at the first retry: the second wait is longer (exponential back-off).
    setup.clock.advance(pending.nextAttemptAt.getTime() - setup.clock.now().getTime() + 1000);
    await setup.flush();
    const second = (await setup.app.deps.store.outbox.findById(pending.id))!;
    assert.equal(second.attempts, 2);
    const firstWait = pending.nextAttemptAt.getTime() - pending.created.getTime();
    assert.ok(second.nextAttemptAt.getTime() - setup.clock.now().getTime() > firstWait, 'the wait grew');

    await setup.smtp.restart();
    setup.clock.advance(10 * MINUTE);
    await setup.flush();
    const mails = setup.smtp.to(OWNER);
    assert.equal(mails.length, 1);
    assert.match(mails[0]!.text, /during the outage/);
    assert.equal((await setup.app.deps.store.outbox.findById(pending.id))!.status, 'sent');

    setup.clock.advance(24 * 60 * MINUTE);
    await setup.flush();
    assert.equal(setup.smtp.to(OWNER).length, 1, 'no duplicate later');
  });

  test('a new process on the same database delivers what the old one left, including a claimed item whose lease ran out', async () => {
    await setup.smtp.stop();
    await postComment(setup.app, { body: 'left behind' });
    await setup.flush();
    await postComment(setup.app, { body: 'claimed then crashed' });
    await setup.app.deps.notifier.drain();
    // The "old process" leases the second item and dies before sending it.
    const claimed = await setup.app.deps.store.outbox.claimDue(setup.clock.now(), 10, 120_000);
    assert.equal(claimed.length, 1);
    await setup.smtp.restart();

    const clock = movableClock();
    clock.advance(setup.clock.now().getTime() - Date.now() + 10 * MINUTE);
    const config = loadConfig({
      BACKTALK_PORT: '0', BACKTALK_DB: setup.app.dbPath, BACKTALK_SITES: 'http://blog.example', BACKTALK_ADMIN_TOKEN: 'test-admin-token-0123456789',
      BACKTALK_LOG_LEVEL: 'silent', BACKTALK_SMTP_URL: `smtp://127.0.0.1:${setup.smtp.port}`, BACKTALK_NOTIFY_EMAIL: OWNER,
    });
    // Whatever backend the test server uses (SQLite file, or PostgreSQL under tests/multi).
    const store = await openStore(setup.app.dbPath);
    try {
      const deps = await createDeps(resolveRuntimeConfig(config, 9), store, createLogger('silent'), { clock });
      const before = setup.smtp.to(OWNER).length;
      await deps.outbox.drain();
      const texts = setup.smtp.to(OWNER).slice(before).map((m) => m.text);
      assert.equal(texts.length, 2);
      assert.ok(texts.some((t) => t.includes('left behind')));
      assert.ok(texts.some((t) => t.includes('claimed then crashed')));
      assert.equal(await store.outbox.countDue(clock.now()), 0);
    } finally {
      await store.close();
    }
  });
});

describe('a relay that accepts connections and never answers', () => {
  // Checked by order, not by time: the relay holds the worker's connection open, and every request
  // must be answered while that connection is still held. A request that waited on the relay could
  // only finish once the SMTP client gave up (greeting timeout, 10 s), which closes the connection.
  test('requests are not held up while the running worker waits on it, and nothing is lost', { timeout: 60_000 }, async () => {
    const sockets = new Set<Socket>();
    let closedByWorker = 0;
    let releasing = false;
    const blackHole = createTcpServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        if (!releasing) closedByWorker += 1;
      });
    });
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const clock = movableClock();
    const app = await startTestServer({
      BACKTALK_SMTP_URL: `smtp://127.0.0.1:${(blackHole.address() as AddressInfo).port}`, BACKTALK_NOTIFY_EMAIL: OWNER,
    }, { clock });
    app.deps.outbox.start();
    try {
      await postComment(app, { body: 'into the void 0' });
      await app.deps.notifier.drain();
      await until(() => sockets.size >= 1);
      for (let i = 1; i < 5; i++) {
        const c = await postComment(app, { body: `into the void ${i}` });
        assert.equal(c.status, 'approved');
        await app.deps.notifier.drain();
      }
      assert.equal(closedByWorker, 0, 'every request was answered while the worker was still held by the relay');
      releasing = true;
      for (const s of sockets) s.destroy();
      await app.deps.outbox.stop();
      const pending = await app.deps.store.outbox.listByStatus('pending', 10);
      assert.equal(pending.length, 5, 'every mail is still queued');
    } finally {
      releasing = true;
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => blackHole.close(() => resolve()));
      await app.close();
    }
  });
});

describe('webhook', () => {
  let app: TestServer;
  let receiver: WebhookReceiver;
  const secret = 'webhook-secret-0123456789';
  const clock = movableClock();
  before(async () => {
    receiver = await startWebhookReceiver();
    app = await startTestServer({ BACKTALK_WEBHOOK_URL: receiver.url, BACKTALK_WEBHOOK_SECRET: secret, BACKTALK_MODERATION: 'all' }, { clock });
  });
  after(async () => {
    await app.close();
    await receiver.close();
  });

  const flush = async () => {
    await app.deps.notifier.drain();
    await app.deps.outbox.drain();
  };

  test('receiver down then up: delivered exactly once, signed, with the public shape plus status and target', async () => {
    receiver.failing = true;
    const c = await postComment(app, { author: 'Ann', email: 'secret@example.org', body: 'hook me' });
    await flush();
    assert.equal(receiver.calls.length, 0);
    const [waiting] = await app.deps.store.outbox.listByStatus('pending', 5);
    assert.match(waiting?.lastError ?? '', /HTTP 503/);

    receiver.failing = false;
    clock.advance(5 * MINUTE);
    await flush();
    assert.equal(receiver.calls.length, 1);
    const call = receiver.calls[0]!;
    const timestamp = String(call.headers['x-backtalk-timestamp']);
    const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${call.body}`).digest('hex')}`;
    assert.equal(call.headers['x-backtalk-signature'], expected);
    assert.ok(Math.abs(Number(timestamp) - clock.now().getTime() / 1000) < 5);
    assert.equal(call.headers['x-backtalk-event'], 'comment.created');
    const body = JSON.parse(call.body) as { event: string; status: string; target: string; comment: Record<string, unknown> };
    assert.equal(body.event, 'comment.created');
    assert.equal(body.status, 'pending');
    assert.equal(body.target, 'http://blog.example/2026/11/hello/');
    assert.equal(body.comment.id, c.id);
    assert.equal(body.comment.author, 'Ann');
    assert.match(String(body.comment.body_html), /hook me/);
    assert.ok(!call.body.includes('secret@example.org'), 'the e-mail address is not sent');

    clock.advance(24 * 60 * MINUTE);
    await flush();
    assert.equal(receiver.calls.length, 1, 'no second delivery');
  });

  test('a receiver that never recovers: the item ends as failed after the bounded tries', async () => {
    receiver.failing = true;
    await postComment(app, { body: 'doomed' });
    await flush();
    for (let i = 0; i < 20; i++) {
      clock.advance(5 * 60 * MINUTE);
      await flush();
    }
    const [failed] = await app.deps.store.outbox.listByStatus('failed', 5);
    assert.ok(failed, 'marked failed');
    assert.equal(failed.attempts, 16);
    assert.match(failed.lastError ?? '', /HTTP 503/);
    receiver.failing = false;

    // The owner sees it in the admin API; without the token, nothing.
    const listed = await app.admin('/api/admin/outbox?status=failed');
    assert.equal(listed.status, 200);
    const { items } = (await listed.json()) as { items: Array<{ id: number; channel: string; attempts: number; last_error: string; event: string }> };
    assert.deepEqual(items.map((i) => [i.id, i.channel, i.attempts, i.event]), [[failed.id, 'webhook', 16, 'comment.created']]);
    assert.match(items[0]!.last_error, /HTTP 503/);
    assert.equal((await app.request('/api/admin/outbox?status=failed')).status, 401);
  });
});
