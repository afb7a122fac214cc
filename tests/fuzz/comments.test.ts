/**
 * Hostile input at POST /comments (JSON and form) and at PUT/DELETE /api/comments/:id: random
 * fields, huge and odd Unicode, wrong types, nested objects, `__proto__` keys, broken JSON, odd
 * charsets. Never a 5xx, always the door's own error format, and a row only for a 201/303.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import {
  anyJson, assertJsonError, jsonObjectText, mutate, mutation, nastyString, pct, POST, runs, startFuzzServer, urlish, type FuzzServer,
} from './support.js';

const FIELDS = ['target', 'body', 'author', 'email', 'url', 'parent', 'website2', 'subscribe'];
const key = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...FIELDS) },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'status', 'id', 'ip', 'edit_token', 'kind', 'hasOwnProperty') },
  { weight: 1, arbitrary: nastyString(12) },
);
const value = fc.oneof(
  { weight: 6, arbitrary: nastyString() },
  { weight: 1, arbitrary: anyJson },
  { weight: 1, arbitrary: fc.object({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }).map((n) => 'x'.repeat(n * 30_000)) },
);

/** Mostly well-formed comments with some fields replaced: deep enough to reach the pipeline. */
const commentEntries = fc
  .tuple(
    fc.record({ target: fc.oneof({ weight: 3, arbitrary: fc.constant(POST) }, { weight: 1, arbitrary: urlish }), body: nastyString(200) }),
    fc.array(fc.tuple(key, value), { maxLength: 6 }),
  )
  .map(([base, extra]) => [['target', base.target], ['body', base.body], ...extra] as [string, unknown][]);

const ACCEPTED_JSON = new Set([201, 400, 403, 404, 409, 413, 415]);

let server: FuzzServer;
before(async () => (server = await startFuzzServer()));
after(async () => server.close());

async function send(body: string | Buffer, headers: Record<string, string>): Promise<{ status: number; type: string; text: string }> {
  const res = await server.request('/comments', { method: 'POST', headers, body });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

describe('POST /comments', () => {
  test('JSON: random fields and values, __proto__ and duplicate keys, broken bytes', async () => {
    let stored = 0;
    await fc.assert(
      fc.asyncProperty(commentEntries, fc.array(mutation, { maxLength: 2 }), fc.boolean(), async (entries, mutations, broken) => {
        const text = jsonObjectText(entries);
        const body = broken ? mutate(Buffer.from(text), mutations) : text;
        const before = server.counts().comments;
        const res = await send(body, { 'content-type': 'application/json' });
        assert.ok(res.status < 500, `5xx for ${text.slice(0, 300)}: ${res.text.slice(0, 300)}`);
        assert.ok(ACCEPTED_JSON.has(res.status), `unexpected ${res.status}: ${res.text.slice(0, 200)}`);
        assert.match(res.type, /^application\/json/);
        const after = server.counts().comments;
        if (res.status === 201) {
          const json = JSON.parse(res.text) as { id: number; edit_token: string; body_html: string };
          assert.ok(Number.isSafeInteger(json.id) && json.id > 0);
          assert.equal(typeof json.edit_token, 'string');
          assert.doesNotMatch(json.body_html, /<script|href\s*=\s*["']?\s*javascript:|<[^>]*\son\w+\s*=/i, 'stored HTML stays inert');
          assert.equal(after, before + 1);
          stored += 1;
        } else {
          assertJsonError(res.text, res.status);
          assert.equal(after, before, `a refused request (${res.status}) stored a row: ${text.slice(0, 200)}`);
        }
      }),
      runs(400),
    );
    assert.ok(stored > 50, `enough inputs reached the store to mean something (${stored})`);
    await server.assertAlive();
  });

  test('form: random fields (repeated ones too), percent-garbage, odd charsets, with and without Accept: JSON', async () => {
    const charset = fc.constantFrom('', '; charset=utf-8', '; charset=UTF-8', '; charset=iso-8859-1', '; charset=koi8-r', '; charset=utf-7', '; charset=bogus', '; charset=');
    const rawTail = fc.oneof(fc.constant(''), fc.constantFrom('&%', '&a=%zz', '&=', '&&&', '&body=%C0%AF', '&target=%00'), nastyString(20));
    await fc.assert(
      fc.asyncProperty(commentEntries, charset, rawTail, fc.boolean(), async (entries, cs, tail, wantsJson) => {
        const form = new URLSearchParams();
        for (const [k, v] of entries) form.append(k, typeof v === 'string' ? v : JSON.stringify(v) ?? '');
        const body = form.toString() + tail;
        const before = server.counts().comments;
        const res = await send(body, { 'content-type': `application/x-www-form-urlencoded${cs}`, ...(wantsJson ? { accept: 'application/json' } : {}) });
        assert.ok(res.status < 500, `5xx for ${body.slice(0, 300)}: ${res.text.slice(0, 300)}`);
        const after = server.counts().comments;
        const storedOne = wantsJson ? res.status === 201 : res.status === 303;
        assert.equal(after, before + (storedOne ? 1 : 0), `${res.status}: rows ${before} → ${after}`);
        if (storedOne) return;
        assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
        if (wantsJson) {
          assertJsonError(res.text, res.status);
        } else {
          assert.match(res.type, /^text\/html/, 'a reader posting a plain form gets an HTML page');
          assert.doesNotMatch(res.text, /<script/i);
        }
      }),
      runs(300),
    );
    await server.assertAlive();
  });

  test('other bodies: no or odd content types and encodings, empty, huge, binary', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(undefined, 'gzip', 'deflate', 'br', 'identity', 'bogus', 'gzip, gzip'),
        fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'application/json; charset=latin1', '', 'application/x-www-form-urlencoded;;;'),
        fc.oneof(fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)), fc.integer({ min: 60, max: 80 }).map((k) => Buffer.alloc(k * 1024, 'a'))),
        async (encoding, type, body) => {
          const before = server.counts().comments;
          const res = await send(body, { ...(type === '' ? {} : { 'content-type': type }), ...(encoding ? { 'content-encoding': encoding } : {}) });
          assert.ok(res.status >= 400 && res.status < 500, `status ${res.status} for ${type}: ${res.text.slice(0, 200)}`);
          assert.equal(server.counts().comments, before);
        },
      ),
      runs(150),
    );
    await server.assertAlive();
  });
});

