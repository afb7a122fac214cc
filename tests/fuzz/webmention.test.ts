/**
 * Hostile input at POST /webmention and GET /webmention/status/:token: random source and target
 * strings, extra and repeated fields, query strings, odd content types and charsets. Never a 5xx;
 * refusals in the JSON error shape and with no queued job; an accepted one is queued once and its
 * status URL answers.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { assertJsonError, nastyString, pct, POST, runs, startFuzzServer, urlish, type FuzzServer } from './support.js';

let server: FuzzServer;
before(async () => (server = await startFuzzServer()));
after(async () => server.close());

let unique = 0;
const source = fc.oneof(
  { weight: 2, arbitrary: fc.constant('fresh').map(() => `http://source.example/post/${(unique += 1)}`) },
  { weight: 3, arbitrary: urlish },
);
const field = fc.tuple(fc.constantFrom('source', 'target', 'vouch', 'property', '__proto__', 'source[]', 'target[x]'), nastyString(40));

const query = fc.oneof(fc.constant(''), nastyString(30).map((q) => `?${pct(q)}`), fc.constantFrom('?source=http://x.example/', '?target=' + encodeURIComponent(POST), '?csrf=abc&csrf=def'));
const anyRequest = fc.record({
  src: fc.option(source, { nil: undefined }),
  target: fc.option(fc.oneof({ weight: 3, arbitrary: fc.constant(POST) }, { weight: 2, arbitrary: urlish }), { nil: undefined }),
  extra: fc.array(field, { maxLength: 3 }),
  query,
  type: fc.constantFrom('application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8', 'application/x-www-form-urlencoded; charset=koi8-r', 'application/json', 'text/plain', 'multipart/form-data; boundary=z', ''),
});
/** A Webmention a sender could mean, with a stray field or query string now and then. */
const plausible = fc.record({
  src: fc.constant('fresh').map(() => `http://source.example/post/${(unique += 1)}`),
  target: fc.constant(POST),
  extra: fc.array(fc.tuple(fc.constantFrom('vouch', 'property', '__proto__'), nastyString(20)), { maxLength: 1 }),
  query,
  type: fc.constantFrom('application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8'),
});

test('random sources, targets, fields and query strings: 201 with a working status URL, or a JSON 4xx and nothing queued', async () => {
  let accepted = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.oneof({ weight: 1, arbitrary: plausible }, { weight: 3, arbitrary: anyRequest }),
      async ({ src, target, extra, query, type }) => {
        const form = new URLSearchParams();
        if (src !== undefined) form.append('source', src);
        if (target !== undefined) form.append('target', target);
        for (const [k, v] of extra) form.append(k, v);
        const body = type === 'application/json' ? JSON.stringify(Object.fromEntries(form)) : form.toString();
        const before = server.counts();
        const res = await server.request(`/webmention${query}`, { method: 'POST', headers: type === '' ? {} : { 'content-type': type }, body });
        const text = await res.text();
        assert.ok(res.status < 500, `HTTP ${res.status} for ${body.slice(0, 300)}: ${text.slice(0, 300)}`);
        const after = server.counts();
        assert.equal(after.comments, before.comments, 'nothing is stored before verification');
        if (res.status === 201) {
          accepted += 1;
          assert.ok(after.webmentions - before.webmentions <= 1, 'at most one job queued');
          const location = res.headers.get('location');
          assert.ok(location, 'a Location header');
          const status = await server.request(new URL(location).pathname);
          assert.equal(status.status, 200);
          assert.equal(((await status.json()) as { status: string }).status, 'pending');
        } else {
          assert.ok(res.status >= 400, `status ${res.status}`);
          assertJsonError(text, res.status);
          assert.equal(after.webmentions, before.webmentions, `a refused Webmention (${res.status}) was queued`);
        }
      },
    ),
    runs(400),
  );
  assert.ok(accepted > 30, `enough accepted to mean something (${accepted})`);
  await server.assertAlive();
});

test('random status tokens: 404 or 400 in the JSON error shape, never a 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(nastyString(70).map(pct), fc.string({ unit: fc.constantFrom('a', 'Z', '0', '-', '_'), maxLength: 80 }), fc.constantFrom('%ff', '..', '%2e%2e', 'x'.repeat(5000))), async (token) => {
      const res = await server.request(`/webmention/status/${token}`);
      const text = await res.text();
      assert.ok(res.status === 404 || res.status === 400 || (res.status === 301 && token === ''), `HTTP ${res.status} for ${token.slice(0, 80)}: ${text.slice(0, 200)}`);
      if (res.status !== 301) assertJsonError(text, res.status);
    }),
    runs(300),
  );
  await server.assertAlive();
});
