/**
 * Export, then import into an empty database: JSON gives back the same threads and comments, field
 * by field; WXR keeps threads, types, parents and statuses. The export files are streamed, so they
 * are also checked to be complete documents.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { SaxesParser } from 'saxes';
import type { Comment, NewComment } from '../../src/domain/comment.js';
import { exportJson } from '../../src/export/json-export.js';
import { instanceId } from '../../src/export/instance.js';
import { exportWxr } from '../../src/export/wxr-export.js';
import { importFile } from '../../src/import/run-import.js';
import type { ExportedComment, Store } from '../../src/store/repository.js';
import { allThreads, fixture, removeTempDirs, tempDir, tempStore, type TempStore } from './support.js';

after(removeTempDirs);

const SITE = 'https://blog.example';
const NATIVE = 'https://blog.example/2026/11/native/';

async function exported(store: Store, instance: string): Promise<ExportedComment[]> {
  const out: ExportedComment[] = [];
  for await (const c of store.transfer.exportComments(instance)) out.push(c);
  return out;
}

/** Field-by-field view without the database's own ids (parents compared by key instead). */
function portable(c: ExportedComment): Record<string, unknown> {
  const { id: _id, threadId: _t, parent: _p, ...rest } = c;
  return { ...rest, created: c.created.toISOString(), edited: c.edited?.toISOString() ?? null };
}

/** A source database with imported history and comments made here, every column in use. */
async function richSource(): Promise<TempStore> {
  const t = tempStore();
  const { store } = t;
  await importFile(store, { format: 'wxr', file: fixture('wordpress.wxr'), site: SITE, keepIp: false });
  await importFile(store, { format: 'disqus', file: fixture('disqus.xml'), site: SITE, keepIp: false });
  const created = new Date(Date.UTC(2026, 10, 20, 12, 0, 0, 123));
  const thread = await store.threads.ensure(NATIVE, created);
  await store.threads.setClosed(thread.id, { linkbacks: true });
  const base: NewComment = {
    threadId: thread.id, parent: null, kind: 'comment', status: 'approved', author: 'Native', email: 'native@example.org',
    url: 'https://native.example/', bodyHtml: '<p>Made <em>here</em></p>', bodyRaw: 'Made *here*', source: null, sourceKey: null,
    title: null, mentionType: null, authorPhoto: null, ip: '192.0.2.0', userAgent: 'Mozilla/5.0 test', reasons: ['first-time'],
    editTokenHash: 'a'.repeat(64), created,
  };
  const ins = async (c: Partial<NewComment>): Promise<Comment> => {
    const r = await store.comments.insert({ ...base, ...c });
    assert.equal(r.kind, 'inserted');
    return (r as { comment: Comment }).comment;
  };
  const root = await ins({});
  await ins({ parent: root.id, status: 'pending' });
  // Vote counts travel with the comment (the votes themselves are hashes that mean nothing elsewhere).
  for (const [voter, value] of [['v1', 1], ['v2', 1], ['v3', -1]] as const) {
    await store.votes.cast({ commentId: root.id, voter, network: 'n', value, perNetwork: 10, now: created });
  }
  await store.comments.edit(root.id, { author: 'Native (edited)', url: '', bodyRaw: 'Edited', bodyHtml: '<p>Edited</p>', status: 'approved', reasons: [], edited: new Date(created.getTime() + 60_000) });
  const doomed = await ins({ author: 'Gone' });
  await ins({ parent: doomed.id, author: 'Reply to gone' });
  assert.equal(await store.comments.remove(doomed.id), 'placeholder');
  await ins({
    kind: 'webmention', author: 'Wendy', email: '', url: 'https://wendy.example/', source: 'https://wendy.example/reply',
    sourceKey: 'https://wendy.example/reply', title: 'Re: native', mentionType: 'reply', authorPhoto: 'https://wendy.example/me.jpg',
    bodyHtml: '<p>Nice</p>', bodyRaw: 'Nice', editTokenHash: null, status: 'spam', reasons: ['akismet'],
  });
  await store.threads.ensure('https://blog.example/2026/11/empty/', created);
  return t;
}