describe('PUT and DELETE /api/comments/:id', () => {
  test('random ids, tokens and edit bodies: only the right token changes anything', async () => {
    const made = await server.postJson('/comments', { target: POST, author: 'Owner', body: 'The original text, fuzzed against.' });
    assert.equal(made.status, 201);
    const { id, edit_token: token } = (await made.json()) as { id: number; edit_token: string };
    const idText = fc.oneof(fc.constant(String(id)), fc.constantFrom('0', '-1', '1e3', '99999999999999999999', '%00', '%ff', '%E0%A4%A', '..', 'abc'), fc.nat().map(String), nastyString(10).map(pct));
    const tokenText = fc.oneof(fc.constant(token), fc.constant(token.slice(1)), fc.constant(token.toUpperCase()), fc.string({ unit: 'binary-ascii', maxLength: 80 }).filter((t) => !/[\r\n\0]/.test(t)), fc.constant(''));
    const editBody = fc.oneof(
      fc.record({ body: nastyString(100) }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
      fc.array(fc.tuple(fc.constantFrom('body', 'author', 'url', '__proto__', 'status', 'target'), value), { maxLength: 4 }).map(jsonObjectText),
      nastyString(50),
    );
    const original = () => server.deps.store.comments.findById(id);
    const first = await original();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('PUT', 'DELETE'), idText, tokenText, editBody, async (method, idPart, tok, body) => {
        // The right token on the right id is the one legitimate change; leave it out so the row stays.
        fc.pre(!(idPart === String(id) && tok === token));
        let res: Response;
        try {
          res = await server.request(`/api/comments/${idPart}`, { method, headers: { 'content-type': 'application/json', 'x-edit-token': tok }, body: method === 'PUT' ? body : undefined });
        } catch (err) {
          // fetch itself refuses some header values; that is the client, not the server.
          if (err instanceof TypeError) return;
          throw err;
        }
        const text = await res.text();
        assert.ok(res.status >= 400 && res.status < 500, `${method} ${idPart} → ${res.status}: ${text.slice(0, 200)}`);
        assertJsonError(text, res.status);
        const now = await original();
        assert.equal(now?.bodyRaw, first?.bodyRaw, 'the comment is unchanged');
        assert.equal(now?.deleted, first?.deleted);
      }),
      runs(300),
    );
    // And the right token still works afterwards.
    const ok = await server.request(`/api/comments/${id}`, { method: 'PUT', headers: { 'content-type': 'application/json', 'x-edit-token': token }, body: JSON.stringify({ body: 'Edited at last.' }) });
    assert.equal(ok.status, 200);
    await server.assertAlive();
  });
});
