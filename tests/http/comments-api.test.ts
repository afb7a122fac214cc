/**
 * The readers' comment API over real HTTP (contract, "Comments (readers)" and "Targets and threads"):
 * posting as JSON and as a plain form, listing, counting, errors, replies, CORS.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';

import { ADMIN_TOKEN, POST, SITE, startTestServer, type TestServer } from '../helpers/test-server.js';
import {
  PUBLIC_COMMENT_KEYS, adminList, allKeys, assertErrorShape, listComments, listIds, postComment,
  type PublicComment,
} from './http-support.js';

const OTHER_POST = `${SITE}/2026/12/other/`;
const EMAIL = 'secret-reader@mail.example';

async function start(t: TestContext, env: Record<string, string> = {}): Promise<TestServer> {
  const server = await startTestServer(env);
  t.after(() => server.close());
  return server;
}

describe('POST /comments as JSON', () => {
  it('answers 201 with exactly the public comment shape plus status and edit_token', async (t) => {
    const server = await start(t);
    const res = await server.postJson('/comments', {
      target: POST, body: 'Hello there', author: 'Ann', email: EMAIL, url: 'https://ann.example/',
    });
    assert.equal(res.status, 201);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const c = (await res.json()) as PublicComment;
    assert.deepEqual(Object.keys(c).sort(), [...PUBLIC_COMMENT_KEYS, 'edit_token', 'status'].sort());
    assert.equal(typeof c.id, 'number');
    assert.equal(c.parent, null);
    assert.equal(c.type, 'comment');
    assert.equal(c.author, 'Ann');
    assert.equal(c.url, 'https://ann.example/');
    assert.match(c.avatar, /^https?:\/\//);
    assert.match(c.body_html, /<p>Hello there<\/p>/);
    assert.match(c.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.equal(c.edited, null);
    assert.equal(c.source, null);
    assert.equal(c.title, null);
    assert.equal(c.status, 'approved');
    assert.equal(typeof c.edit_token, 'string');
    assert.ok(c.edit_token!.length >= 16, 'edit token is too short to be unguessable');
  });

  it('never returns the e-mail address or the IP in public responses', async (t) => {
    const server = await start(t);
    const posted = await server.postJson('/comments', { target: POST, body: 'Private?', author: 'Ann', email: EMAIL });
    assert.equal(posted.status, 201);
    const listed = await server.request(`/api/comments?target=${encodeURIComponent(POST)}`);
    const counted = await server.request(`/api/counts?target=${encodeURIComponent(POST)}`);
    for (const res of [posted, listed, counted]) {
      const text = await res.text();
      assert.ok(!text.toLowerCase().includes(EMAIL), `the address leaked: ${text}`);
      const keys = allKeys(JSON.parse(text));
      for (const forbidden of ['email', 'ip', 'user_agent']) assert.ok(!keys.has(forbidden), `public JSON has "${forbidden}"`);
    }
    const list = JSON.parse(await (await server.request(`/api/comments?target=${encodeURIComponent(POST)}`)).text()) as { comments: PublicComment[] };
    assert.deepEqual(Object.keys(list.comments[0]!).sort(), [...PUBLIC_COMMENT_KEYS].sort());
  });

  it('ignores fields a reader may not set: status and id', async (t) => {
    const server = await start(t, { BACKTALK_MODERATION: 'all' });
    const c = await postComment(server, { body: 'Let me in', status: 'approved', id: 424242, deleted: false });
    assert.equal(c.status, 'pending');
    assert.notEqual(c.id, 424242);
    assert.deepEqual(await listIds(server), []);
    const pending = await adminList(server, 'pending');
    assert.deepEqual(pending.map((p) => p.id), [c.id]);
  });

  it('answers a comment held for moderation with 201 and status pending', async (t) => {
    const server = await start(t, { BACKTALK_MODERATION: 'all' });
    const c = await postComment(server, { body: 'Held please' });
    assert.equal(c.status, 'pending');
    assert.equal(typeof c.edit_token, 'string');
  });
});

describe('POST /comments as a plain HTML form', () => {
  it('redirects 303 to TARGET#comment-ID when approved', async (t) => {
    const server = await start(t);
    const res = await server.postForm('/comments', { target: POST, body: 'From a form', author: 'Bo' });
    assert.equal(res.status, 303);
    const location = res.headers.get('location') ?? '';
    const match = /^(.*)#comment-(\d+)$/.exec(location);
    assert.ok(match, `Location "${location}" is not TARGET#comment-ID`);
    assert.equal(match[1], POST);
    const list = await listComments(server);
    assert.deepEqual(list.comments.map((c) => c.id), [Number(match[2])]);
    assert.equal(list.comments[0]!.author, 'Bo');
  });

  it('redirects 303 to a page saying the comment awaits moderation when held', async (t) => {
    const server = await start(t, { BACKTALK_MODERATION: 'all' });
    const res = await server.postForm('/comments', { target: POST, body: 'Held form comment' });
    assert.equal(res.status, 303);
    const location = res.headers.get('location');
    assert.ok(location, 'no Location header');
    assert.ok(!location.includes('#comment-'), 'a held comment must not be linked as if published');
    const page = await fetch(new URL(location, server.url));
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await page.text(), /await(s|ing) moderation/i);
    assert.deepEqual(await listIds(server), []);
  });

  it('answers 201 JSON to a form post that accepts application/json', async (t) => {
    const server = await start(t);
    const res = await server.postForm('/comments', { target: POST, body: 'Form via fetch' }, { accept: 'application/json' });
    assert.equal(res.status, 201);
    const c = (await res.json()) as PublicComment;
    assert.equal(c.status, 'approved');
    assert.match(c.body_html, /Form via fetch/);
    assert.equal(typeof c.edit_token, 'string');
  });

  it('answers invalid form input with a 400 HTML page', async (t) => {
    const server = await start(t);
    const res = await server.postForm('/comments', { target: POST, body: '   ' });
    assert.equal(res.status, 400);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    const html = await res.text();
    assert.match(html, /<html/i);
    assert.throws(() => JSON.parse(html));
    assert.deepEqual(await listIds(server), []);
  });
});

describe('GET /api/comments', () => {
  it('lists approved comments only, oldest first, with total', async (t) => {
    const server = await start(t, { BACKTALK_MODERATION: 'all' });
    const first = await postComment(server, { body: 'First' });
    const second = await postComment(server, { body: 'Second' });
    const held = await postComment(server, { body: 'Still held' });
    for (const id of [second.id, first.id]) {
      const res = await server.admin(`/api/admin/comments/${id}`, { method: 'POST', body: JSON.stringify({ action: 'approve' }) });
      assert.equal(res.status, 200);
    }
    const list = await listComments(server);
    assert.equal(list.target, POST);
    assert.equal(list.total, 2);
    assert.deepEqual(list.comments.map((c) => c.id), [first.id, second.id]);
    assert.ok(!list.comments.some((c) => c.id === held.id));
  });

  it('answers an unknown thread with an empty list', async (t) => {
    const server = await start(t);
    const list = await listComments(server, `${SITE}/never/commented/`);
    assert.equal(list.total, 0);
    assert.deepEqual(list.comments, []);
  });

  it('treats an unnormalized spelling of the target as the same thread', async (t) => {
    const server = await start(t);
    const c = await postComment(server, { target: 'HTTP://Blog.Example:80/2026/11/hello/#x', body: 'Normalized' });
    const list = await listComments(server, POST);
    assert.equal(list.target, POST);
    assert.deepEqual(list.comments.map((x) => x.id), [c.id]);
    const viaOddSpelling = await listComments(server, 'http://BLOG.example:80/2026/11/hello/#frag');
    assert.equal(viaOddSpelling.target, POST);
    assert.deepEqual(viaOddSpelling.comments.map((x) => x.id), [c.id]);
  });
});

describe('errors', () => {
  it('refuses a target outside BACKTALK_SITES with 403 and the error shape', async (t) => {
    const server = await start(t);
    const res = await server.postJson('/comments', { target: 'http://evil.example/2026/11/hello/', body: 'Hi' });
    await assertErrorShape(res, 403);
    const listRes = await server.request(`/api/comments?target=${encodeURIComponent('http://evil.example/x')}`);
    await assertErrorShape(listRes, 403);
  });

  it('answers a missing body with 400 and field "body"', async (t) => {
    const server = await start(t);
    const res = await server.postJson('/comments', { target: POST, author: 'Ann' });
    await assertErrorShape(res, 400, 'body');
    assert.deepEqual(await listIds(server), []);
  });

  it('answers a request body over 64 KiB with 413 and the error shape', async (t) => {
    const server = await start(t);
    const res = await server.postJson('/comments', { target: POST, body: 'x'.repeat(70 * 1024) });
    await assertErrorShape(res, 413);
    assert.deepEqual(await listIds(server), []);
  });

  it('answers invalid JSON with 400 and the error shape', async (t) => {
    const server = await start(t);
    const res = await server.request('/comments', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"target": "http://blog.example/", body',
    });
    await assertErrorShape(res, 400);
  });

  it('answers an unknown route with 404 and the error shape', async (t) => {
    const server = await start(t);
    await assertErrorShape(await server.request('/no/such/route'), 404);
    await assertErrorShape(await server.postJson('/api/nothing-here', {}), 404);
  });

  it('answers a text/plain post with 415 and the error shape', async (t) => {
    const server = await start(t);
    const res = await server.request('/comments', {
      method: 'POST', headers: { 'content-type': 'text/plain' }, body: `target=${POST}&body=hi`,
    });
    await assertErrorShape(res, 415);
    assert.deepEqual(await listIds(server), []);
  });
});

describe('replies', () => {
  it('accepts a parent in the same thread', async (t) => {
    const server = await start(t);
    const parent = await postComment(server, { body: 'Parent' });
    const reply = await postComment(server, { body: 'Reply', parent: parent.id });
    assert.equal(reply.parent, parent.id);
    const list = await listComments(server);
    assert.deepEqual(list.comments.map((c) => [c.id, c.parent]), [[parent.id, null], [reply.id, parent.id]]);
  });

  it('accepts parent as a form field too', async (t) => {
    const server = await start(t);
    const parent = await postComment(server, { body: 'Parent' });
    const res = await server.postForm('/comments', { target: POST, body: 'Form reply', parent: String(parent.id) });
    assert.equal(res.status, 303);
    const list = await listComments(server);
    assert.equal(list.comments[1]?.parent, parent.id);
  });

  it('refuses a parent from another thread with 400 field parent', async (t) => {
    const server = await start(t);
    const elsewhere = await postComment(server, { target: OTHER_POST, body: 'Elsewhere' });
    const res = await server.postJson('/comments', { target: POST, body: 'Wrong thread', parent: elsewhere.id });
    await assertErrorShape(res, 400, 'parent');
    assert.deepEqual(await listIds(server), []);
  });

  it('refuses a nonexistent parent with 400 field parent', async (t) => {
    const server = await start(t);
    const res = await server.postJson('/comments', { target: POST, body: 'Orphan', parent: 987654 });
    await assertErrorShape(res, 400, 'parent');
    assert.deepEqual(await listIds(server), []);
  });
});

describe('GET /api/counts', () => {
  it('keys the counts by the targets exactly as asked, 0 for unknown', async (t) => {
    const server = await start(t, { BACKTALK_MODERATION: 'all' });
    const a = await postComment(server, { body: 'One' });
    const b = await postComment(server, { body: 'Two' });
    await postComment(server, { body: 'Held' });
    await postComment(server, { target: OTHER_POST, body: 'Other' });
    for (const id of [a.id, b.id]) {
      const res = await server.admin(`/api/admin/comments/${id}`, { method: 'POST', body: JSON.stringify({ action: 'approve' }) });
      assert.equal(res.status, 200);
    }
    const odd = 'HTTP://Blog.Example:80/2026/11/hello/#comments';
    const unknown = `${SITE}/nobody/here/`;
    const query = [POST, odd, OTHER_POST, unknown].map((u) => `target=${encodeURIComponent(u)}`).join('&');
    const res = await server.request(`/api/counts?${query}`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { [POST]: 2, [odd]: 2, [OTHER_POST]: 0, [unknown]: 0 });
  });

  it('answers a single target param as a one-key object', async (t) => {
    const server = await start(t);
    await postComment(server, { body: 'Counted' });
    const res = await server.request(`/api/counts?target=${encodeURIComponent(POST)}`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { [POST]: 1 });
  });
});

describe('CORS', () => {
  it('allows the configured site origin on /api/comments', async (t) => {
    const server = await start(t);
    const res = await server.request(`/api/comments?target=${encodeURIComponent(POST)}`, { headers: { origin: SITE } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), SITE);
  });

  it('answers a preflight for POST /comments from the site origin', async (t) => {
    const server = await start(t);
    const res = await server.request('/comments', {
      method: 'OPTIONS',
      headers: { origin: SITE, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    assert.ok(res.status >= 200 && res.status < 300, `preflight answered ${res.status}`);
    assert.equal(res.headers.get('access-control-allow-origin'), SITE);
    assert.match(res.headers.get('access-control-allow-methods') ?? '', /POST/);
    assert.match(res.headers.get('access-control-allow-headers') ?? '', /content-type/i);
  });

  it('gives another origin no CORS headers', async (t) => {
    const server = await start(t);
    const evil = 'http://evil.example';
    const get = await server.request(`/api/comments?target=${encodeURIComponent(POST)}`, { headers: { origin: evil } });
    assert.equal(get.headers.get('access-control-allow-origin'), null);
    const preflight = await server.request('/comments', {
      method: 'OPTIONS', headers: { origin: evil, 'access-control-request-method': 'POST' },
    });
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
  });

  it('never opens /api/admin to browsers on other origins, even the site itself', async (t) => {
    const server = await start(t);
    const get = await server.request('/api/admin/comments?status=pending', {
      headers: { origin: SITE, authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    assert.equal(get.status, 200);
    assert.equal(get.headers.get('access-control-allow-origin'), null);
    const preflight = await server.request('/api/admin/comments/1', {
      method: 'OPTIONS',
      headers: { origin: SITE, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    });
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
  });
});

describe('GET /healthz', () => {
  it('answers 200 when the database answers', async (t) => {
    const server = await start(t);
    const res = await server.request('/healthz');
    assert.equal(res.status, 200);
  });
});
