/**
 * Issue 17.3, the owner's voice, over HTTP: POST /api/admin/comments (201, approved, owner: true,
 * the configured owner name), a badge no reader can forge by name or by any field, pin/unpin (pinned
 * first among top-level comments, in the JSON and on /thread), and moderator edits marked as such.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestServer, withServer } from '../helpers/fixtures.js';
import { POST, SITE } from '../helpers/test-server.js';
import { listComments, listIds, moderate, postComment, assertErrorShape } from '../http/http-support.js';

const OWNER_NAME = 'The Blog Itself';
const threadHtml = async (server: { request(p: string): Promise<Response> }, target = POST) =>
  (await server.request(`/thread?target=${encodeURIComponent(target)}`)).text();

describe('owner comments through the admin API', () => {
  const server = useTestServer({ BACKTALK_OWNER_NAME: OWNER_NAME });

  test('201 with the comment: approved, owner, the configured name, a Location; it shows with a badge', async () => {
    const res = await server.admin('/api/admin/comments', { method: 'POST', body: JSON.stringify({ target: POST, parent: null, body: 'Thanks for *reading*.' }) });
    assert.equal(res.status, 201);
    const c = (await res.json()) as Record<string, unknown>;
    assert.equal(c.status, 'approved');
    assert.equal(c.owner, true);
    assert.equal(c.pinned, false);
    assert.equal(c.author, OWNER_NAME);
    assert.equal(c.type, 'comment');
    assert.equal(c.parent, null);
    assert.match(String(c.body_html), /<em>reading<\/em>/);
    assert.equal(res.headers.get('location'), `${server.url}/api/comments/${c.id}`);

    const listed = (await listComments(server)).comments.find((x) => x.id === c.id) as unknown as Record<string, unknown>;
    assert.equal(listed.owner, true);
    assert.equal(listed.author, OWNER_NAME);
    const html = await threadHtml(server);
    assert.match(html, new RegExp(`<li class="bt-comment bt-by-owner" id="comment-${c.id}"`));
    assert.match(html, /<span class="bt-badge bt-owner-badge">Site owner<\/span>/);
  });

  test('a reply as the owner answers its parent; a parent of another thread is refused', async () => {
    const reader = await postComment(server, { body: 'A question for the author', author: 'Ann' });
    const res = await server.admin('/api/admin/comments', { method: 'POST', body: JSON.stringify({ target: POST, parent: reader.id, body: 'An answer.' }) });
    assert.equal(res.status, 201);
    const reply = (await res.json()) as { id: number; parent: number; owner: boolean };
    assert.equal(reply.parent, reader.id);
    assert.equal(reply.owner, true);
    const other = await server.admin('/api/admin/comments', { method: 'POST', body: JSON.stringify({ target: `${SITE}/elsewhere/`, parent: reader.id, body: 'Lost.' }) });
    await assertErrorShape(other, 400, 'parent');
  });

  test('without the admin token: 401 and nothing is stored', async () => {
    const before = (await listComments(server)).total;
    const res = await server.postJson('/api/admin/comments', { target: POST, body: 'I am the owner, honest' });
    assert.equal(res.status, 401);
    assert.equal((await listComments(server)).total, before);
  });

  test('no reader gets the badge: not by the owner\'s name, not by sending owner, pinned or edited_by', async () => {
    const forged = await postComment(server, {
      body: 'Official announcement', author: OWNER_NAME, owner: true, pinned: true, edited_by: 'moderator', is_owner: 1,
    });
    assert.equal((forged as unknown as { owner: boolean }).owner, false);
    assert.equal((forged as unknown as { pinned: boolean }).pinned, false);
    const form = await server.postForm('/comments', { target: POST, body: 'Also official', author: OWNER_NAME, owner: 'true', pinned: '1' });
    assert.equal(form.status, 303);
    const readers = (await listComments(server)).comments.filter((c) => c.body_html.includes('fficial')) as unknown as Array<Record<string, unknown>>;
    assert.equal(readers.length, 2);
    for (const c of readers) {
      assert.equal(c.author, OWNER_NAME, 'the name itself is the reader\'s to choose');
      assert.equal(c.owner, false);
      assert.equal(c.pinned, false);
      assert.equal(c.edited_by, null);
    }
    const html = await threadHtml(server);
    for (const c of readers) {
      const item = html.slice(html.indexOf(`id="comment-${c.id}"`) - 40, html.indexOf('</article>', html.indexOf(`id="comment-${c.id}"`)));
      assert.doesNotMatch(item, /bt-owner-badge|bt-by-owner/, `comment ${c.id} shows the owner badge`);
    }
    const owners = (await listComments(server)).comments.filter((c) => (c as unknown as { owner: boolean }).owner).length;
    assert.equal([...html.matchAll(/bt-owner-badge/g)].length, owners, 'one badge per owner comment, none more');
  });
});

test('without BACKTALK_OWNER_NAME the owner is named after the first site\'s host', async () => {
  await withServer({}, async (server) => {
    const res = await server.admin('/api/admin/comments', { method: 'POST', body: JSON.stringify({ target: POST, body: 'Hello from the host' }) });
    assert.equal(res.status, 201);
    assert.equal(((await res.json()) as { author: string }).author, new URL(SITE).host);
  });
});

describe('pin and unpin', () => {
  const server = useTestServer();

  test('a pinned comment comes first among the top-level ones, in the JSON and on /thread; unpin restores the order', async () => {
    const target = `${SITE}/pins/`;
    const post = (fields: Record<string, unknown>) => postComment(server, { target, ...fields });
    const a = await post({ body: 'first', author: 'A' });
    const aReply = await post({ body: 'reply to first', author: 'B', parent: a.id });
    const b = await post({ body: 'second', author: 'C' });
    const c = await post({ body: 'third', author: 'D' });
    assert.deepEqual(await listIds(server, target), [a.id, aReply.id, b.id, c.id]);

    const pinned = await moderate(server, c.id, 'pin');
    assert.equal(pinned.status, 200);
    assert.equal(((await pinned.json()) as { pinned: boolean }).pinned, true);
    assert.deepEqual(await listIds(server, target), [c.id, a.id, aReply.id, b.id]);
    const listed = (await listComments(server, target)).comments[0] as unknown as { pinned: boolean };
    assert.equal(listed.pinned, true);
    const html = await threadHtml(server, target);
    const order = [...html.matchAll(/<li class="[^"]*" id="comment-(\d+)"/g)].map((m) => Number(m[1]));
    assert.deepEqual(order, [c.id, a.id, aReply.id, b.id]);
    assert.match(html, new RegExp(`id="comment-${c.id}"[^]*?bt-pinned-badge">Pinned<`));

    // Paged, in every order: the pinned comment leads the first page and is never repeated after it.
    for (const sort of ['oldest', 'newest', 'liked']) {
      const ids: number[] = [];
      let cursor: string | null = null;
      let first = true;
      do {
        const res = await server.request(`/api/comments?target=${encodeURIComponent(target)}&limit=1&sort=${sort}${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(res.status, 200);
        const page = (await res.json()) as { comments: Array<{ id: number; parent: number | null }>; next: string | null };
        if (first) assert.equal(page.comments[0]?.id, c.id, `${sort}: the pinned comment opens the first page`);
        first = false;
        ids.push(...page.comments.filter((x) => x.parent === null).map((x) => x.id));
        cursor = page.next;
      } while (cursor);
      assert.equal(ids.filter((id) => id === c.id).length, 1, `${sort}: shown once`);
      assert.deepEqual([...ids].sort(), [a.id, b.id, c.id].sort(), `${sort}: every top-level comment once`);
    }

    assert.equal((await moderate(server, c.id, 'unpin')).status, 200);
    assert.deepEqual(await listIds(server, target), [a.id, aReply.id, b.id, c.id]);
  });

  test('a reply cannot be pinned (400); an unknown comment is 404; without the token 401', async () => {
    const parent = await postComment(server, { body: 'top', author: 'A' });
    const reply = await postComment(server, { body: 'under', author: 'B', parent: parent.id });
    await assertErrorShape(await moderate(server, reply.id, 'pin'), 400);
    await assertErrorShape(await moderate(server, 999_999, 'pin'), 404);
    const anonymous = await server.postJson(`/api/admin/comments/${parent.id}`, { action: 'pin' });
    assert.equal(anonymous.status, 401);
    assert.equal((await server.deps.store.comments.findById(parent.id))?.pinned, false);
  });
});

describe('moderator edits', () => {
  const server = useTestServer();

  test('the owner edits any comment: its text changes, its author and status stay, it shows as edited by a moderator', async () => {
    const c = await postComment(server, { body: 'Buy cheap stuff at spam.example', author: 'Ann' });
    const res = await server.admin(`/api/admin/comments/${c.id}`, { method: 'PUT', body: JSON.stringify({ body: 'Something **civil**.' }) });
    assert.equal(res.status, 200);
    const edited = (await res.json()) as Record<string, unknown>;
    assert.equal(edited.author, 'Ann');
    assert.equal(edited.status, 'approved');
    assert.equal(edited.edited_by, 'moderator');
    assert.notEqual(edited.edited, null);
    assert.match(String(edited.body_html), /<strong>civil<\/strong>/);
    const listed = (await listComments(server)).comments.find((x) => x.id === c.id) as unknown as Record<string, unknown>;
    assert.equal(listed.edited_by, 'moderator');
    const html = await threadHtml(server);
    assert.match(html, /<span class="bt-edited">\(edited by a moderator\)<\/span>/);

    // The author's own edit afterwards is theirs again.
    const own = await server.request(`/api/comments/${c.id}`, {
      method: 'PUT', headers: { 'content-type': 'application/json', 'x-edit-token': c.edit_token! }, body: JSON.stringify({ body: 'My own words again' }),
    });
    assert.equal(own.status, 200);
    assert.equal(((await own.json()) as { edited_by: string }).edited_by, 'author');
    assert.match(await threadHtml(server), /<span class="bt-edited">\(edited\)<\/span>/);
  });

  test('a held comment stays held when the owner edits it; without the token 401 and nothing changes', async () => {
    await withServer({ BACKTALK_MODERATION: 'all' }, async (held) => {
      const c = await postComment(held, { body: 'waiting', author: 'Bo' });
      const res = await held.admin(`/api/admin/comments/${c.id}`, { method: 'PUT', body: JSON.stringify({ body: 'waiting, tidied' }) });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { status: string }).status, 'pending');
      const refused = await held.request(`/api/admin/comments/${c.id}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ body: 'hijacked' }) });
      assert.equal(refused.status, 401);
      assert.equal((await held.deps.store.comments.findById(c.id))?.bodyRaw, 'waiting, tidied');
    });
  });

  test('an empty body is refused; an unknown comment is 404', async () => {
    const c = await postComment(server, { body: 'keep me', author: 'Cy' });
    await assertErrorShape(await server.admin(`/api/admin/comments/${c.id}`, { method: 'PUT', body: JSON.stringify({ body: '  ' }) }), 400, 'body');
    await assertErrorShape(await server.admin('/api/admin/comments/999999', { method: 'PUT', body: JSON.stringify({ body: 'x' }) }), 404);
  });
});

test('the owner is not mailed about their own comment; a reader\'s comment still mails them', async () => {
  const { startSmtpSink } = await import('../notify/support.js');
  const smtp = await startSmtpSink();
  try {
    await withServer({ BACKTALK_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, BACKTALK_NOTIFY_EMAIL: 'owner@blog.example' }, async (server) => {
      const outboxRows = async () => [...await server.deps.store.outbox.listByStatus('pending', 50), ...await server.deps.store.outbox.listByStatus('sent', 50)];
      const res = await server.admin('/api/admin/comments', { method: 'POST', body: JSON.stringify({ target: POST, body: 'Owner speaking' }) });
      assert.equal(res.status, 201);
      await server.deps.notifier.drain();
      assert.deepEqual((await outboxRows()).filter((r) => JSON.stringify(r.payload).includes('owner@blog.example')), []);
      await postComment(server, { body: 'A reader speaking', author: 'Rea' });
      await server.deps.notifier.drain();
      assert.equal((await outboxRows()).filter((r) => JSON.stringify(r.payload).includes('owner@blog.example')).length, 1);
    });
  } finally {
    await smtp.stop();
  }
});
