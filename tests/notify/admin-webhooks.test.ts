/**
 * Issue 17, point 6: the owner's moderation can fire the webhook (BACKTALK_WEBHOOK_EVENTS), received
 * by a local server, and a delivery that failed for good can be retried from the admin API.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test, type TestContext } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { movableClock, postComment, startWebhookReceiver, type WebhookReceiver } from './support.js';

const SECRET = 'webhook-secret-0123456789';

async function start(t: TestContext, env: Record<string, string>): Promise<{ app: TestServer; receiver: WebhookReceiver; flush(): Promise<void>; clock: ReturnType<typeof movableClock> }> {
  const receiver = await startWebhookReceiver();
  const clock = movableClock();
  const app = await startTestServer({ BACKTALK_WEBHOOK_URL: receiver.url, BACKTALK_WEBHOOK_SECRET: SECRET, BACKTALK_MODERATION: 'all', ...env }, {
    clock, outboxTuning: { maxAttempts: 2, baseDelayMs: 1000, maxDelayMs: 1000, pollMs: 60_000 },
  });
  t.after(async () => {
    await app.close();
    await receiver.close();
  });
  const flush = async () => {
    await app.deps.notifier.drain();
    await app.deps.outbox.drain();
  };
  return { app, receiver, flush, clock };
}

const moderate = (app: TestServer, id: number, action: string) =>
  app.admin(`/api/admin/comments/${id}`, { method: 'POST', body: JSON.stringify({ action }) });

type Payload = { event: string; id?: number; from?: string; status?: string; target?: string; comment?: Record<string, unknown> };
const bodies = (r: WebhookReceiver) => r.calls.map((c) => JSON.parse(c.body) as Payload);

describe('moderation webhooks', () => {
  test('approve, spam, trash and delete each send a signed call; spam and trash without the content', async (t) => {
    const { app, receiver, flush } = await start(t, { BACKTALK_WEBHOOK_EVENTS: 'created,status,deleted' });
    const a = await postComment(app, { author: 'Ann', body: 'approve me' });
    const b = await postComment(app, { author: 'Bob', body: 'buy cheap pills' });
    await flush();
    assert.deepEqual(bodies(receiver).map((p) => p.event), ['comment.created', 'comment.created']);

    assert.equal((await moderate(app, a.id, 'approve')).status, 200);
    assert.equal((await moderate(app, b.id, 'spam')).status, 200);
    assert.equal((await moderate(app, a.id, 'trash')).status, 200);
    assert.equal((await moderate(app, b.id, 'delete')).status, 200);
    // No change, no call.
    assert.equal((await moderate(app, a.id, 'trash')).status, 200);
    await flush();

    const calls = bodies(receiver).slice(2);
    assert.deepEqual(calls.map((p) => [p.event, p.id, p.from, p.status]), [
      ['comment.status-changed', a.id, 'pending', 'approved'],
      ['comment.status-changed', b.id, 'pending', 'spam'],
      ['comment.status-changed', a.id, 'approved', 'trash'],
      ['comment.deleted', b.id, 'spam', undefined],
    ]);
    assert.match(String(calls[0]!.comment?.body_html), /approve me/, 'an approval carries the comment');
    assert.equal(calls[0]!.target, 'http://blog.example/2026/11/hello/');
    for (const p of calls.slice(1)) assert.equal(p.comment, undefined, `${p.event} ${p.status}: no content relayed`);
    assert.ok(!receiver.calls.slice(2).some((c) => c.body.includes('cheap pills')), 'spam is never relayed');
    for (const call of receiver.calls) {
      const timestamp = String(call.headers['x-backtalk-timestamp']);
      assert.equal(call.headers['x-backtalk-signature'], `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${call.body}`).digest('hex')}`);
    }
    assert.equal(receiver.calls[2]!.headers['x-backtalk-event'], 'comment.status-changed');
  });

  test('an author deleting their own comment fires comment.deleted too', async (t) => {
    const { app, receiver, flush } = await start(t, { BACKTALK_WEBHOOK_EVENTS: 'deleted', BACKTALK_MODERATION: 'auto' });
    const res = await app.postJson('/comments', { target: 'http://blog.example/2026/11/hello/', author: 'Ann', body: 'I will take this back.' });
    assert.equal(res.status, 201);
    const { id, edit_token: token } = (await res.json()) as { id: number; edit_token: string };
    const del = await app.request(`/api/comments/${id}`, { method: 'DELETE', headers: { 'x-edit-token': token } });
    assert.ok(del.status === 200 || del.status === 204, `deleted: ${del.status}`);
    await flush();
    assert.deepEqual(bodies(receiver).map((p) => [p.event, p.id, p.from]), [['comment.deleted', id, 'approved']]);
  });

  test('by default (BACKTALK_WEBHOOK_EVENTS unset) only new items are sent, as before', async (t) => {
    const { app, receiver, flush } = await start(t, {});
    const a = await postComment(app, { body: 'x' });
    await moderate(app, a.id, 'approve');
    await moderate(app, a.id, 'delete');
    await flush();
    assert.deepEqual(bodies(receiver).map((p) => p.event), ['comment.created']);
  });

  test('a bad event name stops the start with a line naming the variable', async () => {
    await assert.rejects(startTestServer({ BACKTALK_WEBHOOK_EVENTS: 'created,approved' }), /BACKTALK_WEBHOOK_EVENTS: .*"approved"/);
  });
});

describe('retrying failed deliveries', () => {
  test('a delivery that failed for good is retried from the admin API and delivered once', async (t) => {
    const { app, receiver, flush, clock } = await start(t, {});
    receiver.failing = true;
    await postComment(app, { body: 'the receiver is down' });
    await flush();
    clock.advance(5000);
    await flush();
    const [failed] = await app.deps.store.outbox.listByStatus('failed', 5);
    assert.ok(failed, 'failed after the bounded tries');
    assert.equal(receiver.calls.length, 0);

    // Not failed (yet) or unknown: refused, nothing changes.
    assert.equal((await app.admin('/api/admin/outbox/999999/retry', { method: 'POST' })).status, 404);
    assert.equal((await app.request(`/api/admin/outbox/${failed.id}/retry`, { method: 'POST' })).status, 401);

    receiver.failing = false;
    const res = await app.admin(`/api/admin/outbox/${failed.id}/retry`, { method: 'POST' });
    assert.equal(res.status, 200);
    const item = (await res.json()) as { id: number; status: string; attempts: number };
    assert.deepEqual([item.id, item.status, item.attempts], [failed.id, 'pending', 0]);
    await flush();
    assert.equal(receiver.calls.length, 1, 'delivered once the receiver is back');
    assert.equal((await app.deps.store.outbox.findById(failed.id))?.status, 'sent');

    const again = await app.admin(`/api/admin/outbox/${failed.id}/retry`, { method: 'POST' });
    assert.equal(again.status, 409, 'a sent delivery is not sent twice');
    assert.equal(((await again.json()) as { error: { code: string } }).error.code, 'not-failed');
    await flush();
    assert.equal(receiver.calls.length, 1);
  });
});
