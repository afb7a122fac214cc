/**
 * Transactional outbox under SIGKILL (issue 14, point 10): a stream of comment POSTs at the real
 * server process with a real local SMTP server as the relay; the process is SIGKILLed at a random
 * moment, a second process on the same database takes the rest. Every comment answered `201` must
 * have its owner notification delivered, as exactly one message: the mail row commits with the
 * comment, so no acknowledged comment can be left without one, and every attempt of one outbox row
 * carries the same Message-ID, so the one case SMTP cannot rule out (the relay accepted, the
 * process died before recording it) arrives as a repeat of the same message, not as a second one.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { startSmtpSink } from '../notify/support.js';
import { killedLoad, useKillHarness, postComment, type Outcome } from './support.js';

const TOTAL = 400;
const CONCURRENCY = 8;
const TARGET = 'http://blog.example/2026/12/outbox-kill/';
const OWNER = 'owner@blog.example';

const harness = useKillHarness();
const marker = (n: number) => `outbox-marker-${String(n).padStart(5, '0')}`;

const post = (base: string, n: number): Promise<Outcome> =>
  postComment(base, n, { target: TARGET, author: `Reader ${n}`, email: `r${n}@example.com`, body: `${marker(n)} says hello.` });

test('SIGKILL at a random moment under a stream of comments: every acknowledged comment gets its owner mail, as exactly one message', { timeout: 240_000 }, async (t) => {
  const smtp = await startSmtpSink();
  harness.onCleanup(() => smtp.stop());
  const dir = harness.tempDir('backtalk-outbox-kill-');
  const env = {
    BACKTALK_PORT: '0', BACKTALK_DB: join(dir, 'backtalk.db'), BACKTALK_SITES: 'http://blog.example',
    BACKTALK_RATE_LIMIT: '0', BACKTALK_ADMIN_TOKEN: 'kill-admin-token-0123456789', BACKTALK_LOG_LEVEL: 'silent',
    BACKTALK_MODERATION: 'auto', BACKTALK_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, BACKTALK_NOTIFY_EMAIL: OWNER,
  };
  const killAt = 20 + Math.floor(Math.random() * 200);
  t.diagnostic(`SIGKILL once ${killAt} comments were acknowledged`);
  const first = await harness.spawn(env, dir);
  const load = killedLoad({ total: TOTAL, concurrency: CONCURRENCY, killAtAcknowledged: killAt, send: post });
  const { acknowledged } = await load.untilKilled(first);
  assert.equal(first.child.signalCode, 'SIGKILL');
  const mailsAtKill = smtp.mails.length;

  const second = await harness.spawn(env, dir);
  await load.rest(second);
  const acked = load.outcomes.filter((o): o is Extract<Outcome, { kind: 'acknowledged' }> => o.kind === 'acknowledged');
  assert.ok(acked.length >= TOTAL - 2 * CONCURRENCY, `almost all answered 201 (${acked.length})`);

  // The restarted process delivers what the killed one left in the outbox (by order, not by a time bound:
  // the loop ends when every acknowledged comment has a mail, or the test's own timeout fails it).
  const markerOf = (text: string) => /outbox-marker-\d{5}/.exec(text)?.[0];
  for (;;) {
    const seen = new Set(smtp.to(OWNER).map((m) => markerOf(m.text)));
    if (acked.every((o) => seen.has(marker(o.n)))) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  second.child.kill('SIGTERM');
  assert.equal(await second.exited, 0);

  const byMarker = new Map<string, { ids: Set<string>; deliveries: number }>();
  for (const mail of smtp.to(OWNER)) {
    const m = markerOf(mail.text);
    assert.ok(m, 'every owner mail is about one of the comments sent');
    const entry = byMarker.get(m) ?? { ids: new Set<string>(), deliveries: 0 };
    entry.ids.add(mail.headers.get('message-id') ?? '');
    entry.deliveries += 1;
    byMarker.set(m, entry);
  }
  for (const o of acked) {
    const entry = byMarker.get(marker(o.n));
    assert.ok(entry, `${marker(o.n)} (comment ${o.id}) was notified`);
    assert.equal(entry.ids.size, 1, `${marker(o.n)}: one message, whatever the attempts`);
    assert.ok(mailIdOk([...entry.ids][0]!), 'the message has an id of its own');
  }
  for (const [m, entry] of byMarker) assert.equal(entry.ids.size, 1, `${m}: never two different messages`);
  const repeats = [...byMarker.values()].reduce((sum, e) => sum + e.deliveries - 1, 0);
  const cutOffNotified = load.outcomes.filter((o) => o.kind === 'cut-off' && byMarker.has(marker(o.n))).length;
  t.diagnostic(`${acknowledged} acknowledged before the kill (${mailsAtKill} mails delivered by then); ${acked.length} acknowledged in all, each with one message; ` +
    `${repeats} repeated deliveries of the same message; ${cutOffNotified} cut-off requests were committed and notified`);
});

function mailIdOk(id: string): boolean {
  return /^<outbox-\d+\.\d+@/.test(id);
}
