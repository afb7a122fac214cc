/**
 * Updates and deletes (WM-SPEC §3.2.4, table 7.3 W10-W13): a later Webmention for the same source and
 * target updates the stored mention in place; 410 Gone (also as a meta http-equiv) or a 200 without
 * the link removes it, and that is success; 404 and 500 are not delete signals.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { POST } from '../helpers/test-server.js';
import { linkingPage, mentionsFrom, PRIVATE_FETCH, submitAndProcess, thread, type PublicComment, type SourceServer } from './support.js';
import { useLinkbackServer } from '../helpers/fixtures.js';

const { server, source } = useLinkbackServer(PRIVATE_FETCH);

/** Publishes a linking page at `path`, sends the Webmention and returns the stored mention. */
async function published(path: string, text = 'The first version of my reply.'): Promise<PublicComment> {
  source.set(path, linkingPage(POST, { text }));
  const status = await submitAndProcess(server, source.url(path));
  assert.equal(status.status, 'accepted', `first send: ${status.reason}`);
  const mentions = await mentionsFrom(server, source.url(path));
  assert.equal(mentions.length, 1);
  return mentions[0]!;
}

describe('a second Webmention for the same source and target', () => {
  test('after the source changed: still one mention, its content updated and edited set', async () => {
    const first = await published('/changed', 'The first version of my reply.');
    assert.match(first.body_html, /first version/);
    assert.equal(first.edited, null);

    source.set('/changed', linkingPage(POST, { title: 'Retitled reply', text: 'A corrected second version of my reply.' }));
    const status = await submitAndProcess(server, source.url('/changed'));
    assert.equal(status.status, 'accepted', `reason: ${status.reason}`);

    const mentions = await mentionsFrom(server, source.url('/changed'));
    assert.equal(mentions.length, 1, 'updated in place, not duplicated');
    const [updated] = mentions as [PublicComment];
    assert.equal(updated.id, first.id);
    assert.match(updated.body_html, /corrected second version/);
    assert.doesNotMatch(updated.body_html, /first version/);
    assert.equal(updated.title, 'Retitled reply');
    assert.ok(updated.edited !== null && !Number.isNaN(Date.parse(updated.edited)), `edited is set: ${updated.edited}`);
  });

  test('unchanged, sent three times: one mention (idempotent, W13)', async () => {
    const first = await published('/unchanged');
    for (let i = 0; i < 2; i += 1) {
      const status = await submitAndProcess(server, source.url('/unchanged'));
      assert.equal(status.status, 'accepted');
    }
    const mentions = await mentionsFrom(server, source.url('/unchanged'));
    assert.deepEqual(mentions.map((m) => m.id), [first.id]);
  });
});

describe('delete signals remove the mention, and the status says accepted', () => {
  async function removedBy(path: string, page: Parameters<SourceServer['set']>[1]): Promise<void> {
    await published(path);
    const before = (await thread(server)).total;
    source.set(path, page);
    const status = await submitAndProcess(server, source.url(path));
    assert.equal(status.status, 'accepted', `a delete is not an error: ${JSON.stringify(status)}`);
    assert.match(status.reason ?? '', /delet|remov/i);
    assert.equal((await mentionsFrom(server, source.url(path))).length, 0, 'the mention is gone');
    assert.equal((await thread(server)).total, before - 1, 'the count drops by one');
  }

  test('the source now answers 410 Gone (W10)', async () => {
    await removedBy('/gone', { status: 410, contentType: 'text/html', body: '<p>This post was deleted.</p>' });
  });

  test('the source now carries <meta http-equiv="Status" content="410 Gone">', async () => {
    await removedBy('/meta-gone', {
      body: '<!doctype html><html><head><meta http-equiv="Status" content="410 Gone"><title>Gone</title></head>' +
        '<body><p>This post was deleted.</p></body></html>',
    });
  });

  test('the source answers 200 without the link any more (W11)', async () => {
    await removedBy('/unlinked', { body: '<!doctype html><html><head><title>Edited</title></head><body><p>I took the link out.</p></body></html>' });
  });
});

describe('errors are not delete signals (W12)', () => {
  async function keptDespite(path: string, status: number): Promise<string> {
    const first = await published(path);
    source.set(path, { status, contentType: 'text/html', body: `<p>error ${status}</p>` });
    const result = await submitAndProcess(server, source.url(path));
    assert.notEqual(result.status, 'accepted', `HTTP ${status} is not a successful verification: ${JSON.stringify(result)}`);
    const mentions = await mentionsFrom(server, source.url(path));
    assert.deepEqual(mentions.map((m) => m.id), [first.id], `the mention survives HTTP ${status}`);
    assert.match(mentions[0]!.body_html, /first version/, 'and is not changed');
    return result.reason ?? '';
  }

  test('404 keeps the mention', async () => {
    assert.match(await keptDespite('/not-found', 404), /404/);
  });

  test('500 keeps the mention', async () => {
    assert.match(await keptDespite('/server-error', 500), /500/);
  });
});
