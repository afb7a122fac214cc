/** The one status rule for new and changed items (src/pipeline/decide-status.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { CommentStatus } from '../../src/domain/comment.js';
import { decideStatus } from '../../src/pipeline/decide-status.js';
import type { SpamOutcome } from '../../src/pipeline/spam-check.js';

const ham: SpamOutcome = { verdict: 'ham', reasons: [], discard: false };
const hold: SpamOutcome = { verdict: 'hold', reasons: ['too-many-links'], discard: false };
const spam: SpamOutcome = { verdict: 'spam', reasons: ['honeypot'], discard: false };

const ctx = (mode: 'auto' | 'all' | 'first-time', previous: CommentStatus | null, trusted = false) => {
  let asked = 0;
  return { mode, previous, trusted: async () => (asked += 1, trusted), asked: () => asked };
};

describe('decideStatus', () => {
  it('new items: the verdict first, then the mode', async () => {
    assert.equal(await decideStatus('comment', spam, ctx('auto', null)), 'spam');
    assert.equal(await decideStatus('comment', hold, ctx('auto', null)), 'pending');
    assert.equal(await decideStatus('comment', ham, ctx('auto', null)), 'approved');
    assert.equal(await decideStatus('comment', ham, ctx('all', null)), 'pending');
    assert.equal(await decideStatus('comment', ham, ctx('first-time', null, true)), 'approved');
    assert.equal(await decideStatus('comment', ham, ctx('first-time', null, false)), 'pending');
  });

  it('a linkback is never trusted under first-time, and trust is not even asked', async () => {
    const c = ctx('first-time', null, true);
    assert.equal(await decideStatus('webmention', ham, c), 'pending');
    assert.equal(c.asked(), 0);
  });

  it('trust is asked only when it decides something', async () => {
    const c = ctx('first-time', null, true);
    await decideStatus('comment', spam, c);
    await decideStatus('comment', hold, c);
    assert.equal(c.asked(), 0);
  });

  it('a change may hold or condemn an approved item', async () => {
    assert.equal(await decideStatus('comment', spam, ctx('auto', 'approved')), 'spam');
    assert.equal(await decideStatus('comment', hold, ctx('auto', 'approved')), 'pending');
    assert.equal(await decideStatus('comment', ham, ctx('all', 'approved')), 'pending');
    assert.equal(await decideStatus('comment', ham, ctx('first-time', 'approved', false)), 'pending');
    assert.equal(await decideStatus('comment', ham, ctx('first-time', 'approved', true)), 'approved');
    assert.equal(await decideStatus('webmention', ham, ctx('auto', 'approved')), 'approved');
  });

  it('a change never releases what is held, filed as spam or trashed', async () => {
    assert.equal(await decideStatus('comment', ham, ctx('auto', 'pending')), 'pending');
    assert.equal(await decideStatus('comment', ham, ctx('auto', 'spam')), 'spam');
    assert.equal(await decideStatus('webmention', hold, ctx('auto', 'spam')), 'spam');
    assert.equal(await decideStatus('webmention', ham, ctx('auto', 'trash')), 'trash');
  });
});
