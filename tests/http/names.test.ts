/**
 * Author names cannot reorder the text around them (issue 14, point 16): bidi controls and
 * zero-width characters are dropped when a name is stored, through every door, and the thread page
 * isolates each name in <bdi>.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { POST, startTestServer } from '../helpers/test-server.js';
import { adminList, listComments, postComment } from './http-support.js';

const INVISIBLE = /[\u061C\u200B\u200E\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/;

describe('author names', () => {
  it('lose bidi overrides, isolates, marks and zero-width characters; scripts and emoji keep their joiners', async (t) => {
    const server = await startTestServer();
    t.after(() => server.close());
    const cases: Array<[string, string]> = [
      ['\u202Egnp.exe\u202C Ann', 'gnp.exe Ann'],
      ['\u2067Mallory\u2069 \u200Badmin', 'Mallory admin'],
      ['A\u200Bd\u200Dmin\u200E\uFEFF', 'Admin'],
      ['&#x202E;Eve', 'Eve'],
      ['\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645', '\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645'],
      ['Fam \u{1F468}\u200D\u{1F469}\u200D\u{1F467}', 'Fam \u{1F468}\u200D\u{1F469}\u200D\u{1F467}'],
    ];
    for (const [i, [raw, stored]] of cases.entries()) {
      const answered = await postComment(server, { body: `Comment ${i}`, author: raw });
      assert.equal(answered.author, stored, JSON.stringify(raw));
    }
    const listed = (await listComments(server)).comments.map((c) => c.author);
    assert.deepEqual(listed, cases.map(([, stored]) => stored));

    const page = await (await server.request(`/thread?target=${encodeURIComponent(POST)}`)).text();
    for (const [, stored] of cases) assert.ok(page.includes(`<bdi>${stored}</bdi>`), `${stored} is not isolated`);
  });

  it('an edit cannot bring the characters back', async (t) => {
    const server = await startTestServer();
    t.after(() => server.close());
    const c = await postComment(server, { body: 'First', author: 'Ann' });
    const res = await server.request(`/api/comments/${c.id}`, {
      method: 'PUT', headers: { 'content-type': 'application/json', 'x-edit-token': c.edit_token! },
      body: JSON.stringify({ body: 'Second', author: 'Ann\u202E' }),
    });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { author: string }).author, 'Ann');
  });

  it('a TrackBack blog name is cleaned the same way', async (t) => {
    const server = await startTestServer({ BACKTALK_VERIFY_TRACKBACKS: 'false' });
    t.after(() => server.close());
    const res = await server.postForm(`/trackback?target=${encodeURIComponent(POST)}`, {
      url: 'http://other.example/post', title: 'A post', blog_name: '\u202Egolb\u202C Other\u200B Blog',
    });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<error>0<\/error>/);
    const [stored] = [...await adminList(server, 'pending'), ...await adminList(server, 'approved')];
    assert.ok(stored, 'the trackback was not stored');
    assert.doesNotMatch(stored.author, INVISIBLE);
    assert.equal(stored.author, 'golb Other Blog');
  });
});

describe('imported author names', () => {
  it('are cleaned like posted ones', async () => {
    const { toTransferComment } = await import('../../src/import/record.js');
    const imported = toTransferComment({
      key: '1', parentKey: null, target: POST, kind: 'comment', status: 'approved', author: '\u202Egnp.exe\u202C Ann\u200B',
      email: '', url: '', ip: '', body: 'hi', bodyFormat: 'markdown', created: new Date(),
    }, { keepIp: false });
    assert.equal(imported.author, 'gnp.exe Ann');
  });
});
