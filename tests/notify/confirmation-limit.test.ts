/**
 * Reply-subscription confirmation mails are limited per recipient address across all threads (issue
 * 14, point 8): posting on many threads with a stranger's address cannot mail-bomb them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { CONFIRMATIONS_PER_ADDRESS_PER_DAY } from '../../src/notify/mailing.js';
import { SITE } from '../helpers/test-server.js';
import { postComment, useMailSetup } from './support.js';

const VICTIM = 'stranger@example.org';

describe('confirmation mails per address', () => {
  const setup = useMailSetup({ BACKTALK_NOTIFY_EMAIL: '' });

  test(`${CONFIRMATIONS_PER_ADDRESS_PER_DAY} a day to one address, however many threads; other addresses unaffected`, async () => {
    const threads = 10;
    for (let i = 0; i < threads; i++) {
      // Each comment stands; only the mail is held back.
      await postComment(setup.app, { target: `${SITE}/posts/${i}/`, author: 'Not the stranger', email: VICTIM, subscribe: true });
    }
    await setup.flush();
    const mails = setup.smtp.to(VICTIM);
    assert.equal(mails.length, CONFIRMATIONS_PER_ADDRESS_PER_DAY, `${mails.length} confirmation mails for ${threads} threads`);
    assert.ok(mails.every((m) => /^Confirm: replies on /.test(m.subject)));

    // Case does not make a new address.
    await postComment(setup.app, { target: `${SITE}/posts/upper/`, email: VICTIM.toUpperCase(), subscribe: true });
    await postComment(setup.app, { target: `${SITE}/posts/0/`, email: 'reader@example.org', subscribe: true });
    await setup.flush();
    assert.equal(setup.smtp.to(VICTIM).length, CONFIRMATIONS_PER_ADDRESS_PER_DAY);
    assert.equal(setup.smtp.to('reader@example.org').length, 1, 'another address still gets its confirmation');
  });
});
