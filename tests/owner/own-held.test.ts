/**
 * Issue 17.4 over HTTP: a held comment stays visible to its author, recognised by its edit token (the
 * widget's POST /thread/held, the no-JavaScript page's bt_own cookie), and to nobody else; the shared,
 * cached thread never holds it; posting from /thread comes back to /thread at the comment; asking
 * for reply mails says that a confirmation mail was sent.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { useTestServer } from '../helpers/fixtures.js';
import { POST, SITE, startTestServer, type TestServer } from '../helpers/test-server.js';
import { assertErrorShape, listComments, postComment } from '../http/http-support.js';
import { startSmtpSink, type SmtpSink } from '../notify/support.js';

const enc = encodeURIComponent;
const held = (server: TestServer, own: unknown, target = POST) =>
  server.postJson(`/thread/held?target=${enc(target)}&lang=en`, { own });
const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0]!;

describe('held comments and their author', () => {
  const server = useTestServer({ BACKTALK_MODERATION: 'all' });

  test('the widget\'s call: the author\'s held comment, rendered and marked; a wrong token, another thread or another reader get nothing', async () => {
    const mine = await postComment(server, { body: 'Held, but mine', author: 'Ann' });
    assert.equal(mine.status, 'pending');
    const res = await held(server, [{ id: mine.id, token: mine.edit_token }]);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'private, no-store');
    const { items } = (await res.json()) as { items: Array<{ id: number; parent: number | null; html: string }> };
    assert.equal(items.length, 1);
    assert.equal(items[0]!.id, mine.id);
    assert.match(items[0]!.html, new RegExp(`^<li class="bt-comment bt-held" id="comment-${mine.id}"`));
    assert.match(items[0]!.html, /<p class="bt-held-note">Awaiting moderation: only you can see it<\/p>/);
    assert.match(items[0]!.html, /Held, but mine/);
    assert.doesNotMatch(items[0]!.html, /data-bt-reply/, 'a held comment cannot be answered yet');

    const other = await postComment(server, { body: 'Held, someone else\'s', author: 'Bo' });
    const wrong = (await (await held(server, [{ id: other.id, token: mine.edit_token }])).json()) as { items: unknown[] };
    assert.deepEqual(wrong.items, []);
    const elsewhere = (await (await held(server, [{ id: mine.id, token: mine.edit_token }], `${SITE}/another/`)).json()) as { items: unknown[] };
    assert.deepEqual(elsewhere.items, []);
    await assertErrorShape(await held(server, 'not a list'), 400, 'own');
  });

  test('nobody else sees it: not in /api/comments, not in the shared /thread, whose ETag and caching stay as they were', async () => {
    const mine = await postComment(server, { body: 'Another held one', author: 'Cy' });
    const api = await listComments(server);
    assert.ok(!api.comments.some((c) => c.id === mine.id));
    const shared = await server.request(`/thread?target=${enc(POST)}`);
    const html = await shared.text();
    assert.doesNotMatch(html, /Another held one/);
    assert.match(shared.headers.get('cache-control') ?? '', /^public/);
    const etag = shared.headers.get('etag')!;
    assert.ok(etag);
    // A cookie naming someone else's comment, or a forged token, is the shared page: same ETag, 304.
    const forged = await server.request(`/thread?target=${enc(POST)}`, { headers: { cookie: `bt_own=${mine.id}.${'x'.repeat(43)}`, 'if-none-match': etag } });
    assert.equal(forged.status, 304);
  });

  test('without JavaScript: the form post sets the cookie; /thread shows the held comment to that reader alone, privately', async () => {
    const res = await server.postForm('/comments', { target: POST, body: 'Posted from a plain form', author: 'Di', return: 'thread', lang: 'en' });
    assert.equal(res.status, 303);
    const location = new URL(res.headers.get('location')!);
    assert.equal(location.pathname, '/thread');
    const id = Number(/^#comment-(\d+)$/.exec(location.hash)?.[1]);
    assert.ok(id > 0, `redirected to ${location.href}`);
    assert.equal(location.searchParams.get('posted'), String(id));
    const setCookie = res.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /^bt_own=\d+\.[A-Za-z0-9_-]+/);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Lax/);

    const sharedEtag = (await server.request(location.pathname + location.search)).headers.get('etag');
    const page = await server.request(location.pathname + location.search, { headers: { cookie: cookieOf(res), 'if-none-match': sharedEtag! } });
    const html = await page.text();
    assert.equal(page.status, 200, 'the shared validator never answers the author\'s own page');
    assert.equal(page.headers.get('cache-control'), 'private, no-store');
    assert.notEqual(page.headers.get('etag'), sharedEtag);
    assert.match(page.headers.get('vary') ?? '', /Cookie/);
    assert.match(html, new RegExp(`<li class="bt-comment bt-held" id="comment-${id}"`));
    assert.match(html, /Awaiting moderation: only you can see it/);
    const count = /<h2 class="bt-title" id="bt-title">([^<]*)</.exec(html)?.[1];
    assert.equal(count, '0 comments', 'the heading counts what everyone sees');

    const stranger = await (await server.request(location.pathname + location.search)).text();
    assert.doesNotMatch(stranger, /Posted from a plain form/);

    // Once approved it is simply part of the thread, for everyone.
    await server.admin(`/api/admin/comments/${id}`, { method: 'POST', body: JSON.stringify({ action: 'approve' }) });
    const shared = await server.request(`/thread?target=${enc(POST)}`, { headers: { cookie: cookieOf(res) } });
    assert.match(shared.headers.get('cache-control') ?? '', /^public/);
    const sharedHtml = await shared.text();
    assert.match(sharedHtml, new RegExp(`<li class="bt-comment" id="comment-${id}"`));
    assert.doesNotMatch(sharedHtml, /bt-held/);
  });

  test('a held form post from the post page: the held page links to /thread at the comment, which shows it to its author', async () => {
    const res = await server.postForm('/comments', { target: POST, body: 'From the blog page, no JS', author: 'Ed', lang: 'en' });
    assert.equal(res.status, 303);
    const location = new URL(res.headers.get('location')!);
    assert.equal(location.pathname, '/comments/held');
    const page = await (await server.request(location.pathname + location.search, { headers: { cookie: cookieOf(res) } })).text();
    const link = /<a href="([^"]+)">See your comment on the comments page/.exec(page)?.[1]?.replace(/&amp;/g, '&');
    assert.ok(link, page);
    const id = Number(/#comment-(\d+)$/.exec(link)?.[1]);
    const own = new URL(link);
    const thread = await (await server.request(own.pathname + own.search, { headers: { cookie: cookieOf(res) } })).text();
    assert.match(thread, new RegExp(`id="comment-${id}"[^]*From the blog page, no JS`));
  });
});

describe('posting from /thread without JavaScript, published at once', () => {
  const server = useTestServer();

  test('the page\'s form says return=thread, and the post comes back to /thread at the comment (no cookie needed)', async () => {
    const form = await (await server.request(`/thread?target=${enc(POST)}`)).text();
    assert.match(form, /<input type="hidden" name="return" value="thread">/);
    const fragment = await (await server.request(`/thread?target=${enc(POST)}&fragment=1`)).text();
    assert.doesNotMatch(fragment, /name="return"/, 'the widget\'s fragment keeps the contract\'s redirect to the post');

    const res = await server.postForm('/comments', { target: POST, body: 'Straight in', author: 'Fay', return: 'thread', lang: 'en' });
    assert.equal(res.status, 303);
    const location = new URL(res.headers.get('location')!);
    assert.equal(`${location.origin}${location.pathname}`, `${server.url}/thread`);
    const id = Number(/^#comment-(\d+)$/.exec(location.hash)?.[1]);
    assert.equal(res.headers.get('set-cookie'), null);
    const html = await (await server.request(location.pathname + location.search)).text();
    assert.match(html, new RegExp(`<li class="bt-comment" id="comment-${id}"[^]*Straight in`));

    // Without return=thread: the contract's redirect to the post.
    const plain = await server.postForm('/comments', { target: POST, body: 'To the post', author: 'Gus' });
    assert.match(plain.headers.get('location') ?? '', new RegExp(`^${POST.replace(/[.]/g, '\\.')}#comment-\\d+$`));
  });
});

describe('"e-mail me replies" says a confirmation mail was sent', () => {
  let smtp: SmtpSink;
  let server: TestServer;
  before(async () => {
    smtp = await startSmtpSink();
    server = await startTestServer({ BACKTALK_SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
  });
  after(async () => {
    await server.close();
    await smtp.stop();
  });

  test('JSON: subscription "confirmation-sent" with an address, and the mail is queued; nothing said without one', async () => {
    const res = await server.postJson('/comments', { target: POST, body: 'Tell me more', author: 'Hal', email: 'hal@example.org', subscribe: true });
    assert.equal(res.status, 201);
    assert.equal(((await res.json()) as { subscription?: string }).subscription, 'confirmation-sent');
    await server.deps.notifier.drain();
    const queued = [...await server.deps.store.outbox.listByStatus('pending', 10), ...await server.deps.store.outbox.listByStatus('sent', 10)];
    assert.ok(queued.some((item) => JSON.stringify(item.payload).includes('hal@example.org')), 'a confirmation mail to the address is in the outbox');

    const noAddress = await server.postJson('/comments', { target: POST, body: 'No address here', author: 'Ida', subscribe: true });
    assert.equal(((await noAddress.json()) as { subscription?: string }).subscription, undefined);
    const notAsked = await server.postJson('/comments', { target: POST, body: 'Did not ask', author: 'Jo', email: 'jo@example.org' });
    assert.equal(((await notAsked.json()) as { subscription?: string }).subscription, undefined);
  });

  test('without JavaScript: /thread comes back saying so', async () => {
    const res = await server.postForm('/comments', { target: POST, body: 'Form subscriber', author: 'Kim', email: 'kim@example.org', subscribe: '1', return: 'thread', lang: 'en' });
    const location = new URL(res.headers.get('location')!);
    assert.equal(location.searchParams.get('subscribed'), '1');
    const html = await (await server.request(location.pathname + location.search)).text();
    assert.match(html, /<p class="bt-status" role="status" aria-live="polite">We sent you an e-mail: open its link to confirm that you want replies\.<\/p>/);
  });
});

test('without mail configured nothing claims a mail was sent', async () => {
  const server = await startTestServer();
  try {
    const res = await server.postJson('/comments', { target: POST, body: 'No mail here', author: 'Lu', email: 'lu@example.org', subscribe: true });
    assert.equal(((await res.json()) as { subscription?: string }).subscription, undefined);
    const form = await server.postForm('/comments', { target: POST, body: 'No mail here either', author: 'Lu', email: 'lu@example.org', subscribe: '1', return: 'thread' });
    assert.equal(new URL(form.headers.get('location')!).searchParams.get('subscribed'), null);
  } finally {
    await server.close();
  }
});
