/**
 * POST /webmention request checks (WM-SPEC §3.2.1, protocols.md table 7.3 W1-W9): a valid request is
 * queued with 201 + Location, every malformed one is a synchronous 400 in the JSON error shape, and
 * nothing is stored or fetched for a refusal.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';

import { POST, SITE } from '../helpers/test-server.js';
import { assertJsonError, linkingPage, pendingJobs, postRaw, PRIVATE_FETCH, readStatus, sendWebmention, thread } from './support.js';
import { useLinkbackServer } from '../helpers/fixtures.js';

const { server, source } = useLinkbackServer(PRIVATE_FETCH);

describe('a valid Webmention', () => {
  test('is answered 201 with an absolute Location status URL and JSON, pending until verified, then accepted and listed', async () => {
    // A slow source keeps verification visibly under way while the status URL is read.
    source.set('/valid', { ...linkingPage(POST, { title: 'Barnaby replies' }), delayMs: 400 });
    const res = await sendWebmention(server, source.url('/valid'), POST);
    assert.equal(res.status, 201);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const location = res.headers.get('location');
    assert.ok(location, 'webmention.rocks test 1: 201 MUST come with Location');
    const statusUrl = new URL(location); // throws unless absolute
    assert.equal(statusUrl.origin, server.url);
    assert.match(statusUrl.pathname, /^\/webmention\/status\/[A-Za-z0-9_-]+$/);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.status, 'pending');
    assert.equal(body.source, source.url('/valid'));
    assert.equal(body.target, POST);

    const queued = await readStatus(location);
    assert.equal(queued.status, 'pending');
    assert.equal(queued.source, source.url('/valid'));
    assert.equal(queued.target, POST);
    assert.ok(!Number.isNaN(Date.parse(queued.created)) && !Number.isNaN(Date.parse(queued.updated)));
    assert.equal(source.answered.includes('/valid'), false, 'verification is asynchronous: the POST did not wait for the source');

    await server.deps.worker.drain();
    const done = await readStatus(location);
    assert.equal(done.status, 'accepted', `reason: ${done.reason}`);
    assert.equal(source.hits('/valid'), 1);

    const list = await thread(server);
    const mention = list.comments.find((c) => c.source === source.url('/valid'));
    assert.ok(mention, `the mention is listed: ${JSON.stringify(list)}`);
    assert.equal(mention.type, 'webmention');
    assert.equal(mention.title, 'Barnaby replies');
  });

  test('works when the endpoint URL carries a query string (a CSRF token, W9)', async () => {
    source.set('/csrf', linkingPage());
    const body = new URLSearchParams({ source: source.url('/csrf'), target: POST }).toString();
    const res = await postRaw(server, '/webmention?csrf=abc', body, 'application/x-www-form-urlencoded');
    assert.equal(res.status, 201, await res.clone().text());
    const location = res.headers.get('location');
    assert.ok(location);
    await server.deps.worker.drain();
    assert.equal((await readStatus(location)).status, 'accepted');
  });

  test('to a target with a #fragment is accepted; the fragment is ignored (W6)', async () => {
    source.set('/fragment', linkingPage(POST));
    const res = await sendWebmention(server, source.url('/fragment'), `${POST}#comment-3`);
    assert.equal(res.status, 201, await res.clone().text());
    await server.deps.worker.drain();
    const status = await readStatus(res.headers.get('location')!);
    assert.equal(status.status, 'accepted', `reason: ${status.reason}`);
    assert.equal(status.target, POST);
  });

  test('the status URL of an unknown token is 404 in the JSON error shape', async () => {
    const res = await fetch(`${server.url}/webmention/status/AAAAAAAAAAAAAAAAAAAAAA`);
    await assertJsonError(res, 404, 'unknown token');
  });
});

describe('an invalid Webmention request is refused with 400, stores nothing and fetches nothing', () => {
  let src: string;
  beforeEach(() => {
    source.set('/refused', linkingPage(POST));
    src = source.url('/refused');
  });

  async function refused(res: Response, what: string): Promise<void> {
    await assertJsonError(res, 400, what);
    await server.deps.worker.drain();
    assert.equal(await pendingJobs(server), 0, `${what}: no job queued`);
    assert.equal(source.hits('/refused'), 0, `${what}: the source was not fetched`);
    const list = await thread(server);
    assert.equal(list.comments.filter((c) => c.source === src).length, 0, `${what}: nothing stored`);
  }

  test('webmention.rocks test 2: junk source, junk target, both junk (W2)', async () => {
    const before = (await thread(server)).total;
    await refused(await sendWebmention(server, 'jwoijgoisdjlskjegisvjowuehjtkx', POST), 'junk source');
    await refused(await sendWebmention(server, src, 'owiejduvyeiwljjjcjmvbpsouehgd'), 'junk target');
    await refused(await sendWebmention(server, 'sjuhvhwieuhtiwudcjvhuh', 'owiejduvyeiwljjjcjmvbpsouehgd'), 'both junk');
    assert.equal((await thread(server)).total, before, 'the post does not appear as a comment');
  });

  test('source equal to the target, also when they differ only by a fragment (W3)', async () => {
    await refused(await sendWebmention(server, POST, POST), 'source = target');
    await refused(await sendWebmention(server, `${POST}#comments`, POST), 'source = target#fragment');
    await refused(await sendWebmention(server, POST, `${POST}#comment-1`), 'target = source#fragment');
  });

  test('mailto:, ftp: and javascript: sources (W4)', async () => {
    await refused(await sendWebmention(server, 'mailto:a@b.example', POST), 'mailto: source');
    await refused(await sendWebmention(server, `ftp://${new URL(src).host}/refused`, POST), 'ftp: source');
    await refused(await sendWebmention(server, 'javascript:alert(1)', POST), 'javascript: source');
  });

  test('missing or empty source or target (W7)', async () => {
    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
    const post = (body: string) => postRaw(server, '/webmention', body, 'application/x-www-form-urlencoded');
    await refused(await post(form({ target: POST })), 'missing source');
    await refused(await post(form({ source: src })), 'missing target');
    await refused(await post(''), 'empty body');
    await refused(await post(form({ source: '', target: POST })), 'empty source');
    await refused(await post(form({ source: src, target: '' })), 'empty target');
  });

  test('a target on a foreign host, and the home page (W5)', async () => {
    await refused(await sendWebmention(server, src, 'http://elsewhere.example/2026/11/hello/'), 'foreign host');
    await refused(await sendWebmention(server, src, 'https://blog.example/2026/11/hello/'), 'same host, other scheme');
    await refused(await sendWebmention(server, src, `${SITE}/`), 'home page');
  });

  test('a JSON body (W8)', async () => {
    const res = await postRaw(server, '/webmention', JSON.stringify({ source: src, target: POST }), 'application/json');
    await refused(res, 'JSON body');
  });
});
