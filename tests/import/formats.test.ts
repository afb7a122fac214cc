/**
 * Importing real files in each format and checking what landed in the database against the files'
 * contents: WordPress WXR, Disqus XML, an Isso database; re-imports; bad and truncated files.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { importFile, type ImportFormat } from '../../src/import/run-import.js';
import { ImportError } from '../../src/import/record.js';
import type { Store } from '../../src/store/repository.js';
import { allComments, allThreads, createIssoDatabase, fixture, removeTempDirs, tempDir, tempStore } from './support.js';

after(removeTempDirs);

const SITE = 'https://blog.example';
const HELLO = 'https://blog.example/2024/03/hello-world/';
const run = (store: Store, format: ImportFormat, file: string, keepIp = false) => importFile(store, { format, file, site: SITE, keepIp });

describe('WordPress WXR', () => {
  test('comments, trackbacks and pingbacks with their types, threading, states, dates, authors and IPs', async () => {
    const t = tempStore();
    try {
      const counts = await run(t.store, 'wxr', fixture('wordpress.wxr'));
      assert.deepEqual(counts, { threads: 2, comments: 9, skipped: 0 });

      const threads = await allThreads(t.store);
      assert.deepEqual(threads.map((th) => [th.target, th.title, th.commentsClosed, th.linkbacksClosed]), [
        [HELLO, 'Hello world & friends', false, false],
        ['https://blog.example/2024/03/closed/', 'Closed for comments', true, true],
      ], 'one thread per post with comments (the attachment has none), with its title and open/closed flags');

      const comments = await allComments(t.store);
      const byWpId = new Map(comments.map((c) => [c.key.split('#')[1], c]));
      const c = (id: string) => byWpId.get(id)!;
      assert.deepEqual(comments.map((x) => [x.key.split('#')[1], x.kind, x.status]), [
        ['101', 'comment', 'approved'], ['102', 'comment', 'approved'], ['103', 'comment', 'pending'],
        ['104', 'trackback', 'approved'], ['105', 'pingback', 'approved'], ['106', 'comment', 'spam'],
        ['107', 'comment', 'trash'], ['108', 'comment', 'approved'], ['201', 'comment', 'approved'],
      ]);
      assert.equal(c('102').parent, c('101').id, 'reply to 101');
      assert.equal(c('103').parent, c('102').id, 'third level');
      assert.equal(c('108').parent, c('101').id);
      assert.equal(c('101').parent, null);

      const ann = c('101');
      assert.equal(ann.author, 'Ann Example');
      assert.equal(ann.email, 'ann@example.org');
      assert.equal(ann.url, 'https://ann.example/');
      assert.equal(ann.ip, '203.0.113.0', 'IPs are reduced like new comments (BACKTALK_KEEP_IP off)');
      assert.equal(ann.created.toISOString(), '2024-03-09T15:05:07.000Z', 'comment_date_gmt, not the local time');
      assert.match(ann.bodyHtml, /^<p>Great post! I <strong>loved<\/strong> it\.<\/p>\n<p>Second paragraph with a <a href="https:\/\/ann\.example\/notes" rel="nofollow ugc">link<\/a> &amp; an ampersand\.<\/p>$/);

      const trackback = c('104');
      assert.equal(trackback.source, 'https://other.example/2024/03/linking-post/');
      assert.equal(trackback.title, 'A post that links here', 'title taken from WordPress\'s <strong>title</strong> prefix');
      assert.equal(trackback.bodyHtml, '<p>We discussed the hello world post […]</p>');
      assert.equal(c('105').author, 'Pinger » Weekly links');
      assert.equal(c('105').source, 'https://pinger.example/weekly-links/');

      const mallory = c('108');
      assert.equal(mallory.bodyRaw.includes('a[b[0]]> end'), true, 'a CDATA section split around "]]>" is joined back');
      assert.doesNotMatch(mallory.bodyHtml, /script|onerror|<img/i, 'bodies go through the comment sanitizer');
      assert.equal(mallory.author, 'Mallory M');
      assert.equal(mallory.url, '', 'a javascript: URL is dropped');

      const old = c('201');
      assert.equal(old.created.toISOString(), '2015-06-01T10:00:00.000Z');
      assert.equal(old.bodyHtml, '<p>An old-style comment with an empty type.<br />\nSecond line.</p>');

      // The imported thread is served like any other: approved items only, oldest first.
      const visible = await t.store.comments.listVisible(ann.threadId);
      assert.deepEqual(visible.map((v) => v.id), [101, 102, 104, 105, 108].map((n) => byWpId.get(String(n))!.id));
    } finally {
      await t.close();
    }
  });

  test('importing the same file again adds nothing', async () => {
    const t = tempStore();
    try {
      await run(t.store, 'wxr', fixture('wordpress.wxr'));
      const before = await allComments(t.store);
      const again = await run(t.store, 'wxr', fixture('wordpress.wxr'));
      assert.deepEqual(again, { threads: 0, comments: 0, skipped: 9 });
      assert.deepEqual(await allComments(t.store), before);
    } finally {
      await t.close();
    }
  });

  test('BACKTALK_KEEP_IP keeps full addresses', async () => {
    const t = tempStore();
    try {
      await run(t.store, 'wxr', fixture('wordpress.wxr'), true);
      const ips = (await allComments(t.store)).map((c) => c.ip);
      assert.ok(ips.includes('203.0.113.45') && ips.includes('2001:db8:85a3::8a2e:370:7334'));
    } finally {
      await t.close();
    }
  });

  test('a truncated file fails naming its last line and leaves nothing behind', async () => {
    const t = tempStore();
    try {
      const text = readFileSync(fixture('wordpress.wxr'), 'utf8');
      const cut = join(tempDir(), 'cut.wxr');
      // Cut after comment 105: four comments are complete, so a non-atomic import would keep them.
      writeFileSync(cut, text.slice(0, text.indexOf('<wp:comment_id>106')));
      await assert.rejects(run(t.store, 'wxr', cut), (err: unknown) => err instanceof ImportError && /^line \d+: /.test(err.message));
      assert.deepEqual(await t.store.transfer.counts(), { threads: 0, comments: 0 });
    } finally {
      await t.close();
    }
  });

  test('a bad record is named by its comment id and line; nothing is kept', async () => {
    const t = tempStore();
    try {
      const text = readFileSync(fixture('wordpress.wxr'), 'utf8').replace('<![CDATA[trash]]>', '<![CDATA[maybe]]>');
      const bad = join(tempDir(), 'bad.wxr');
      writeFileSync(bad, text);
      await assert.rejects(run(t.store, 'wxr', bad), /comment 107 of https:\/\/blog\.example\/2024\/03\/hello-world\/ \(line \d+\): unknown wp:comment_approved "maybe"/);
      assert.deepEqual(await t.store.transfer.counts(), { threads: 0, comments: 0 });
    } finally {
      await t.close();
    }
  });

  test('malformed XML names the line', async () => {
    const t = tempStore();
    try {
      const bad = join(tempDir(), 'bad.wxr');
      writeFileSync(bad, '<?xml version="1.0"?>\n<rss>\n<channel>\n<item><title>x</tilte></item>\n</channel></rss>\n');
      await assert.rejects(run(t.store, 'wxr', bad), (err: unknown) => err instanceof ImportError && /^line 4: unexpected close tag/.test(err.message));
    } finally {
      await t.close();
    }
  });
});

describe('Disqus XML', () => {
  test('threads, posts, replies before their parents, spam and deleted posts', async () => {
    const t = tempStore();
    try {
      const counts = await run(t.store, 'disqus', fixture('disqus.xml'));
      assert.deepEqual(counts, { threads: 2, comments: 5, skipped: 0 });
      const threads = await allThreads(t.store);
      assert.deepEqual(threads.map((th) => [th.target, th.title, th.commentsClosed]), [
        ['https://blog.example/2019/05/hello-disqus/', 'Hello, Disqus', false],
        ['https://blog.example/2019/06/closed-one/', 'A closed one', true],
      ]);
      const comments = await allComments(t.store);
      const c = (id: string) => comments.find((x) => x.key === `disqus:${id}`)!;
      assert.equal(c('4400000003').parent, c('4400000001').id, 'the reply read before its parent is linked to it');
      assert.equal(c('4400000004').parent, c('4400000003').id);
      assert.equal(c('4400000001').parent, null);
      assert.deepEqual(comments.map((x) => x.status), ['approved', 'approved', 'approved', 'spam', 'trash']);
      assert.equal(c('4400000001').author, 'Frank');
      assert.equal(c('4400000001').email, 'frank@example.org');
      assert.equal(c('4400000001').created.toISOString(), '2019-05-01T11:00:00.000Z');
      assert.equal(c('4400000001').bodyHtml,
        '<p>First!</p><p>Second paragraph with <a href="https://frank.example/" rel="nofollow ugc">a link</a>.</p>',
        'the message HTML is sanitized: Disqus\'s rel, target and title are replaced by ours');
      assert.equal(c('4400000004').email, '');
      assert.equal(c('4400000006').target, 'https://blog.example/2019/06/closed-one/');

      assert.deepEqual(await run(t.store, 'disqus', fixture('disqus.xml')), { threads: 0, comments: 0, skipped: 5 });
    } finally {
      await t.close();
    }
  });

  test('a post whose thread is unknown is named; nothing is kept', async () => {
    const t = tempStore();
    try {
      const text = readFileSync(fixture('disqus.xml'), 'utf8').replace('<thread dsq:id="7651269002" />', '<thread dsq:id="999" />');
      const bad = join(tempDir(), 'bad.xml');
      writeFileSync(bad, text);
      await assert.rejects(run(t.store, 'disqus', bad), /post 4400000006 \(line \d+\): its thread 999 is not defined before it/);
      assert.deepEqual(await t.store.transfer.counts(), { threads: 0, comments: 0 });
    } finally {
      await t.close();
    }
  });
});

describe('Isso database', () => {
  function makeIsso(): string {
    const path = join(tempDir(), 'comments.db');
    const db = createIssoDatabase(path);
    db.prepare('INSERT INTO threads (id, uri, title) VALUES (?, ?, ?)').run(1, '/2020/01/isso-post/', 'An Isso post');
    db.prepare('INSERT INTO threads (id, uri, title) VALUES (?, ?, ?)').run(2, '/about/', null);
    const add = db.prepare(`INSERT INTO comments (tid, id, parent, created, modified, mode, remote_addr, text, author, email, website, likes, dislikes, voters, notification)
      VALUES (@tid, @id, @parent, @created, @modified, @mode, @remote_addr, @text, @author, @email, @website, @likes, @dislikes, @voters, 0)`);
    const base = { modified: null, remote_addr: '198.51.100.0', email: null, website: null, voters: Buffer.alloc(256), likes: 0, dislikes: 0 };
    add.run({ ...base, tid: 1, id: 1, parent: null, created: 1578000000.25, mode: 1, text: 'Hello *Isso*', author: 'Ivy', email: 'ivy@example.org', website: 'https://ivy.example', likes: 7, dislikes: 2 });
    add.run({ ...base, tid: 1, id: 2, parent: 1, created: 1578000100.5, modified: 1578000200.75, mode: 1, text: 'A reply, edited', author: null });
    add.run({ ...base, tid: 1, id: 3, parent: null, created: 1578000300, mode: 4, text: '', author: null });
    add.run({ ...base, tid: 1, id: 4, parent: 3, created: 1578000400, mode: 1, text: 'Reply to a deleted comment', author: 'Jo' });
    add.run({ ...base, tid: 2, id: 5, parent: null, created: 1578000500, mode: 2, text: 'Waiting <script>x</script>', author: 'Kim' });
    db.close();
    return path;
  }

  test('threads resolved against --site, modes, replies, times and placeholders; re-import adds nothing', async () => {
    const t = tempStore();
    try {
      const file = makeIsso();
      const counts = await run(t.store, 'isso', file);
      assert.deepEqual(counts, { threads: 2, comments: 5, skipped: 0 });
      const threads = await allThreads(t.store);
      assert.deepEqual(threads.map((th) => [th.target, th.title]), [
        ['https://blog.example/2020/01/isso-post/', 'An Isso post'],
        ['https://blog.example/about/', null],
      ]);
      const comments = await allComments(t.store);
      const [one, two, three, four, five] = comments;
      assert.equal(one!.bodyHtml, '<p>Hello <em>Isso</em></p>', 'Isso stores Markdown');
      assert.equal(one!.created.toISOString(), '2020-01-02T21:20:00.250Z');
      assert.equal(one!.url, 'https://ivy.example/');
      assert.deepEqual([one!.likes, one!.dislikes], [7, 2], 'Isso\'s vote counts survive the import');
      assert.deepEqual([two!.likes, two!.dislikes], [undefined, undefined], 'a comment without votes has none');
      assert.equal(two!.parent, one!.id);
      assert.equal(two!.edited?.toISOString(), '2020-01-02T21:23:20.750Z');
      assert.equal(three!.deleted, true, 'mode 4 is a deleted comment kept for its replies');
      assert.equal(four!.parent, three!.id);
      assert.equal(five!.status, 'pending');
      assert.doesNotMatch(five!.bodyHtml, /script/);
      assert.deepEqual((await t.store.comments.listVisible(one!.threadId)).map((c) => c.id), [one!.id, two!.id, three!.id, four!.id],
        'the placeholder shows because it has an approved reply');

      assert.deepEqual(await run(t.store, 'isso', file), { threads: 0, comments: 0, skipped: 5 });
    } finally {
      await t.close();
    }
  });

  test('a file that is not an Isso database is refused', async () => {
    const t = tempStore();
    try {
      await assert.rejects(run(t.store, 'isso', fixture('disqus.xml')), /cannot open it as SQLite|not an Isso database/);
      assert.deepEqual(await t.store.transfer.counts(), { threads: 0, comments: 0 });
    } finally {
      await t.close();
    }
  });
});

describe('Backtalk JSON', () => {
  test('a truncated export or a bad record names the line and comment; nothing is kept', async () => {
    const source = tempStore();
    const target = tempStore();
    try {
      await run(source.store, 'wxr', fixture('wordpress.wxr'));
      const { exportJson } = await import('../../src/export/json-export.js');
      const file = join(tempDir(), 'export.json');
      await exportJson(source.store, file);
      const lines = readFileSync(file, 'utf8').split('\n');

      const cut = join(tempDir(), 'cut.json');
      writeFileSync(cut, lines.slice(0, 8).join('\n'));
      await assert.rejects(run(target.store, 'json', cut), /line 8: the file ends before the export does: it is truncated/);

      const badLine = lines.findIndex((l) => l.includes('"status":"trash"'));
      const bad = join(tempDir(), 'bad.json');
      writeFileSync(bad, lines.map((l, i) => (i === badLine ? l.replace('"status":"trash"', '"status":"deleted"') : l)).join('\n'));
      await assert.rejects(run(target.store, 'json', bad), new RegExp(`line ${badLine + 1} \\(comment \\d+\\): unknown status "deleted"`));
      assert.deepEqual(await target.store.transfer.counts(), { threads: 0, comments: 0 });

      // The same content pretty-printed by a tool is still a Backtalk export.
      const pretty = join(tempDir(), 'pretty.json');
      writeFileSync(pretty, JSON.stringify(JSON.parse(readFileSync(file, 'utf8')), null, 2));
      assert.deepEqual(await run(target.store, 'json', pretty), { threads: 2, comments: 9, skipped: 0 });
    } finally {
      await source.close();
      await target.close();
    }
  });
});
