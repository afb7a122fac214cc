/**
 * The owner's linkback log sees a Webmention's whole life through the one pipeline: refused at the
 * door, accepted, updated, deleted, and refused after verification, one entry per attempt.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { useLinkbackServer } from '../helpers/fixtures.js';
import { POST } from '../helpers/test-server.js';
import { linkbackLog } from '../pingback/support.js';
import { linkingPage, PRIVATE_FETCH, sendWebmention, submitAndProcess } from './support.js';

const { server, source } = useLinkbackServer(PRIVATE_FETCH);

describe('the linkback log for Webmentions', () => {
  test('records each attempt with its outcome and reason', async () => {
    const src = source.url('/life');
    const foreign = await sendWebmention(server, src, 'http://elsewhere.example/post');
    assert.equal(foreign.status, 400);
    await foreign.arrayBuffer();

    source.set('/life', linkingPage(POST, { text: 'first' }));
    assert.equal((await submitAndProcess(server, src)).status, 'accepted');
    source.set('/life', linkingPage(POST, { text: 'second' }));
    assert.equal((await submitAndProcess(server, src)).status, 'accepted');
    source.set('/life', { body: '<!doctype html><html><body><p>link removed</p></body></html>' });
    assert.equal((await submitAndProcess(server, src)).status, 'accepted');
    assert.equal((await submitAndProcess(server, src)).status, 'rejected', 'nothing left to delete: a refusal');

    const entries = (await linkbackLog(server)).filter((e) => e.source === src).reverse();
    assert.deepEqual(entries.map((e) => e.outcome), ['refused', 'accepted', 'updated', 'deleted', 'refused'],
      JSON.stringify(entries.map((e) => [e.outcome, e.reason])));
    assert.ok(entries.every((e) => e.type === 'webmention'));
    assert.match(entries[0]!.reason, /site|allowed|target/i);
    assert.match(entries[3]!.reason, /link/i);
    assert.match(entries[4]!.reason, /link/i);
  });
});