describe('round trips', () => {
  test('export json → import into an empty database → the same threads and comments, field by field', async () => {
    const source = await richSource();
    const target = tempStore();
    try {
      const file = join(tempDir(), 'export.json');
      const counts = await exportJson(source.store, file);
      assert.deepEqual(counts, await source.store.transfer.counts());
      JSON.parse(readFileSync(file, 'utf8')); // one valid JSON document

      const imported = await importFile(target.store, { format: 'json', file, site: SITE, keepIp: false });
      assert.equal(imported.comments, counts.comments);

      const strip = (th: { id: number }) => ({ ...th, id: 0 });
      assert.deepEqual((await allThreads(target.store)).map(strip), (await allThreads(source.store)).map(strip));
      const before = await exported(source.store, await instanceId(source.store));
      const afterImport = await exported(target.store, 'other-instance');
      assert.equal(afterImport.length, before.length);
      for (let i = 0; i < before.length; i++) assert.deepEqual(portable(afterImport[i]!), portable(before[i]!), `comment ${before[i]!.key}`);
      // Parents point at the same comments (by key) in the new database.
      const keyOf = (list: ExportedComment[]) => new Map(list.map((c) => [c.id, c.key]));
      const newKeys = keyOf(afterImport);
      const oldKeys = keyOf(before);
      assert.deepEqual(afterImport.map((c) => (c.parent === null ? null : newKeys.get(c.parent))), before.map((c) => (c.parent === null ? null : oldKeys.get(c.parent))));
      assert.ok(before.some((c) => c.deleted) && before.some((c) => c.edited) && before.some((c) => c.mentionType === 'reply'), 'the fixture uses every column');
      assert.ok(before.some((c) => c.likes === 2 && c.dislikes === 1), 'the fixture has votes');

      assert.deepEqual(await importFile(target.store, { format: 'json', file, site: SITE, keepIp: false }),
        { threads: 0, comments: 0, skipped: counts.comments }, 're-importing the export adds nothing');
    } finally {
      await source.close();
      await target.close();
    }
  });

  test('export wxr → import wxr keeps threads, types, parents, statuses and placeholders', async () => {
    const source = await richSource();
    const target = tempStore();
    try {
      const file = join(tempDir(), 'export.wxr');
      await exportWxr(source.store, file, { site: SITE, timeZone: 'UTC' });
      // Well-formed, namespaced XML as WordPress's importer expects it.
      const parser = new SaxesParser({ xmlns: true });
      const namespaces = new Set<string>();
      parser.on('opentag', (n) => void (n.uri && namespaces.add(n.uri)));
      parser.write(readFileSync(file, 'utf8')).close();
      assert.ok(namespaces.has('http://wordpress.org/export/1.2/'));

      await importFile(target.store, { format: 'wxr', file, site: SITE, keepIp: true });
      const srcThreads = (await allThreads(source.store)).filter((th) => th.target !== 'https://blog.example/2026/11/empty/');
      const newThreads = await allThreads(target.store);
      assert.deepEqual(newThreads.map((th) => [th.target, th.title, th.commentsClosed, th.linkbacksClosed]),
        srcThreads.map((th) => [th.target, th.title ?? th.target, th.commentsClosed, th.linkbacksClosed]));

      const before = await exported(source.store, 'x');
      const afterImport = await exported(target.store, 'y');
      // The WXR comment id is the source database's id, so each imported comment names its original.
      const origin = (c: ExportedComment) => Number(c.key.split('#').pop());
      const byOldId = new Map(before.map((c) => [c.id, c]));
      assert.equal(afterImport.length, before.length);
      const newToOld = new Map(afterImport.map((c) => [c.id, origin(c)]));
      for (const c of afterImport) {
        const old = byOldId.get(origin(c))!;
        assert.equal(c.target, old.target);
        assert.equal(c.kind, old.kind);
        assert.equal(c.status, old.status);
        assert.equal(c.deleted, old.deleted);
        assert.equal(c.created.getTime(), Math.floor(old.created.getTime() / 1000) * 1000, 'WordPress dates have whole seconds');
        assert.equal(c.parent === null ? null : newToOld.get(c.parent), old.parent, `parent of ${old.id}`);
        if (old.kind !== 'comment') {
          assert.equal(c.source, old.source);
          assert.equal(c.title, old.title);
        }
        if (old.kind === 'comment' && !old.deleted) {
          assert.equal(c.author, old.author);
          assert.equal(c.email, old.email);
          assert.equal(c.bodyHtml, old.bodyHtml, 'the exported HTML comes back as the same HTML');
        }
      }
    } finally {
      await source.close();
      await target.close();
    }
  });
});
