/**
 * `backtalk backup FILE` while a real server process keeps writing: the copy is consistent (passes
 * PRAGMA integrity_check), opens as a Backtalk database, and holds a snapshot between the data
 * before and after the backup.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { importFile } from '../../src/import/run-import.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { spawnServer } from '../helpers/spawn-server.js';
import { removeTempDirs, tempDir } from '../import/support.js';
import { runCli } from './support.js';

after(removeTempDirs);

const SITE = 'http://blog.example';

/** A WXR with `n` comments of about 1 KB each, so the database spans many backup steps. */
function bigWxr(path: string, n: number): void {
  const body = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(18);
  const comments = Array.from({ length: n }, (_, i) => `<wp:comment><wp:comment_id>${i + 1}</wp:comment_id>
<wp:comment_author><![CDATA[Reader ${i}]]></wp:comment_author><wp:comment_author_email>r${i}@example.org</wp:comment_author_email>
<wp:comment_date_gmt>2024-01-01 00:00:00</wp:comment_date_gmt><wp:comment_content><![CDATA[${body} ${i}]]></wp:comment_content>
<wp:comment_approved>1</wp:comment_approved><wp:comment_type></wp:comment_type><wp:comment_parent>0</wp:comment_parent></wp:comment>`);
  writeFileSync(path, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel>
<item><title>Big</title><link>${SITE}/big/</link>${comments.join('\n')}</item></channel></rss>`);
}

test('backup while the server receives writes: a consistent copy that opens', async () => {
  const dir = tempDir();
  const dbPath = join(dir, 'backtalk.db');
  const seedFile = join(dir, 'seed.wxr');
  bigWxr(seedFile, 6000);
  const seed = openSqliteStore(dbPath);
  await importFile(seed, { format: 'wxr', file: seedFile, site: SITE, keepIp: false });
  await seed.close();

  const env = {
    BACKTALK_DB: dbPath, BACKTALK_PORT: '0', BACKTALK_SITES: SITE, BACKTALK_RATE_LIMIT: '0',
    BACKTALK_ADMIN_TOKEN: 'backup-test-token-0123456789', BACKTALK_MODERATION: 'auto',
  };
  const server = await spawnServer(env, dir);
  let writing = true;
  let written = 0;
  const failures: string[] = [];
  const writer = (async () => {
    while (writing) {
      const res = await fetch(`${server.url}/comments`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ target: `${SITE}/live/`, body: `live comment ${written} ${Math.random()}`, author: `W${written}` }),
      });
      if (res.status === 201) written++;
      else failures.push(`${res.status} ${await res.text()}`);
    }
  })();
  try {
    while (written < 5) await new Promise((r) => setTimeout(r, 20));
    const before = written;
    const copy = join(dir, 'copy.db');
    const result = await runCli(['backup', copy], { BACKTALK_DB: dbPath, BACKTALK_SITES: SITE });
    const during = written - before;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `Backed up ${dbPath} to ${copy}.\n`);
    while (written < before + during + 5) await new Promise((r) => setTimeout(r, 20));
    writing = false;
    await writer;
    assert.deepEqual(failures, [], 'the server kept answering during the backup');
    assert.ok(during > 0, 'writes happened while the backup ran');

    const raw = new Database(copy, { readonly: true });
    try {
      assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
      const n = (raw.prepare(`SELECT count(*) AS n FROM comments`).get() as { n: number }).n;
      assert.ok(n >= 6000 + before && n <= 6000 + written, `the copy is a snapshot between start and end (${n})`);
    } finally {
      raw.close();
    }
    const reopened = openSqliteStore(copy);
    try {
      assert.ok(await reopened.threads.findByTarget(`${SITE}/big/`));
      assert.equal(await reopened.ping(), true);
    } finally {
      await reopened.close();
    }
  } finally {
    writing = false;
    await writer.catch(() => {});
    server.child.kill('SIGTERM');
    await server.exited;
  }
});
