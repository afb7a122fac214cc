/**
 * GET /metrics: Prometheus text behind the admin token, counting requests, latencies, spam verdicts,
 * linkback outcomes and the Webmention queue depth of this app alone.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { spawnServer } from '../helpers/spawn-server.js';
import { FAKE_AKISMET_KEY, startFakeAkismet, type FakeAkismet } from '../helpers/fake-akismet.js';
import { ADMIN_TOKEN, POST, startTestServer, type TestServer } from '../helpers/test-server.js';

/** Parses the text exposition format into sample lines; throws on a line that is not one. */
function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (-?[0-9.e+-]+|NaN|[+-]Inf)$/i.exec(line);
    assert.ok(m, `not a Prometheus sample line: ${JSON.stringify(line)}`);
    samples.set(m[1]!, Number(m[2]));
  }
  return samples;
}

describe('/metrics', () => {
  let server: TestServer;
  let akismet: FakeAkismet;
  before(async () => {
    akismet = await startFakeAkismet();
    server = await startTestServer({ BACKTALK_AKISMET_KEY: FAKE_AKISMET_KEY, BACKTALK_AKISMET_URL: akismet.url });
  });
  after(async () => {
    await server.close();
    await akismet.close();
  });

  const scrape = async () => {
    const res = await server.request('/metrics', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return parseExposition(await res.text());
  };

  test('without the admin token: 401 and nothing is shown', async () => {
    const none = await server.request('/metrics');
    assert.equal(none.status, 401);
    assert.doesNotMatch(await none.text(), /backtalk_/);
    const wrong = await server.request('/metrics', { headers: { authorization: 'Bearer not-the-token-at-all' } });
    assert.equal(wrong.status, 401);
  });

  test('after a comment, a spam comment and a refused trackback, the counters show them', async () => {
    const ok = await server.postJson('/comments', { target: POST, author: 'Ann', body: 'Counted, I hope.' });
    assert.equal(ok.status, 201);
    const spam = await server.postJson('/comments', { target: POST, author: 'viagra-test-123', body: 'Buy now.' });
    assert.equal(spam.status, 201);
    // Refused by the pipeline (a ping from the blog to itself), so it reaches the linkback log.
    const tb = await server.postForm(`/trackback?target=${encodeURIComponent(POST)}`, { url: 'http://blog.example/another-post/' });
    assert.match(await tb.text(), /<error>1<\/error>/);
    await server.request('/no/such/page');

    const m = await scrape();
    assert.equal(m.get('backtalk_http_requests_total{method="POST",route="/comments",status="201"}'), 2);
    assert.equal(m.get('backtalk_http_requests_total{method="POST",route="/trackback",status="200"}'), 1);
    assert.equal(m.get('backtalk_http_requests_total{method="GET",route="unmatched",status="404"}'), 1, 'unmatched URLs share one label');
    assert.equal(m.get('backtalk_http_requests_total{method="GET",route="/metrics",status="401"}'), 2, 'the refused scrapes are counted');
    assert.equal(m.get('backtalk_http_request_duration_seconds_count{method="POST",route="/comments",status="201"}'), 2);
    assert.ok((m.get('backtalk_http_request_duration_seconds_sum{method="POST",route="/comments",status="201"}') ?? 0) > 0);
    assert.equal(m.get('backtalk_http_request_duration_seconds_bucket{le="+Inf",method="POST",route="/comments",status="201"}'), 2);
    assert.equal(m.get('backtalk_spam_verdicts_total{checker="rules",verdict="ham"}'), 2);
    assert.equal(m.get('backtalk_spam_verdicts_total{checker="akismet",verdict="ham"}'), 1);
    assert.equal(m.get('backtalk_spam_verdicts_total{checker="akismet",verdict="spam"}'), 1);
    assert.equal(m.get('backtalk_linkbacks_total{kind="trackback",outcome="refused"}'), 1);
    assert.equal(m.get('backtalk_webmention_queue_depth'), 0);
    assert.ok((m.get('backtalk_process_resident_memory_bytes') ?? 0) > 0, 'default process metrics are there');
    assert.ok(m.has('backtalk_nodejs_eventloop_lag_p99_seconds'));
  });

  test('queued Webmentions show as queue depth', async () => {
    const res = await server.postForm('/webmention', { source: 'http://127.0.0.1:9/a-source', target: POST });
    assert.equal(res.status, 201);
    const m = await scrape();
    assert.equal(m.get('backtalk_webmention_queue_depth'), 1);
  });

  test('each app counts only its own requests (one registry per app, no global state)', async () => {
    const other = await startTestServer();
    try {
      await other.postJson('/comments', { target: POST, body: 'Elsewhere.' });
      const res = await other.request('/metrics', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      const m = parseExposition(await res.text());
      assert.equal(m.get('backtalk_http_requests_total{method="POST",route="/comments",status="201"}'), 1);
    } finally {
      await other.close();
    }
  });
});

describe('BACKTALK_METRICS_PORT', () => {
  test('the real process serves /metrics on a second port without a token; the main port still wants it', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'backtalk-metrics-port-'));
    const server = await spawnServer({ BACKTALK_PORT: '0', BACKTALK_METRICS_PORT: '0', BACKTALK_DB: join(dir, 'b.db'), BACKTALK_ADMIN_TOKEN: ADMIN_TOKEN }, dir);
    try {
      const at = /Metrics on (http:\/\/\S+)/.exec(server.stdout())?.[1];
      assert.ok(at, `the metrics address is printed: ${server.stdout()}`);
      assert.notEqual(new URL(at).port, new URL(server.url).port);
      await fetch(`${server.url}/healthz`);
      const open = await fetch(at);
      assert.equal(open.status, 200);
      const m = parseExposition(await open.text());
      assert.equal(m.get('backtalk_http_requests_total{method="GET",route="/healthz",status="200"}'), 1);
      assert.equal((await fetch(new URL('/api/comments', at))).status, 404, 'nothing else on that port');
      assert.equal((await fetch(`${server.url}/metrics`)).status, 401);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
