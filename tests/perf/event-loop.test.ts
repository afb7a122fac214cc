/**
 * Heavy input must not stall other requests (issue 6, point 3): while 20 linkback verifications of
 * ~1 MiB source pages run (10 Pingbacks, 10 TrackBacks, sources on local servers), together with a
 * comment at the body limit full of markup to sanitize and a ~60 KiB XML-RPC call to decode, this
 * process's event-loop delay (perf_hooks.monitorEventLoopDelay) stays under 50 ms at the 99th
 * percentile. The server runs in this process, so its loop is the one measured. This is a bound on
 * the loop's longest stalls, not a throughput timing: it does not depend on how fast the machine is
 * unless a single parse blocks for tens of milliseconds.
 */
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';

import { startSourceServer, type SourceServer } from '../helpers/source-server.js';
import { POST, startTestServer, type TestServer } from '../helpers/test-server.js';

const P99_LIMIT_MS = 50;
const VERIFICATIONS = 20;
const SOURCE_HOSTS = 4; // Backtalk fetches at most 2 pages per host at once; 20 at once need several hosts.

/** A long blog page of about `bytes` bytes: nested blocks, many links, microformats, the target link near the end. */
function bigPage(bytes: number, target: string, n: number): string {
  const block = (i: number) =>
    `<div class="comment h-cite"><p class="p-author h-card"><a class="u-url" href="https://people.example/${i}">Reader ${i}</a></p>` +
    `<div class="e-content"><p>Paragraph ${i} of a very long page: <em>emphasis</em>, <strong>strong</strong>, ` +
    `<a href="https://elsewhere.example/${n}/${i}">a link elsewhere</a> and &amp; some entities &lt;here&gt;.</p>` +
    `<ul><li>one</li><li>two <code>x &lt; y</code></li></ul></div></div>\n`;
  const head = `<!doctype html><html><head><meta charset="utf-8"><title>Big page ${n}</title></head><body>` +
    `<article class="h-entry"><h1 class="p-name">Big page ${n}</h1><div class="e-content">`;
  const tail = `<p>And finally, <a href="${target}">the post this is about</a>.</p></div></article></body></html>`;
  const parts: string[] = [head];
  let size = head.length + tail.length;
  for (let i = 0; size < bytes; i++) {
    const b = block(i);
    parts.push(b);
    size += b.length;
  }
  parts.push(tail);
  return parts.join('');
}

/** About 60 KiB of XML-RPC: pingback.ping with a 1,400-element array (decoded in full, then refused). */
function bigXmlRpcCall(): string {
  const values = Array.from({ length: 1400 }, (_, i) => `<value><string>item-${i}-pad</string></value>`).join('');
  return `<?xml version="1.0"?><methodCall><methodName>pingback.ping</methodName><params>` +
    `<param><value><array><data>${values}</data></array></value></param>` +
    `<param><value><string>${POST}</string></value></param></params></methodCall>`;
}

/** 10,000 characters (the body limit) of Markdown and HTML for the sanitizer, in a ~60 KiB JSON request. */
function heavyComment(): string {
  const piece = '**bold** _it_ <b onclick="x()">b</b> <a href="javascript:alert(1)">x</a> [link](https://a.example/) `code` ';
  let body = '';
  while (body.length + piece.length <= 10_000) body += piece;
  return body;
}

