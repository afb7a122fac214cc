/**
 * Hostile import files: a real JSON export and a real WXR export of a small site, mutated byte by
 * byte and value by value, then imported. An import either succeeds or fails with an ImportError
 * naming where (the CLI's one clear line), never another exception, and a failed import leaves the
 * database exactly as it was (one transaction).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { exportJson } from '../../src/export/json-export.js';
import { exportWxr } from '../../src/export/wxr-export.js';
import { importFile } from '../../src/import/run-import.js';
import { ImportError } from '../../src/import/record.js';
import type { Store } from '../../src/store/repository.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { anyJson, LINKING_HOST, mutate, mutation, nastyString, POST, runs, startFuzzServer, type FuzzServer } from './support.js';

let source: FuzzServer;
let dir: string;
let target: Store;
let targetDb: Database.Database;
let jsonExport: Buffer;
let wxrExport: Buffer;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'backtalk-import-fuzz-'));
  source = await startFuzzServer();
  // A small site with what an export carries: replies, pending, odd text, a linkback.
  const first = (await (await source.postJson('/comments', { target: POST, author: 'Ann', email: 'ann@example.com', url: 'https://ann.example/', body: 'First <b>bold</b> & "quoted" — ünïcödé 😀' })).json()) as { id: number };
  await source.postJson('/comments', { target: POST, author: 'Bob', body: 'A reply.', parent: first.id });
  await source.postJson('/comments', { target: 'http://blog.example/other/', author: 'Cy', body: 'Elsewhere\nwith lines\n\nand paragraphs.' });
  await source.postForm(`/trackback?target=${encodeURIComponent(POST)}`, { url: `http://${LINKING_HOST}/p/1`, title: 'Linked', excerpt: 'An excerpt', blog_name: 'Their blog' });
  await source.deps.store.comments.setStatus(first.id + 1, 'pending');
  await exportJson(source.deps.store, join(dir, 'export.json'));
  await exportWxr(source.deps.store, join(dir, 'export.wxr'), { site: 'http://blog.example', timeZone: 'UTC' });
  jsonExport = readFileSync(join(dir, 'export.json'));
  wxrExport = readFileSync(join(dir, 'export.wxr'));
  target = openSqliteStore(join(dir, 'target.db'));
  targetDb = new Database(join(dir, 'target.db'), { readonly: true });
});

after(async () => {
  targetDb.close();
  await target.close();
  await source.close();
  rmSync(dir, { recursive: true, force: true });
});

const snapshot = () => targetDb.prepare(`SELECT (SELECT count(*) FROM comments) AS c, (SELECT count(*) FROM threads) AS t, (SELECT coalesce(sum(length(body_html)), 0) FROM comments) AS h`).get();

let n = 0;
async function tryImport(format: 'json' | 'wxr' | 'disqus' | 'isso', bytes: Buffer): Promise<'imported' | 'refused'> {
  const file = join(dir, `in-${(n += 1)}.${format}`);
  writeFileSync(file, bytes);
  const before = snapshot();
  try {
    await importFile(target, { format, file, site: 'http://blog.example', keepIp: false });
    return 'imported';
  } catch (err) {
    assert.ok(err instanceof ImportError, `not an ImportError: ${(err as Error)?.stack ?? String(err)}\nfile: ${bytes.toString('utf8').slice(0, 400)}`);
    assert.match(err.message, /\S: \S/, 'says where and what');
    assert.deepEqual(snapshot(), before, 'a refused import leaves nothing behind');
    return 'refused';
  } finally {
    rmSync(file, { force: true });
  }
}

test('the exports themselves import', async () => {
  assert.equal(await tryImport('json', jsonExport), 'imported');
  assert.equal(await tryImport('wxr', wxrExport), 'imported');
});

test('JSON export with mutated bytes: imported or refused with an ImportError, never half-imported', async () => {
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
      if ((await tryImport('json', mutate(jsonExport, mutations))) === 'refused') refused += 1;
    }),
    runs(300),
  );
  assert.ok(refused > 30, `mutations were refused (${refused})`);
});

test('JSON export with values replaced by random JSON (wrong types, __proto__, huge, nested)', async () => {
  const lines = jsonExport.toString('utf8').split('\n');
  let refused = 0;
  let imported = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.record({ line: fc.nat(), key: fc.oneof(fc.constantFrom('target', 'type', 'status', 'created', 'edited', 'parent', 'body_html', 'body_raw', 'reasons', 'mention_type', 'id', 'key', 'format', 'version', '__proto__', 'comments_closed'), nastyString(8)), value: anyJson }), { minLength: 1, maxLength: 3 }),
      async (edits) => {
        const out = [...lines];
        for (const e of edits) {
          const i = e.line % out.length;
          const text = out[i]!;
          const comma = text.endsWith(',') ? ',' : '';
          const body = comma ? text.slice(0, -1) : text;
          let obj: unknown;
          try {
            obj = JSON.parse(body);
          } catch {
            continue; // the header's opening line and the closing brackets are not objects on their own
          }
          if (typeof obj !== 'object' || obj === null) continue;
          out[i] = `${JSON.stringify(obj).slice(0, -1)}${Object.keys(obj).length ? ',' : ''}${JSON.stringify(e.key)}:${JSON.stringify(e.value) ?? 'null'}}${comma}`;
        }
        if ((await tryImport('json', Buffer.from(out.join('\n')))) === 'refused') refused += 1;
        else imported += 1;
      },
    ),
    runs(300),
  );
  assert.ok(refused > 30 && imported > 10, `both outcomes reached (${refused} refused, ${imported} imported)`);
});

test('WXR export with mutated bytes, entities and DOCTYPEs', async () => {
  const insert = fc.constantFrom('<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>', '&#99999999;', '&bogus;', '<![CDATA[', ']]>', '<wp:comment>', '</wp:comment>', '<wp:comment_parent>-1</wp:comment_parent>', '<wp:comment_date_gmt>not a date</wp:comment_date_gmt>');
  await fc.assert(
    fc.asyncProperty(fc.array(mutation, { maxLength: 3 }), fc.option(fc.tuple(fc.nat(), insert), { nil: undefined }), async (mutations, addition) => {
      let bytes = mutate(wxrExport, mutations);
      if (addition) {
        const at = addition[0] % (bytes.length + 1);
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(addition[1]), bytes.subarray(at)]);
      }
      await tryImport('wxr', bytes);
    }),
    runs(250),
  );
});

test('random bytes in every format', async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom('json', 'wxr', 'disqus', 'isso') as fc.Arbitrary<'json' | 'wxr' | 'disqus' | 'isso'>, fc.uint8Array({ maxLength: 300 }), async (format, bytes) => {
      await tryImport(format, Buffer.from(bytes));
    }),
    runs(150),
  );
});
