/**
 * Issue 4 point 11: one source page linking one post through several protocols — a TrackBack, a
 * Pingback and a Webmention sent by the same blog — shows as one linkback, not three, whatever
 * protocol arrives first, and the refusals say so in each protocol's own format.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { POST, startTestServer, type TestServer } from '../helpers/test-server.js';
import { startSourceServer, type SourceServer } from '../helpers/source-server.js';
import { expectFault, expectPingAccepted, FAULT, linkingSource, ping as pingback } from '../pingback/support.js';
import { expectRefusal, formBody, ping as trackback, publicItems, trackbackPath } from '../trackback/support.js';
import { readStatus, sendWebmention } from '../webmention/support.js';

describe('one source, three protocols, one linkback', () => {
  let server: TestServer;
  let source: SourceServer;
  before(async () => {
    source = await startSourceServer();
    server = await startTestServer({ BACKTALK_ALLOW_PRIVATE_FETCH: 'true' });
  });
  after(async () => {
    await server.close();
    await source.close();
  });

  async function sendWebmentionAndWait(src: string): Promise<{ status: string; reason?: string }> {
    const res = await sendWebmention(server, src, POST);
    assert.equal(res.status, 201);
    await server.deps.worker.drain();
    return readStatus(res.headers.get('location')!);
  }

  it('TrackBack first: the Pingback gets fault 48 and the Webmention updates the same item', async () => {
    const src = linkingSource(source, '/tb-first', POST, 'Trackback first');
    const tb = await trackback(server, trackbackPath(), formBody({ url: src, title: 'Trackback first', blog_name: 'A blog' }));
    assert.match(tb.body, /<error>0<\/error>/);
    expectFault(await pingback(server, src), FAULT.alreadyRegistered);
    const wm = await sendWebmentionAndWait(src);
    assert.equal(wm.status, 'accepted', JSON.stringify(wm));
    const items = (await publicItems(server)).filter((c) => c.source === src);
    assert.equal(items.length, 1, JSON.stringify(items));
  });

  it('Pingback first: a TrackBack from the same page is refused in TrackBack format', async () => {
    const src = linkingSource(source, '/pb-first', POST, 'Pingback first');
    expectPingAccepted(await pingback(server, src));
    // The same page with a fragment is the same source (fragments are dropped before comparing).
    const variant = `${src}#comments`;
    const message = expectRefusal(await trackback(server, trackbackPath(), formBody({ url: variant })));
    assert.match(message, /already a ping from that URL/);
    const items = (await publicItems(server)).filter((c) => c.source === src);
    assert.equal(items.length, 1);
    assert.equal(items[0]!.type, 'pingback');
  });

  it('Webmention first: the Pingback and the TrackBack are both refused as duplicates', async () => {
    const src = linkingSource(source, '/wm-first', POST, 'Webmention first');
    assert.equal((await sendWebmentionAndWait(src)).status, 'accepted');
    expectFault(await pingback(server, src), FAULT.alreadyRegistered);
    expectRefusal(await trackback(server, trackbackPath(), formBody({ url: src })));
    const items = (await publicItems(server)).filter((c) => c.source === src);
    assert.equal(items.length, 1);
    assert.equal(items[0]!.type, 'webmention');
  });
});