describe('event loop under heavy parsing', () => {
  let server: TestServer;
  const sources: SourceServer[] = [];

  before(async () => {
    server = await startTestServer({ BACKTALK_ALLOW_PRIVATE_FETCH: 'true' });
    for (let h = 1; h <= SOURCE_HOSTS; h++) sources.push(await startSourceServer(`127.0.0.${h}`));
  });
  after(async () => {
    await server.close();
    for (const s of sources) await s.close();
  });

  it(`p99 event-loop delay stays under ${P99_LIMIT_MS} ms while ${VERIFICATIONS} 1 MiB sources are verified`, async () => {
    const xmlrpc = bigXmlRpcCall();
    assert.ok(xmlrpc.length > 55_000 && xmlrpc.length < 64 * 1024, `XML-RPC call is ${xmlrpc.length} bytes`);

    // Warm-up, not measured: the first request of each kind loads modules (lazily required
    // encodings, the XML-RPC parser, the worker threads), which is start-up, not parsing.
    for (let i = 0; i < 2; i++) {
      const warm = sources[i]!;
      warm.set('/warm-page', { body: bigPage(40 * 1024, POST, 1000 + i), contentType: 'text/html; charset=utf-8' });
      const url = warm.url('/warm-page');
      const pingback = await server.request('/xmlrpc', {
        method: 'POST', headers: { 'content-type': 'text/xml' },
        body: `<?xml version="1.0"?><methodCall><methodName>pingback.ping</methodName><params><param><value><string>${url}</string></value></param>` +
          `<param><value><string>${i === 0 ? POST : `${POST}warm/`}</string></value></param></params></methodCall>`,
      });
      assert.equal(pingback.status, 200);
      await pingback.text();
      const trackback = await server.postForm(`/trackback?target=${encodeURIComponent(`${POST}warm/`)}`, { url, title: 'Warm', blog_name: 'Warm', excerpt: 'warm' });
      assert.match(await trackback.text(), /<error>1<\/error>/); // the page links to POST only: refused, after the same decoding
      const comment = await server.postJson('/comments', { target: `${POST}warm/`, author: 'Warm', body: heavyComment().slice(0, 3000 + i) });
      assert.equal(comment.status, 201);
      await comment.text();
    }

    /** One measured pass against its own target and pages; returns the p99 and max delay in ms. */
    const measurePass = async (round: number): Promise<{ p99: number; max: number }> => {
      const target = round === 0 ? POST : `${POST}pass-${round}/`;
      const urls: string[] = [];
      for (let i = 0; i < VERIFICATIONS; i++) {
        const source = sources[i % SOURCE_HOSTS]!;
        source.set(`/big-${round}-${i}`, { body: bigPage(1000 * 1024, target, i), contentType: 'text/html; charset=utf-8' });
        urls.push(source.url(`/big-${round}-${i}`));
      }
      const histogram = monitorEventLoopDelay({ resolution: 5 });
      histogram.enable();
      const started = performance.now();
      const results = await Promise.all([
        ...urls.map((url, i) => i % 2 === 0
          ? server.request('/xmlrpc', {
            method: 'POST', headers: { 'content-type': 'text/xml' },
            body: `<?xml version="1.0"?><methodCall><methodName>pingback.ping</methodName><params><param><value><string>${url}</string></value></param>` +
              `<param><value><string>${target}</string></value></param></params></methodCall>`,
          }).then(async (r) => ({ kind: 'pingback', status: r.status, text: await r.text() }))
          : server.postForm(`/trackback?target=${encodeURIComponent(target)}`, { url, title: `Big ${i}`, blog_name: 'Big blog', excerpt: 'big' })
            .then(async (r) => ({ kind: 'trackback', status: r.status, text: await r.text() }))),
        server.postJson('/comments', { target, author: 'Heavy', body: `${heavyComment().slice(0, 9_990)} pass ${round}` })
          .then(async (r) => ({ kind: 'comment', status: r.status, text: await r.text() })),
        server.request('/xmlrpc', { method: 'POST', headers: { 'content-type': 'text/xml' }, body: xmlrpc })
          .then(async (r) => ({ kind: 'xmlrpc', status: r.status, text: await r.text() })),
      ]);
      histogram.disable();
      const elapsed = performance.now() - started;

      // The work was really done: every linkback verified and stored, the comment sanitized, the call decoded.
      for (const r of results) {
        if (r.kind === 'pingback') assert.ok(r.status === 200 && !r.text.includes('<fault>'), `pingback: ${r.text.slice(0, 300)}`);
        if (r.kind === 'trackback') assert.match(r.text, /<error>0<\/error>/, `trackback: ${r.text.slice(0, 300)}`);
        if (r.kind === 'comment') {
          assert.equal(r.status, 201, r.text.slice(0, 300));
          assert.doesNotMatch(r.text, /onclick|javascript:/);
        }
        if (r.kind === 'xmlrpc') assert.match(r.text, /<fault>/); // decoded, then refused: wrong parameters
      }
      const listed = await (await server.request(`/api/comments?target=${encodeURIComponent(target)}`)).json() as { comments: Array<{ type: string }> };
      // Pass 0's target also has the first warm-up pingback.
      assert.equal(listed.comments.filter((c) => c.type === 'pingback' || c.type === 'trackback').length, VERIFICATIONS + (round === 0 ? 1 : 0));

      const p99 = histogram.percentile(99) / 1e6;
      const max = histogram.max / 1e6;
      process.stdout.write(`# pass ${round}: event-loop delay over ${elapsed.toFixed(0)} ms: p50 ${(histogram.percentile(50) / 1e6).toFixed(1)} ms, ` +
        `p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms\n`);
      return { p99, max };
    };

    // A second pass only when the first misses: other processes on a shared machine can only add delay
    // to this loop, never remove it, so one pass under the limit shows the code does not stall it.
    let { p99, max } = await measurePass(0);
    if (p99 >= P99_LIMIT_MS) ({ p99, max } = await measurePass(1));
    assert.ok(p99 < P99_LIMIT_MS, `event-loop delay p99 ${p99.toFixed(1)} ms (max ${max.toFixed(1)} ms)`);
  });
});
