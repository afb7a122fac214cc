/**
 * Source-side faults of pingback.ping (Pingback 1.0 §3; protocols.md table 7.2 P2, P7, P8): 16 when
 * the source cannot be had (nothing listening, a non-2xx answer even with a linking body, no answer
 * within the fetch timeout), 17 when it is there but does not link to the target with a real
 * `<a href>` a reader sees. Every fault arrives with HTTP 200, and nothing is stored.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { FAULT, POST, PRIVATE_FETCH, allRows, deadPort, expectFault, linkbackLog, linkingPage, ping } from './support.js';
import { useLinkbackServer } from '../helpers/fixtures.js';

const { server, source } = useLinkbackServer(PRIVATE_FETCH);

describe('fault 16: the source does not exist', () => {
  it('nothing listens on the source port (connection refused)', async () => {
    const from = `http://127.0.0.1:${await deadPort()}/post`;
    expectFault(await ping(server, from), FAULT.sourceNotFound);
  });

  for (const status of [404, 500]) {
    it(`the source answers ${status} with a page that links to the target`, async () => {
      const path = `/status/${status}`;
      source.set(path, { ...linkingPage(POST, `Error ${status}`), status });
      expectFault(await ping(server, source.url(path)), FAULT.sourceNotFound);
      assert.equal(source.hits(path), 1, 'the source was asked');
    });
  }

  // The fetch timeout is seen by what it produces: the fault, and the logged reason that only the
  // fetch deadline gives. The test's own timeout only guards against a hang.
  it('the source accepts the connection and never answers: fault 16 once the 10 s fetch timeout fires', { timeout: 60_000 }, async () => {
    source.set('/hangs', { body: '', hang: true });
    expectFault(await ping(server, source.url('/hangs')), FAULT.sourceNotFound);
    assert.equal(source.hits('/hangs'), 1);
    const [attempt] = (await linkbackLog(server)).filter((entry) => entry.source === source.url('/hangs'));
    assert.ok(attempt, 'the refusal is in the linkback log');
    assert.equal(attempt.outcome, 'refused');
    assert.match(attempt.reason ?? '', /did not answer in time|timed out/, 'refused because the deadline fired');
  });

  it('stored nothing for any of them', async () => {
    assert.deepEqual((await allRows(server)).map((r) => r.source), []);
  });
});

describe('fault 17: the source does not link to the target', () => {
  const page = (title: string, inner: string) => ({
    body: `<!doctype html><html><head><title>${title}</title></head><body>${inner}</body></html>`,
  });
  const cases: Array<[string, string]> = [
    ['the target URL only as plain text', `<p>Read ${POST} for more.</p>`],
    ['the link only inside <script>', `<p>Nothing here.</p><script>document.write('<a href="${POST}">post</a>');</script>`],
    ['the link only inside <style>', `<style>/* <a href="${POST}">post</a> */ a[href="${POST}"] { color: red }</style><p>Nothing.</p>`],
    ['the link only inside an HTML comment', `<p>Nothing.</p><!-- <a href="${POST}">old link</a> -->`],
    ['a link to another page of the same blog', `<p>See <a href="http://blog.example/2026/11/other/">other</a>.</p>`],
  ];
  for (const [name, inner] of cases) {
    it(name, async () => {
      const path = `/no-link/${encodeURIComponent(name)}`;
      source.set(path, page(name, inner));
      expectFault(await ping(server, source.url(path)), FAULT.noLink);
      assert.equal(source.hits(path), 1, 'the source was fetched');
    });
  }

  it('stored nothing', async () => {
    assert.deepEqual((await allRows(server)).map((r) => r.source), []);
  });
});
