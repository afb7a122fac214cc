/**
 * The send queue is durable and polite: it survives a restart (and a crash mid-send), retries
 * transient failures with back-off and Retry-After, gives up after the configured attempts, keeps to
 * the per-host concurrency limit, and sends nothing where it must not (BACKTALK_SEND=off, own site,
 * private addresses without BACKTALK_ALLOW_PRIVATE_FETCH, non-http links).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../helpers/test-server.js';
import {
  linkTo, pingbackEndpoint, postPage, readSendStatus, requestSend, sendAndWait, startScriptedServer, startSender,
  webmentionEndpoint, type ScriptedServer,
} from './support.js';

function manualClock(start = Date.UTC(2026, 11, 7, 12, 0, 0)) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => void (t += ms) };
}

const wmPage = (endpoint: string) => `<!doctype html><html><head><link rel="webmention" href="${endpoint}"><title>x</title></head><body>x</body></html>`;

describe('send queue', () => {
  let blog: ScriptedServer;
  let other: ScriptedServer;
  const dir = mkdtempSync(join(tmpdir(), 'backtalk-send-'));

  before(async () => {
    blog = await startScriptedServer();
    other = await startScriptedServer();
  });
  after(async () => {
    await blog.close();
    await other.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a queued send survives a restart, and so does a send claimed by a process that then died', async () => {
    const db = join(dir, 'restart.db');
    other.page('/restart-a', wmPage('/restart/wm'));
    other.page('/restart-b', wmPage('/restart/wm'));
    webmentionEndpoint(other, '/restart/wm');
    const post = blog.url('/p/restart/');
    blog.page('/p/restart/', postPage(post, [other.url('/restart-a'), other.url('/restart-b')]));

    const clock = manualClock();
    const first = await startSender(blog.origin, { BACKTALK_DB: db }, { clock });
    const statusUrl = await requestSend(first, post);
    await first.close(); // queued, nothing sent yet

    const second = await startSender(blog.origin, { BACKTALK_DB: db }, { clock });
    await second.deps.sends.drain();
    assert.equal(other.to('/restart/wm').length, 2, 'the queued send went out after the restart');
    assert.deepEqual((await readSendStatus(second, statusUrl)).links.map((l) => l.state), ['sent', 'sent']);

    // The post changes; it is read and its two Webmentions queued, then a worker claims one and dies.
    blog.page('/p/restart/', postPage(post, [other.url('/restart-a'), other.url('/restart-b')], { text: 'Changed text' }));
    await requestSend(second, post);
    const [claimedPost] = await second.deps.store.sends.posts.claimDue(clock.now(), 1, 60_000);
    await second.deps.sends.scan(claimedPost!);
    const leased = await second.deps.store.sends.links.claimDue(clock.now(), 1, 60_000);
    assert.equal(leased.length, 1, 'one link claimed by a worker that will never finish');
    await second.close();

    const third = await startSender(blog.origin, { BACKTALK_DB: db }, { clock });
    try {
      clock.advance(60_001);
      await third.deps.sends.drain();
      assert.equal(other.to('/restart/wm').length, 4, 'both sent after the restart, the abandoned one once its lease ran out');
      const status = await readSendStatus(third, statusUrl);
      assert.deepEqual(status.links.map((l) => l.state), ['sent', 'sent']);
    } finally {
      await third.close();
    }
  });

  describe('retries', () => {
    const clock = manualClock();
    let sender: TestServer;
    before(async () => {
      sender = await startSender(blog.origin, { BACKTALK_SEND_ATTEMPTS: '3' }, { clock });
    });
    after(() => sender.close());

    test('429 with Retry-After: tried again no sooner than the receiver asked, then sent', async () => {
      other.page('/busy', wmPage('/busy/wm'));
      let calls = 0;
      webmentionEndpoint(other, '/busy/wm', () => (++calls === 1 ? { status: 429, headers: { 'retry-after': '120' }, body: 'slow down' } : { status: 202 }));
      const post = blog.url('/p/busy/');
      blog.page('/p/busy/', postPage(post, [other.url('/busy')]));
      const status = await sendAndWait(sender, post);
      assert.equal(linkTo(status, other.url('/busy')).state, 'queued');
      assert.match(linkTo(status, other.url('/busy')).response, /^will retry: HTTP 429/);
      const [link] = await sender.deps.store.sends.listLinks((await sender.deps.store.sends.findPostBySource(post))!.id);
      assert.equal(link!.nextAttemptAt.getTime() - clock.now().getTime(), 120_000);

      clock.advance(119_000);
      await sender.deps.sends.drain();
      assert.equal(other.to('/busy/wm').length, 1, 'not before Retry-After');
      clock.advance(1_000);
      await sender.deps.sends.drain();
      assert.equal(other.to('/busy/wm').length, 2);
      assert.equal(linkTo(await sendStatusOf(sender, post), other.url('/busy')).state, 'sent');
    });

    test('5xx: back-off doubling twice per attempt, then given up after BACKTALK_SEND_ATTEMPTS tries', async () => {
      other.page('/down', wmPage('/down/wm'));
      webmentionEndpoint(other, '/down/wm', () => ({ status: 503, body: 'maintenance' }));
      const post = blog.url('/p/down/');
      blog.page('/p/down/', postPage(post, [other.url('/down')]));
      await sendAndWait(sender, post);
      assert.equal(other.to('/down/wm').length, 1);
      // FAST_RETRY: 1 s after the first failure, 4 s after the second.
      clock.advance(999);
      await sender.deps.sends.drain();
      assert.equal(other.to('/down/wm').length, 1);
      clock.advance(1);
      await sender.deps.sends.drain();
      assert.equal(other.to('/down/wm').length, 2);
      clock.advance(3_999);
      await sender.deps.sends.drain();
      assert.equal(other.to('/down/wm').length, 2);
      clock.advance(1);
      await sender.deps.sends.drain();
      assert.equal(other.to('/down/wm').length, 3);
      const link = linkTo(await sendStatusOf(sender, post), other.url('/down'));
      assert.equal(link.state, 'failed');
      assert.match(link.response, /^gave up after 3 tries: HTTP 503/);
      clock.advance(24 * 3600_000);
      await sender.deps.sends.drain();
      assert.equal(other.to('/down/wm').length, 3, 'no fourth try');
    });

    test('a network error (connection refused) is retried', async () => {
      const gone = await startScriptedServer();
      const target = gone.url('/x');
      await gone.close();
      const post = blog.url('/p/refused/');
      blog.page('/p/refused/', postPage(post, [target]));
      const link = linkTo(await sendAndWait(sender, post), target);
      assert.equal(link.state, 'queued');
      assert.match(link.response, /^will retry: .*ECONNREFUSED/);
    });
  });

  async function sendStatusOf(sender: TestServer, source: string) {
    const post = (await sender.deps.store.sends.findPostBySource(source))!;
    return readSendStatus(sender, sender.deps.sends.statusUrl(post));
  }

  test('per-host concurrency: never more requests at once to one host than BACKTALK_SEND_PER_HOST_CONCURRENCY', async () => {
    let now = 0;
    let max = 0;
    const slow = async () => {
      now += 1;
      max = Math.max(max, now);
      await new Promise((r) => setTimeout(r, 30));
      now -= 1;
      return { status: 202 };
    };
    const targets = [1, 2, 3, 4, 5, 6].map((i) => {
      other.on(`/slow-${i}`, async () => ({ ...(await slow()), status: 200, body: wmPage('/slow/wm') }));
      return other.url(`/slow-${i}`);
    });
    other.on('/slow/wm', slow);
    const sender = await startSender(blog.origin, { BACKTALK_SEND_PER_HOST_CONCURRENCY: '1' });
    try {
      const post = blog.url('/p/slow/');
      blog.page('/p/slow/', postPage(post, targets));
      const status = await sendAndWait(sender, post);
      assert.deepEqual(status.links.map((l) => l.state), targets.map(() => 'sent'));
      assert.equal(max, 1);
    } finally {
      await sender.close();
    }
  });

  test('per-host rate: over BACKTALK_SEND_PER_HOST_PER_MINUTE a send waits (no attempt used) instead of going out', async () => {
    const targets = [1, 2, 3].map((i) => {
      other.page(`/rate-${i}`, wmPage('/rate/wm'));
      return other.url(`/rate-${i}`);
    });
    webmentionEndpoint(other, '/rate/wm');
    // The post is on the blog's host; the three targets share the other server's host (both 127.0.0.1,
    // so one budget): each send is a discovery GET and a POST, so the budget of 5 covers two sends.
    const sender = await startSender(blog.origin, { BACKTALK_SEND_PER_HOST_PER_MINUTE: '5' });
    try {
      const post = blog.url('/p/rate/');
      blog.page('/p/rate/', postPage(post, targets));
      await requestSend(sender, post);
      const [claimed] = await sender.deps.store.sends.posts.claimDue(new Date(), 1, 60_000);
      await sender.deps.sends.scan(claimed!); // 1 of the 5
      const links = await sender.deps.store.sends.links.claimDue(new Date(), 10, 60_000);
      for (const link of links) await sender.deps.sends.deliver(link);
      const status = await sendStatusOf(sender, post);
      assert.deepEqual(status.links.map((l) => l.state), ['sent', 'sent', 'queued']);
      assert.match(status.links[2]!.response, /^waiting: per-host rate limit reached \(5 fetches per minute to 127\.0\.0\.1\)/);
      const [waiting] = await sender.deps.store.sends.listLinks(claimed!.id).then((all) => all.filter((l) => l.state === 'queued'));
      assert.equal(waiting!.attempts, 0, 'the wait did not use up an attempt');
      assert.equal(other.to('/rate/wm').length, 2);
    } finally {
      await sender.close();
    }
  });

  test('BACKTALK_SEND=off: nothing is queued, and the admin API says sending is off', async () => {
    const sender = await startSender(blog.origin, { BACKTALK_SEND: 'off' });
    try {
      const res = await sender.admin('/api/admin/send', { method: 'POST', body: JSON.stringify({ source: blog.url('/p/off/') }) });
      assert.equal(res.status, 403);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'sending-off');
      const list = (await (await sender.admin('/api/admin/sends')).json()) as { enabled: boolean; posts: unknown[] };
      assert.equal(list.enabled, false);
      assert.deepEqual(list.posts, []);
      assert.equal(blog.arrived.filter((a) => a.path === '/p/off/').length, 0);
    } finally {
      await sender.close();
    }
  });

  describe('what is never sent', () => {
    let sender: TestServer;
    before(async () => {
      sender = await startSender(blog.origin);
    });
    after(() => sender.close());

    test('links to our own site (self-pings off), non-http(s) links', async () => {
      const post = blog.url('/p/own/');
      const ownOther = blog.url('/p/older-post/');
      blog.page('/p/own/', postPage(post, [ownOther, 'mailto:me@example.org', 'javascript:alert(1)', 'ftp://files.example/x', `${post}#comments`]));
      const status = await sendAndWait(sender, post);
      assert.deepEqual(status.links.map((l) => l.target), [ownOther]);
      assert.equal(status.links[0]!.state, 'failed');
      assert.match(status.links[0]!.response, /self-pings are off/);
      assert.equal(blog.arrived.filter((a) => a.path === '/p/older-post/').length, 0, 'not even fetched');
    });

    test('a source outside BACKTALK_SITES is refused; the status URL needs the admin token', async () => {
      const res = await sender.admin('/api/admin/send', { method: 'POST', body: JSON.stringify({ source: other.url('/not-mine') }) });
      assert.equal(res.status, 403);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'source-not-allowed');
      const bad = await sender.admin('/api/admin/send', { method: 'POST', body: JSON.stringify({ source: 'not a url' }) });
      assert.equal(bad.status, 400);
      const statusUrl = await requestSend(sender, blog.url('/p/own/'));
      assert.equal((await fetch(statusUrl)).status, 401);
      assert.equal((await fetch(statusUrl, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status, 200);
    });

    test('with self-pings on, a link to our own post is sent', async () => {
      const selfish = await startSender(blog.origin, { BACKTALK_ALLOW_SELF_PINGS: 'true' });
      try {
        blog.page('/p/older-post/', wmPage('/p/older-post/wm'));
        webmentionEndpoint(blog, '/p/older-post/wm');
        const post = blog.url('/p/own-on/');
        blog.page('/p/own-on/', postPage(post, [blog.url('/p/older-post/')]));
        const link = linkTo(await sendAndWait(selfish, post), blog.url('/p/older-post/'));
        assert.equal(link.state, 'sent');
      } finally {
        await selfish.close();
      }
    });
  });

  test('without BACKTALK_ALLOW_PRIVATE_FETCH a loopback address is never contacted', async () => {
    const sender = await startTestServer({ BACKTALK_SITES: blog.origin });
    try {
      const post = blog.url('/p/private/');
      blog.page('/p/private/', postPage(post, [other.url('/private')]));
      await requestSend(sender, post);
      await sender.deps.sends.drain();
      const { posts } = (await (await sender.admin('/api/admin/sends')).json()) as { posts: Array<{ status: string; error: string }> };
      assert.equal(posts[0]!.status, 'failed');
      assert.match(posts[0]!.error, /refused range|not allowed/);
      assert.equal(blog.arrived.filter((a) => a.path === '/p/private/').length, 0);
    } finally {
      await sender.close();
    }
  });

  test('"send again" for one link: a failed Webmention goes again; a sent Pingback does not', async () => {
    const sender = await startSender(blog.origin);
    try {
      other.page('/again-wm', wmPage('/again/wm'));
      let accept = false;
      webmentionEndpoint(other, '/again/wm', () => (accept ? { status: 202 } : { status: 400, body: 'no link' }));
      other.page('/again-pb', '<html><head><title>x</title></head></html>', { 'x-pingback': other.url('/again/xmlrpc') });
      pingbackEndpoint(other, '/again/xmlrpc');
      const post = blog.url('/p/again/');
      blog.page('/p/again/', postPage(post, [other.url('/again-wm'), other.url('/again-pb')]));
      await sendAndWait(sender, post);
      const { posts } = (await (await sender.admin('/api/admin/sends')).json()) as { posts: Array<{ source: string; links: Array<{ id: number; target: string; state: string }> }> };
      const links = posts.find((p) => p.source === post)!.links;
      const wm = links.find((l) => l.target === other.url('/again-wm'))!;
      const pb = links.find((l) => l.target === other.url('/again-pb'))!;
      assert.equal(wm.state, 'failed');
      accept = true;
      assert.equal((await sender.admin(`/api/admin/send/links/${wm.id}`, { method: 'POST' })).status, 202);
      assert.equal((await sender.admin(`/api/admin/send/links/${pb.id}`, { method: 'POST' })).status, 202);
      await sender.deps.sends.drain();
      assert.equal(other.to('/again/wm').length, 2);
      assert.equal(other.to('/again/xmlrpc').length, 1, 'Pingback never repeated');
      assert.equal(linkTo(await sendStatusOf(sender, post), other.url('/again-wm')).state, 'sent');
    } finally {
      await sender.close();
    }
  });
});
