/**
 * The CLI side of issue 16 points 6 and 7, as real processes: `import` refuses a file whose posts are
 * on none of BACKTALK_SITES with one line naming the origin and `--map-origin`, and imports with the
 * mapping; `export wxr` writes local times in BACKTALK_TIMEZONE; a bad zone name stops with one line.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { fixture, removeTempDirs, tempDir } from '../import/support.js';
import { runCli } from './support.js';

after(removeTempDirs);

const NEW_SITE = 'https://comments.example';

function oneLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one line on stderr, got: ${JSON.stringify(stderr)}`);
  return lines[0]!;
}

async function threadTargets(dbPath: string): Promise<string[]> {
  const store = openSqliteStore(dbPath);
  try {
    const targets: string[] = [];
    for await (const t of store.transfer.exportThreads()) targets.push(t.target);
    return targets;
  } finally {
    await store.close();
  }
}

describe('backtalk import and export with sites and time zones', () => {
  test('import onto other sites is refused in one line; --map-origin imports it there', async () => {
    const dir = tempDir();
    const env = { BACKTALK_DB: join(dir, 'backtalk.db'), BACKTALK_SITES: NEW_SITE };
    const refused = await runCli(['import', 'wxr', fixture('wordpress.wxr')], env);
    assert.notEqual(refused.code, 0);
    const line = oneLine(refused.stderr);
    assert.match(line, /https:\/\/blog\.example \(2 posts\)/);
    assert.match(line, /--map-origin https:\/\/blog\.example=https:\/\/comments\.example/);
    assert.deepEqual(await threadTargets(env.BACKTALK_DB), [], 'nothing imported');

    const badMap = await runCli(['import', 'wxr', fixture('wordpress.wxr'), '--map-origin', 'https://blog.example=https://elsewhere.example'], env);
    assert.notEqual(badMap.code, 0);
    assert.match(oneLine(badMap.stderr), /--map-origin: https:\/\/elsewhere\.example is not one of BACKTALK_SITES/);

    const mapped = await runCli(['import', 'wxr', fixture('wordpress.wxr'), '--map-origin', 'https://blog.example=https://comments.example'], env);
    assert.equal(mapped.code, 0, mapped.stderr);
    assert.deepEqual((await threadTargets(env.BACKTALK_DB)).sort(), [`${NEW_SITE}/2024/03/closed/`, `${NEW_SITE}/2024/03/hello-world/`]);
  });

  test('export wxr writes comment_date in BACKTALK_TIMEZONE and comment_date_gmt in UTC', async () => {
    const dir = tempDir();
    const env = { BACKTALK_DB: join(dir, 'backtalk.db'), BACKTALK_SITES: 'https://blog.example', BACKTALK_TIMEZONE: 'Asia/Novosibirsk' };
    assert.equal((await runCli(['import', 'wxr', fixture('wordpress.wxr')], env)).code, 0);
    const file = join(dir, 'out.wxr');
    const exported = await runCli(['export', 'wxr', file], env);
    assert.equal(exported.code, 0, exported.stderr);
    const xml = readFileSync(file, 'utf8');
    assert.match(xml, /<wp:comment_date><!\[CDATA\[2024-03-09 22:05:07\]\]><\/wp:comment_date>\s*<wp:comment_date_gmt><!\[CDATA\[2024-03-09 15:05:07\]\]>/);
  });

  test('an unknown BACKTALK_TIMEZONE stops with one line naming the variable', async () => {
    const dir = tempDir();
    const result = await runCli(['export', 'wxr', join(dir, 'x.wxr')], { BACKTALK_DB: join(dir, 'backtalk.db'), BACKTALK_TIMEZONE: 'Mars/Olympus_Mons' });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /BACKTALK_TIMEZONE: expected an IANA time zone name/);
  });
});
