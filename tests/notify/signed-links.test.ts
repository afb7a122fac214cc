/** The link signer and the back-off schedule on their own: boundaries that the HTTP tests pass over. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ACTION_LINK_TTL_MS, createLinkSigner } from '../../src/mail/signed-links.js';
import { backoffMs } from '../../src/notify/outbox-worker.js';

const T0 = new Date(Date.UTC(2026, 10, 26, 12, 0, 0));

describe('signed action links', () => {
  const signer = createLinkSigner('secret-one');

  test('valid until the expiry instant, expired one millisecond after', () => {
    const token = signer.signAction(42, 'spam', T0);
    const atExpiry = signer.checkAction(token, new Date(T0.getTime() + ACTION_LINK_TTL_MS));
    assert.equal(atExpiry.kind, 'valid');
    assert.deepEqual(atExpiry.kind === 'valid' && [atExpiry.claim.commentId, atExpiry.claim.action], [42, 'spam']);
    assert.equal(signer.checkAction(token, new Date(T0.getTime() + ACTION_LINK_TTL_MS + 1)).kind, 'expired');
  });

  test('another secret, a changed action, or junk is invalid; each token has its own nonce', () => {
    const token = signer.signAction(7, 'delete', T0);
    assert.equal(createLinkSigner('secret-two').checkAction(token, T0).kind, 'invalid');
    const [body, sig] = token.split('.') as [string, string];
    const claim = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    const approve = Buffer.from(JSON.stringify({ ...claim, a: 'approve' })).toString('base64url');
    assert.equal(signer.checkAction(`${approve}.${sig}`, T0).kind, 'invalid');
    for (const junk of ['', '.', 'a.b', `${body}.`, `${body}.${sig}x`, `${body}.${sig}.${sig}`]) assert.equal(signer.checkAction(junk, T0).kind, 'invalid', junk);
    const again = signer.checkAction(signer.signAction(7, 'delete', T0), T0);
    const first = signer.checkAction(token, T0);
    assert.ok(again.kind === 'valid' && first.kind === 'valid' && again.claim.nonce !== first.claim.nonce);
  });

  test('unsubscribe tokens are bound to the subscription id and address', () => {
    const t = signer.unsubscribeToken(3, 'Ann@Example.org');
    assert.equal(signer.checkUnsubscribe(3, 'ann@example.org', t), true);
    assert.equal(signer.checkUnsubscribe(4, 'ann@example.org', t), false);
    assert.equal(signer.checkUnsubscribe(3, 'bob@example.org', t), false);
    assert.equal(signer.checkUnsubscribe(3, 'ann@example.org', ''), false);
  });
});

describe('outbox back-off', () => {
  test('doubles from the base and stops at the cap', () => {
    const base = 30_000;
    const cap = 4 * 3600_000;
    assert.deepEqual([1, 2, 3, 4].map((n) => backoffMs(n, base, cap)), [30_000, 60_000, 120_000, 240_000]);
    assert.equal(backoffMs(20, base, cap), cap);
    // The default 16 tries span more than a day: an SMTP outage of a day loses nothing.
    const total = Array.from({ length: 15 }, (_, i) => backoffMs(i + 1, base, cap)).reduce((a, b) => a + b, 0);
    assert.ok(total > 24 * 3600_000 && total < 36 * 3600_000, `${total / 3600_000} h`);
  });
});
