/**
 * The `backtalk` command as a real process against a temporary database: help for every command,
 * import/export, errors as one line with a non-zero exit, admin-token, purge, personal data.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { sha256Hex } from '../../src/lib/tokens.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { fixture, removeTempDirs, tempDir } from '../import/support.js';
import { runCli, spawnCli } from './support.js';

after(removeTempDirs);

function env(): { BACKTALK_DB: string; BACKTALK_SITES: string; dir: string } {
  const dir = tempDir();
  return { BACKTALK_DB: join(dir, 'backtalk.db'), BACKTALK_SITES: 'https://blog.example', dir };
}

async function counts(dbPath: string) {
  const store = openSqliteStore(dbPath);
  try {
    return await store.transfer.counts();
  } finally {
    await store.close();
  }
}

/** Exactly one line on stderr, starting with what the CLI prints for errors. */
function assertOneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one line on stderr, got: ${JSON.stringify(stderr)}`);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
}

describe('backtalk CLI', () => {
  test('--help on the program and on every command', async () => {
    const { dir: _dir, ...e } = env();
    const top = await runCli(['--help'], e);
    assert.equal(top.code, 0);
    for (const name of ['serve', 'import', 'export', 'backup', 'admin-token', 'purge', 'personal-data']) assert.match(top.stdout, new RegExp(`\\n  ${name}\\b`));
    const helps: Array<[string[], RegExp]> = [
      [['serve', '--help'], /Usage: backtalk serve/],
      [['import', '--help'], /Usage: backtalk import \[options\] <format> <file>[\s\S]*--site <origin>[\s\S]*one transaction/],
      [['export', '--help'], /json[\s\S]*wxr/],
      [['export', 'json', '--help'], /Usage: backtalk export json \[options\] <file>/],
      [['export', 'wxr', '--help'], /Usage: backtalk export wxr \[options\] <file>/],
      [['backup', '--help'], /Usage: backtalk backup \[options\] <file>[\s\S]*Restore: stop the server/],
      [['admin-token', '--help'], /Usage: backtalk admin-token/],
      [['purge', '--help'], /--older-than <days>/],
      [['personal-data', '--help'], /export[\s\S]*erase/],
      [['personal-data', 'export', '--help'], /<email> \[file\]/],
      [['personal-data', 'erase', '--help'], /--mode <mode>[\s\S]*anonymize[\s\S]*remove/],
    ];
    const results = await Promise.all(helps.map(([args]) => runCli(args, e)));
    results.forEach((r, i) => {
      assert.equal(r.code, 0, helps[i]![0].join(' '));
      assert.match(r.stdout, helps[i]![1]);
    });
  });

  test('serve runs the server like npm start and stops cleanly on SIGTERM', async () => {
    const { dir, ...e } = env();
    const child = spawnCli(['serve'], { ...e, BACKTALK_PORT: '0', BACKTALK_ADMIN_TOKEN: 'serve-test-token-0123456789' }, dir);
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /Backtalk serving on (\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`exited with ${code}`)));
    });
    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });

  test('import wxr, then again: nothing added twice; the data is served', async () => {
    const { dir: _dir, ...e } = env();
    const first = await runCli(['import', 'wxr', fixture('wordpress.wxr')], e);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, 'Imported 9 comments into 2 new threads.\n');
    assert.equal(first.stderr, '', 'no progress bar when stderr is not a terminal');
    // Into a database that holds comments: off a terminal only with --yes (tests/cli/careful.test.ts).
    const second = await runCli(['import', 'wxr', fixture('wordpress.wxr'), '--yes'], e);
    assert.equal(second.code, 0);
    assert.equal(second.stdout, 'Imported 0 comments into 0 new threads. 9 comments were already there.\n');
    assert.deepEqual(await counts(e.BACKTALK_DB), { threads: 2, comments: 9 });
  });

  test('a progress bar on a terminal (stderr a TTY, through script(1))', async (t) => {
    const { execFileSync } = await import('node:child_process');
    try {
      execFileSync('script', ['--version'], { stdio: 'ignore' });
    } catch {
      t.skip('script(1) from util-linux is not installed, so no pseudo-terminal can be made');
      return;
    }
    const { dir: _dir, ...e } = env();
    const { fileURLToPath } = await import('node:url');
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const out = execFileSync('script', ['-qec', `node --import tsx src/cli.ts import wxr ${fixture('wordpress.wxr')}`, '/dev/null'], {
      cwd: root, env: { PATH: process.env.PATH ?? '', ...e }, encoding: 'utf8',
    });
    assert.match(out, /import wxr \[[^\]]*\] 100%/);
    assert.match(out, /Imported 9 comments/);
  });

  test('a truncated file: one line naming the line, exit 1, nothing imported', async () => {
    const e = env();
    const text = readFileSync(fixture('disqus.xml'), 'utf8');
    const cut = join(e.dir, 'cut.xml');
    writeFileSync(cut, text.slice(0, text.lastIndexOf('<post ')));
    const r = await runCli(['import', 'disqus', cut], e);
    assert.equal(r.code, 1);
    assertOneLine(r.stderr, /^backtalk: line \d+: .*truncated/);
    assert.deepEqual(await counts(e.BACKTALK_DB), { threads: 0, comments: 0 });
  });

  test('isso import resolves paths against --site, or the first of BACKTALK_SITES', async () => {
    const e = env();
    const { createIssoDatabase } = await import('../import/support.js');
    const isso = join(e.dir, 'isso.db');
    const db = createIssoDatabase(isso);
    db.prepare(`INSERT INTO threads (id, uri, title) VALUES (1, '/p/', 'P')`).run();
    db.prepare(`INSERT INTO comments (tid, id, parent, created, mode, text, author, voters) VALUES (1, 1, NULL, 1600000000, 1, 'hi', 'A', x'00')`).run();
    db.close();
    // Issue 16 point 7: threads off BACKTALK_SITES would never be shown, so that import is refused.
    const offSites = await runCli(['import', 'isso', isso, '--site', 'https://other.example/blog'], e);
    assert.equal(offSites.code, 1);
    assertOneLine(offSites.stderr, /https:\/\/other\.example \(1 post\) are not on any of BACKTALK_SITES/);
    const r = await runCli(['import', 'isso', isso, '--site', 'https://other.example/blog'], { ...e, BACKTALK_SITES: `${e.BACKTALK_SITES},https://other.example` });
    assert.equal(r.code, 0, r.stderr);
    const bad = await runCli(['import', 'isso', isso, '--site', 'not a url'], e);
    assert.equal(bad.code, 1);
    assertOneLine(bad.stderr, /^backtalk: --site: "not a url" is not an absolute http\(s\) origin$/);
    const r2 = await runCli(['import', 'isso', isso, '--yes'], e);
    assert.equal(r2.code, 0);
    const store = openSqliteStore(e.BACKTALK_DB);
    try {
      assert.ok(await store.threads.findByTarget('https://other.example/p/'));
      assert.ok(await store.threads.findByTarget('https://blog.example/p/'), 'the default site is the first of BACKTALK_SITES');
    } finally {
      await store.close();
    }
  });

  test('usage and configuration errors are one line with a non-zero exit', async () => {
    const e = env();
    const cases: Array<[string[], Record<string, string>, RegExp, number]> = [
      [['import', 'mbox', 'x'], {}, /^error: .*'mbox' is invalid.*wxr, disqus, isso, json/, 1],
      [['import', 'wxr'], {}, /^error: missing required argument 'file'/, 1],
      [['import', 'wxr', join(e.dir, 'missing.xml')], {}, /^backtalk: .*missing\.xml: cannot read it \(ENOENT\)$/, 1],
      [['purge'], {}, /^error: required option '--older-than <days>' not specified/, 1],
      [['purge', '--older-than', 'soon'], {}, /^error: .*expected a whole number of days/, 1],
      [['personal-data', 'erase', 'a@b.example', '--mode', 'shred'], {}, /^error: .*'shred' is invalid/, 1],
      [['export', 'json', join(e.dir, 'x.json')], { BACKTALK_MODERATION: 'never', BACKTALK_PORT: 'x' }, /^backtalk: invalid configuration: BACKTALK_PORT: .*; BACKTALK_MODERATION: /, 2],
      [['frobnicate'], {}, /^error: unknown command 'frobnicate'/, 1],
    ];
    const results = await Promise.all(cases.map(([args, extra]) => runCli(args, { BACKTALK_DB: e.BACKTALK_DB, BACKTALK_SITES: e.BACKTALK_SITES, ...extra })));
    results.forEach((r, i) => {
      assert.equal(r.code, cases[i]![3], `${cases[i]![0].join(' ')}: ${r.stderr}`);
      assertOneLine(r.stderr, cases[i]![2]);
    });
    assert.equal(existsSync(join(e.dir, 'x.json')), false);
  });

  test('export json and wxr write complete files; a failed export leaves none', async () => {
    const { dir, ...e } = env();
    await runCli(['import', 'disqus', fixture('disqus.xml')], e);
    const json = await runCli(['export', 'json', join(dir, 'out.json')], e);
    assert.equal(json.code, 0, json.stderr);
    assert.equal(json.stdout, `Exported 5 comments of 2 threads to ${join(dir, 'out.json')}.\n`);
    const doc = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as { comments: unknown[]; threads: unknown[] };
    assert.equal(doc.comments.length, 5);
    const wxr = await runCli(['export', 'wxr', join(dir, 'out.wxr')], e);
    assert.equal(wxr.code, 0, wxr.stderr);
    assert.match(readFileSync(join(dir, 'out.wxr'), 'utf8'), /<wp:comment_approved><!\[CDATA\[spam\]\]><\/wp:comment_approved>/);
    const failed = await runCli(['export', 'json', join(dir, 'no-such-folder', 'out.json')], e);
    assert.equal(failed.code, 1);
    assertOneLine(failed.stderr, /^backtalk: ENOENT/);
  });

  test('admin-token rotates: prints a new token once and stores only its hash; refused when BACKTALK_ADMIN_TOKEN is set', async () => {
    const { dir: _dir, ...e } = env();
    const r = await runCli(['admin-token'], e);
    assert.equal(r.code, 0, r.stderr);
    const token = /: (\S+)\n/.exec(r.stdout)?.[1];
    assert.ok(token && token.length >= 40);
    const r2 = await runCli(['admin-token'], e);
    const token2 = /: (\S+)\n/.exec(r2.stdout)?.[1];
    assert.notEqual(token2, token);
    const store = openSqliteStore(e.BACKTALK_DB);
    try {
      assert.equal(await store.settings.get('admin_token_hash'), sha256Hex(token2!));
    } finally {
      await store.close();
    }
    const refused = await runCli(['admin-token'], { ...e, BACKTALK_ADMIN_TOKEN: 'x'.repeat(20) });
    assert.equal(refused.code, 1);
    assertOneLine(refused.stderr, /BACKTALK_ADMIN_TOKEN is set/);
  });

  test('purge deletes spam and trash older than N days, nothing else', async () => {
    const { dir: _dir, ...e } = env();
    await runCli(['import', 'wxr', fixture('wordpress.wxr')], e);
    // The fixture's comments are from 2015 and 2024; one spam and one trash among them.
    const young = await runCli(['purge', '--older-than', '100000', '--yes'], e);
    assert.equal(young.stdout, 'Deleted 0 comments from spam and trash, older than 100000 days.\n');
    const r = await runCli(['purge', '--older-than', '30', '--yes'], e);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Deleted 2 comments from spam and trash, older than 30 days.\n');
    assert.deepEqual(await counts(e.BACKTALK_DB), { threads: 2, comments: 7 });
  });

  test('personal-data export and erase (anonymize, remove)', async () => {
    const { dir, ...e } = env();
    await runCli(['import', 'wxr', fixture('wordpress.wxr')], e);
    // ann@example.org wrote comment 101 and, with different case, 201.
    const out = await runCli(['personal-data', 'export', 'ANN@example.org'], e);
    assert.equal(out.code, 0, out.stderr);
    const data = JSON.parse(out.stdout) as { comments: Array<{ author: string; body_raw: string; ip: string }> };
    assert.deepEqual(data.comments.map((c) => c.author), ['Ann Example', 'Dave']);
    const toFile = await runCli(['personal-data', 'export', 'ann@example.org', join(dir, 'ann.json')], e);
    assert.match(toFile.stdout, /Wrote 2 comments and 0 subscriptions/);
    assert.equal((JSON.parse(readFileSync(join(dir, 'ann.json'), 'utf8')) as { comments: unknown[] }).comments.length, 2);

    const anon = await runCli(['personal-data', 'erase', 'ann@example.org', '--mode', 'anonymize', '--yes'], e);
    assert.equal(anon.stdout, 'Anonymized 2 comments of ann@example.org and deleted 0 subscriptions.\n');
    const after = JSON.parse((await runCli(['personal-data', 'export', 'ann@example.org'], e)).stdout) as { comments: unknown[] };
    assert.equal(after.comments.length, 0, 'nothing is stored under the address any more');

    // bob@example.net wrote 102, which has a reply (103): it stays as a placeholder.
    const removed = await runCli(['personal-data', 'erase', 'bob@example.net', '--mode', 'remove', '--yes'], e);
    assert.equal(removed.stdout, 'Removed 0 comments of bob@example.net (1 kept as a blank placeholder for its replies) and deleted 0 subscriptions.\n');
    const carol = await runCli(['personal-data', 'erase', 'carol@example.com', '--mode', 'remove', '--yes'], e);
    assert.equal(carol.stdout, 'Removed 1 comment of carol@example.com (0 kept as blank placeholders for their replies) and deleted 0 subscriptions.\n');

    const store = openSqliteStore(e.BACKTALK_DB);
    try {
      const all = [];
      for await (const c of store.transfer.exportComments('t')) all.push(c);
      const ann = all.find((c) => c.key.endsWith('#101'))!;
      assert.deepEqual([ann.author, ann.email, ann.url, ann.ip], ['Anonymous', '', '', '']);
      assert.match(ann.bodyHtml, /Great post/, 'anonymize keeps what was said');
      const bob = all.find((c) => c.key.endsWith('#102'))!;
      assert.deepEqual([bob.deleted, bob.author, bob.email, bob.bodyRaw], [true, '', '', '']);
      assert.equal(all.some((c) => c.key.endsWith('#107')), false);
      assert.equal(all.length, 8);
    } finally {
      await store.close();
    }
  });
});
