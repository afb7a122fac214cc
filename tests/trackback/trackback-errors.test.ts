/**
 * TrackBack refusals over HTTP: every one is `<error>1</error>` with an XML-escaped message and HTTP
 * 200 (TB-SPEC 1.2; protocols.md table 7.1 T2, T4, T6, T7, T14-T17, T20), and none stores a row.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { POST, type TestServer } from '../helpers/test-server.js';
import {
  OTHER_POST, PRIVATE_FETCH, allRows, expectAccepted, expectRefusal, formBody, linkingPage, linkingSource, ping, pingFields, publicItems,
  readReply, trackbackPath, withServer,
} from './support.js';
import { useSourceServer } from '../helpers/fixtures.js';

const DUPLICATE = 'There is already a ping from that URL for this post.';
const CLOSED = 'Trackbacks are closed for this item.';

const source = useSourceServer();

async function assertNothingStored(server: TestServer): Promise<void> {
  assert.deepEqual((await allRows(server)).map((c) => c.source), [], 'no row stored');
}

describe('refusals', () => {
  it('refuses a ping without url', async () => {
    await withServer(PRIVATE_FETCH, async (server) => {
      const message = expectRefusal(await pingFields(server, { title: 'No url', excerpt: 'x', blog_name: 'B' }));
      assert.match(message, /url/i);
      await assertNothingStored(server);
    });
  });

  for (const url of ['javascript:alert(1)', 'ftp://x', '/2026/11/relative/', 'www.no-scheme.example/post']) {
    it(`refuses url=${url}`, async () => {
      await withServer(PRIVATE_FETCH, async (server) => {
        expectRefusal(await pingFields(server, { url, title: 'Bad url' }));
        await assertNothingStored(server);
      });
    });
  }

  it('XML-escapes the message when it repeats what the sender sent', async () => {
    await withServer(PRIVATE_FETCH, async (server) => {
      const answer = await pingFields(server, { url: 'x <&> "y"', title: 'Bad url' });
      // readReply (inside expectRefusal) fails on a raw `<` or a bare `&` in the message.
      const message = expectRefusal(answer);
      assert.ok(!answer.body.includes('<&>'), answer.body);
      assert.ok(message.includes('<&>'), `the refused URL is echoed, escaped: ${answer.body}`);
    });
  });

  it('refuses a target outside BACKTALK_SITES', async () => {
    await withServer(PRIVATE_FETCH, async (server) => {
      const src = linkingSource(source, '/outside', 'http://elsewhere.example/post/');
      expectRefusal(await pingFields(server, { url: src, title: 'Elsewhere' }, 'http://elsewhere.example/post/'));
      await assertNothingStored(server);
    });
  });

  it('refuses GET without __mode (pings must be POSTed)', async () => {
    await withServer(PRIVATE_FETCH, async (server) => {
      const src = linkingSource(source, '/get-ping', POST);
      const res = await server.request(`${trackbackPath()}&url=${encodeURIComponent(src)}&title=GET`);
      const message = expectRefusal({ status: res.status, contentType: res.headers.get('content-type') ?? '', body: await res.text(), retryAfter: null });
      assert.match(message, /POST/);
      await assertNothingStored(server);
    });
  });

  it('refuses an unknown thread id', async () => {
    await withServer(PRIVATE_FETCH, async (server) => {
      const src = linkingSource(source, '/unknown-id', POST);
      for (const id of ['999999', 'abc']) {
        expectRefusal(await ping(server, `/trackback/${id}`, formBody({ url: src, title: 'Unknown' })));
      }
      await assertNothingStored(server);
    });
  });

  it('refuses sources that do not link to the target', async () => {
    await withServer(PRIVATE_FETCH, async (server) => {
      const pages: Record<string, string> = {
        '/no-link': '<html><body><p>Nothing to see, <a href="http://blog.example/other/">another post</a>.</p></body></html>',
        '/script-link': `<html><head><script>var u = '<a href="${POST}">x</a>';</script></head><body><p>Hi</p></body></html>`,
        '/text-link': `<html><body><p>Read ${POST} some day.</p></body></html>`,
      };
      for (const [path, body] of Object.entries(pages)) {
        source.set(path, { body });
        expectRefusal(await pingFields(server, { url: source.url(path), title: path }));
      }
      // A bare URL in a text/plain page counts for Webmention, not for TrackBack (an <a href> is needed).
      source.set('/plain-text', { contentType: 'text/plain; charset=utf-8', body: `See ${POST}\n` });
      expectRefusal(await pingFields(server, { url: source.url('/plain-text'), title: 'text/plain' }));
      await assertNothingStored(server);
    });
  });

  it('refuses a source that answers 404, even with a linking body', async () => {
    await withServer(PRIVATE_FETCH, async (server) => {
      source.set('/gone-404', { ...linkingPage(POST), status: 404 });
      expectRefusal(await pingFields(server, { url: source.url('/gone-404'), title: '404' }));
      await assertNothingStored(server);
    });
  });
});

describe('duplicates', () => {
  it('refuses a second ping from the same URL (#fragment and host case ignored) and keeps one row', async () => {
    await withServer(PRIVATE_FETCH, async (server) => {
      source.set('/dup', linkingPage(POST));
      // localhost resolves to 127.0.0.1, where the source server listens.
      const url = `http://localhost:${source.port}/dup`;
      expectAccepted(await pingFields(server, { url, title: 'First' }));
      for (const again of [`http://LOCALHOST:${source.port}/dup#comments`, url]) {
        const message = expectRefusal(await pingFields(server, { url: again, title: 'Again' }));
        assert.equal(message, DUPLICATE);
      }
      const rows = await allRows(server);
      assert.equal(rows.length, 1, JSON.stringify(rows.map((r) => r.source)));
      assert.equal(rows[0]!.title, 'First');
    });
  });

  it('stores exactly one row for 10 identical pings sent at once', async () => {
    await withServer(PRIVATE_FETCH, async (server) => {
      const src = linkingSource(source, '/concurrent', POST);
      const body = formBody({ url: src, title: 'Concurrent', excerpt: 'same', blog_name: 'Racer' });
      const answers = await Promise.all(Array.from({ length: 10 }, () => ping(server, trackbackPath(), body)));
      const errors = answers.map((a) => {
        assert.equal(a.status, 200, a.body);
        return readReply(a.body).error;
      });
      assert.equal(errors.filter((e) => e === 0).length, 1, `exactly one ping accepted: ${JSON.stringify(answers.map((a) => a.body))}`);
      assert.equal((await allRows(server)).length, 1);
      assert.equal((await publicItems(server)).length, 1);
    });
  });
});

describe('closed threads', () => {
  it('refuses every ping when BACKTALK_TRACKBACKS=false', async () => {
    await withServer({ ...PRIVATE_FETCH, BACKTALK_TRACKBACKS: 'false' }, async (server) => {
      const src = linkingSource(source, '/closed-site', POST);
      assert.equal(expectRefusal(await pingFields(server, { url: src, title: 'Closed' })), CLOSED);
      await assertNothingStored(server);
    });
  });

  it('refuses pings to a thread the admin closed, while another thread still accepts', async () => {
    await withServer(PRIVATE_FETCH, async (server) => {
      const res = await server.admin('/api/admin/threads', { method: 'POST', body: JSON.stringify({ target: POST, linkbacks_closed: true }) });
      assert.equal(res.status, 200, await res.text());
      const closedSrc = linkingSource(source, '/closed-thread', POST);
      assert.equal(expectRefusal(await pingFields(server, { url: closedSrc, title: 'Closed' })), CLOSED);
      const openSrc = linkingSource(source, '/open-thread', OTHER_POST);
      expectAccepted(await pingFields(server, { url: openSrc, title: 'Open' }, OTHER_POST));
      assert.deepEqual((await allRows(server)).map((c) => c.source), [openSrc]);
    });
  });
});

describe('rate limits', () => {
  it('answers the third ping from one IP with the TrackBack error and Retry-After (BACKTALK_RATE_LIMIT=2)', async () => {
    await withServer({ ...PRIVATE_FETCH, BACKTALK_RATE_LIMIT: '2' }, async (server) => {
      for (const n of [1, 2]) {
        expectAccepted(await pingFields(server, { url: linkingSource(source, `/ip-limit/${n}`, POST), title: `Ping ${n}` }));
      }
      const third = await pingFields(server, { url: linkingSource(source, '/ip-limit/3', POST), title: 'Ping 3' });
      expectRefusal(third, [200, 429]);
      assert.match(third.retryAfter ?? '', /^[1-9]\d*$/, `Retry-After: ${third.retryAfter}`);
      assert.equal((await allRows(server)).length, 2);
    });
  });

  it('refuses the third linkback to one thread within the hour, but not to another (BACKTALK_LINKBACKS_PER_THREAD_HOUR=2)', async () => {
    await withServer({ ...PRIVATE_FETCH, BACKTALK_LINKBACKS_PER_THREAD_HOUR: '2' }, async (server) => {
      for (const n of [1, 2]) {
        expectAccepted(await pingFields(server, { url: linkingSource(source, `/thread-limit/${n}`, POST), title: `Ping ${n}` }));
      }
      expectRefusal(await pingFields(server, { url: linkingSource(source, '/thread-limit/3', POST), title: 'Ping 3' }), [200, 429]);
      expectAccepted(await pingFields(server, { url: linkingSource(source, '/thread-limit/other', OTHER_POST), title: 'Other' }, OTHER_POST));
      assert.equal((await publicItems(server)).length, 2);
      assert.equal((await publicItems(server, OTHER_POST)).length, 1);
    });
  });
});
