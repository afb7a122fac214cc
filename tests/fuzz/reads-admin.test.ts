/**
 * Hostile input at the read API (GET /api/comments, GET /api/counts with random and repeated
 * targets) and at the admin API with random bearer tokens: never a 5xx, the JSON error shape, and a
 * request without the right token changes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { ADMIN_TOKEN } from '../helpers/test-server.js';
import { assertJsonError, nastyString, pct, POST, runs, startFuzzServer, urlish, type FuzzServer } from './support.js';

let server: FuzzServer;
const ids: number[] = [];
before(async () => {
  server = await startFuzzServer();
  for (const body of ['One.', 'Two.', 'Three.']) {
    const res = await server.postJson('/comments', { target: POST, author: 'Reader', body });
    ids.push(((await res.json()) as { id: number }).id);
  }
});
after(async () => server.close());

test('GET /api/comments and /api/counts with random, repeated and odd targets: 200 or a JSON 4xx', async () => {
  const target = fc.oneof(urlish, fc.constant(POST));
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('/api/comments', '/api/counts'),
      fc.array(fc.tuple(fc.constantFrom('target', 'target[]', 'target[0]', '__proto__', 'x', 'fragment'), target), { maxLength: 120 }),
      async (path, params) => {
        const query = params.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&');
        const res = await server.request(`${path}?${query}`);
        const text = await res.text();
        assert.ok(res.status === 200 || (res.status >= 400 && res.status < 500), `HTTP ${res.status} for ${path}?${query.slice(0, 200)}: ${text.slice(0, 200)}`);
        if (res.status !== 200) assertJsonError(text, res.status);
        else assert.equal(typeof JSON.parse(text), 'object');
      },
    ),
    runs(300),
  );
  await server.assertAlive();
});

test('the admin API with random tokens and actions: 401 in the JSON error shape, nothing changes', async () => {
  const snapshot = async () => JSON.stringify(await Promise.all(ids.map((id) => server.deps.store.comments.findById(id))));
  const before = await snapshot();
  const token = fc.oneof(
    fc.constant(ADMIN_TOKEN.slice(0, -1)), fc.constant(`${ADMIN_TOKEN}x`), fc.constant(ADMIN_TOKEN.toUpperCase()),
    fc.string({ unit: 'binary-ascii', maxLength: 100 }).filter((t) => !/[\r\n\0]/.test(t)),
  );
  const scheme = fc.constantFrom('Bearer ', 'bearer ', 'Basic ', 'Token ', '', 'Bearer  ');
  await fc.assert(
    fc.asyncProperty(
      scheme, token,
      fc.constantFrom(...ids.map((id) => `/api/admin/comments/${id}`), '/api/admin/comments/bulk', '/api/admin/comments?status=spam', '/api/admin/counts', '/metrics'),
      fc.record({ action: fc.constantFrom('approve', 'spam', 'ham', 'trash', 'delete'), ids: fc.constant(ids) }),
      async (sch, tok, path, body) => {
        fc.pre(!(tok === ADMIN_TOKEN && /^bearer +$/i.test(sch)));
        let res: Response;
        try {
          const method = /\/comments\/(\d+|bulk)$/.test(path) ? 'POST' : 'GET';
          res = await server.request(path, { method, headers: { authorization: `${sch}${tok}`, 'content-type': 'application/json' }, body: method === 'POST' ? JSON.stringify(body) : undefined });
        } catch (err) {
          if (err instanceof TypeError) return; // fetch refused the header value itself
          throw err;
        }
        const text = await res.text();
        assert.equal(res.status, 401, `${path} with "${sch}${tok}": ${res.status} ${text.slice(0, 200)}`);
        assertJsonError(text, res.status);
      },
    ),
    runs(300),
  );
  assert.equal(await snapshot(), before, 'no comment changed');
  await server.assertAlive();
});
