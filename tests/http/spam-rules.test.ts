/**
 * The local spam rules and moderation modes over HTTP: honeypot, link count, blocked words,
 * duplicates, the rate limit, `BACKTALK_MODERATION`, and how much of the client IP is kept.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';

import { POST, startTestServer, type TestServer } from '../helpers/test-server.js';
import { adminFind, adminList, assertErrorShape, listIds, moderate, postComment, reasonText } from './http-support.js';

async function start(t: TestContext, env: Record<string, string> = {}): Promise<TestServer> {
  const server = await startTestServer(env);
  t.after(() => server.close());
  return server;
}

describe('honeypot', () => {
  it('files a comment with website2 filled as spam, answers pending, lists nothing', async (t) => {
    const server = await start(t);
    const c = await postComment(server, { body: 'Great post, visit my shop', author: 'Bot', website2: 'http://shop.example/' });
    assert.equal(c.status, 'pending');
    assert.deepEqual(await listIds(server), []);
    const spam = (await adminList(server, 'spam')).find((x) => x.id === c.id);
    assert.ok(spam, 'not in the spam list');
    assert.equal(spam.status, 'spam');
    assert.match(reasonText(spam), /honeypot/);
    assert.ok(!(await adminList(server, 'pending')).some((x) => x.id === c.id));
  });

  it('files a form post with website2 filled as spam too', async (t) => {
    const server = await start(t);
    const res = await server.postForm('/comments', { target: POST, body: 'form bot', website2: 'x' });
    assert.equal(res.status, 303);
    assert.ok(!(res.headers.get('location') ?? '').includes('#comment-'), 'spam must not be redirected to as published');
    assert.deepEqual(await listIds(server), []);
    assert.equal((await adminList(server, 'spam')).length, 1);
  });

  it('lets an empty website2 through', async (t) => {
    const server = await start(t);
    const c = await postComment(server, { body: 'human', website2: '' });
    assert.equal(c.status, 'approved');
    assert.deepEqual(await listIds(server), [c.id]);
  });
});

describe('links', () => {
  it('holds a comment with more links than BACKTALK_MAX_LINKS, reason too-many-links', async (t) => {
    const server = await start(t, { BACKTALK_MAX_LINKS: '2' });
    const ok = await postComment(server, { body: 'two: https://a.example/ and https://b.example/' });
    assert.equal(ok.status, 'approved');
    const c = await postComment(server, { body: 'three: https://a.example/ https://b.example/ [c](https://c.example/)' });
    assert.equal(c.status, 'pending');
    assert.deepEqual(await listIds(server), [ok.id]);
    const held = (await adminList(server, 'pending')).find((x) => x.id === c.id);
    assert.ok(held, 'not in the pending list');
    assert.match(reasonText(held), /too-many-links/);
  });
});

describe('blocked words', () => {
  it('files a comment containing a blocked word as spam, in any case and any field', async (t) => {
    const server = await start(t, { BACKTALK_BLOCKED_WORDS: 'casino,viagra' });
    const body = await postComment(server, { body: 'Best CASINO bonuses here' });
    const author = await postComment(server, { body: 'Nice article', author: 'Cheap Viagra' });
    const clean = await postComment(server, { body: 'A perfectly normal comment' });
    assert.equal(body.status, 'pending');
    assert.equal(author.status, 'pending');
    assert.equal(clean.status, 'approved');
    assert.deepEqual(await listIds(server), [clean.id]);
    const spamIds = (await adminList(server, 'spam')).map((x) => x.id).sort();
    assert.deepEqual(spamIds, [body.id, author.id].sort());
  });
});

describe('duplicates', () => {
  it('refuses the same body from the same author on the same thread with 409 duplicate', async (t) => {
    const server = await start(t);
    const first = await postComment(server, { body: 'Same words', author: 'Ann', email: 'ann@mail.example' });
    const res = await server.postJson('/comments', { target: POST, body: 'Same words', author: 'Ann', email: 'ann@mail.example' });
    const error = await assertErrorShape(res, 409);
    assert.equal(error.code, 'duplicate');
    assert.deepEqual(await listIds(server), [first.id]);
  });

  it('accepts the same words from someone else', async (t) => {
    const server = await start(t);
    await postComment(server, { body: '+1', author: 'Ann' });
    await postComment(server, { body: '+1', author: 'Bob' });
    assert.equal((await listIds(server)).length, 2);
  });
});

describe('rate limit', () => {
  it('answers the third post in a minute with 429, Retry-After and the error shape', async (t) => {
    const server = await start(t, { BACKTALK_RATE_LIMIT: '2' });
    await postComment(server, { body: 'one' });
    await postComment(server, { body: 'two' });
    const res = await server.postJson('/comments', { target: POST, body: 'three' });
    const retryAfter = res.headers.get('retry-after');
    const error = await assertErrorShape(res, 429);
    assert.equal(error.code, 'rate-limited');
    assert.match(retryAfter ?? '', /^\d+$/, `Retry-After is ${retryAfter}`);
    assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 60);
    assert.equal((await listIds(server)).length, 2);
  });

  it('does not limit when BACKTALK_RATE_LIMIT is 0', async (t) => {
    const server = await start(t, { BACKTALK_RATE_LIMIT: '0' });
    for (let i = 0; i < 8; i++) await postComment(server, { body: `comment ${i}` });
    assert.equal((await listIds(server)).length, 8);
  });
});

describe('moderation modes', () => {
  it('all: every comment is held', async (t) => {
    const server = await start(t, { BACKTALK_MODERATION: 'all' });
    const c = await postComment(server, { body: 'held', email: 'ann@mail.example' });
    assert.equal(c.status, 'pending');
    assert.deepEqual(await listIds(server), []);
    assert.deepEqual((await adminList(server, 'pending')).map((x) => x.id), [c.id]);
  });

  it('first-time: the first comment of an e-mail is held, the next one after approval is published', async (t) => {
    const server = await start(t, { BACKTALK_MODERATION: 'first-time' });
    const first = await postComment(server, { body: 'hello, first time', author: 'Ann', email: 'ann@mail.example' });
    assert.equal(first.status, 'pending');
    const stranger = await postComment(server, { body: 'me too', author: 'Bob', email: 'bob@mail.example' });
    assert.equal(stranger.status, 'pending');
    assert.equal((await moderate(server, first.id, 'approve')).status, 200);
    const second = await postComment(server, { body: 'back again', author: 'Ann', email: 'ANN@mail.example' });
    assert.equal(second.status, 'approved');
    const other = await postComment(server, { body: 'still new', author: 'Bob', email: 'bob@mail.example' });
    assert.equal(other.status, 'pending');
    assert.deepEqual(await listIds(server), [first.id, second.id]);
  });

  it('auto: a clean comment is published at once', async (t) => {
    const server = await start(t, { BACKTALK_MODERATION: 'auto' });
    const c = await postComment(server, { body: 'instant' });
    assert.equal(c.status, 'approved');
    assert.deepEqual(await listIds(server), [c.id]);
  });
});

describe('stored IP', () => {
  it('keeps only the /24 of an IPv4 client by default', async (t) => {
    const server = await start(t);
    const c = await postComment(server, { body: 'where am I' });
    const stored = await adminFind(server, c.id);
    assert.ok(stored);
    assert.equal(stored.ip, '127.0.0.0');
  });

  it('keeps the whole address with BACKTALK_KEEP_IP=true', async (t) => {
    const server = await start(t, { BACKTALK_KEEP_IP: 'true' });
    const c = await postComment(server, { body: 'where am I' });
    const stored = await adminFind(server, c.id);
    assert.ok(stored);
    assert.equal(stored.ip, '127.0.0.1');
  });
});
