/**
 * Issue 17.9, a careful CLI: purge, personal-data erase and an import into a database that already
 * holds comments ask on a terminal (driven here through a real pseudo-terminal made by script(1)
 * from util-linux), refuse off one without --yes, and show with --dry-run what would change without
 * changing it; messages take plural forms and language from the locale; commands print no stray
 * runtime warnings.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { fixture, removeTempDirs, tempDir } from '../import/support.js';
import { runCli, type CliResult } from './support.js';

after(removeTempDirs);

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function env(): { BACKTALK_DB: string; BACKTALK_SITES: string; dir: string } {
  const dir = tempDir();
  return { BACKTALK_DB: join(dir, 'backtalk.db'), BACKTALK_SITES: 'https://blog.example', dir };
}

let template: string;
before(async () => {
  const { dir: _dir, ...e } = env();
  const r = await runCli(['import', 'wxr', fixture('wordpress.wxr')], e);
  assert.equal(r.code, 0, r.stderr);
  template = e.BACKTALK_DB;
});

/** A database with the WordPress fixture (9 comments in 2 threads, one spam and one trash from 2015): a copy of one import. */
async function imported(): Promise<Record<string, string>> {
  const { dir: _dir, ...e } = env();
  copyFileSync(template, e.BACKTALK_DB);
  return e;
}

async function state(dbPath: string): Promise<{ threads: number; comments: number; ann: number }> {
  const store = openSqliteStore(dbPath);
  try {
    const counts = await store.transfer.counts();
    const ann = (await store.transfer.personalData('ann@example.org')).comments.length;
    return { ...counts, ann };
  } finally {
    await store.close();
  }
}

/** The refusal off a terminal: one line naming --yes, exit code not 0. */
function assertRefused(r: CliResult): void {
  assert.notEqual(r.code, 0);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^backtalk: this changes the database, and standard input is not a terminal to ask on: add --yes to go ahead \(or --dry-run to see what would change\)\n$/);
}

const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/**
 * Runs the CLI on a pseudo-terminal (script -qfec), typing `answer` and Enter. The terminal merges
 * stdout and stderr; the answer is typed once the question is on the screen.
 */
function onTerminal(args: string[], e: Record<string, string>, answer: string): Promise<{ code: number; screen: string }> {
  return new Promise((resolve, reject) => {
    const command = ['node', '--import', 'tsx', 'src/cli.ts', ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd: ROOT, env: { PATH: process.env.PATH ?? '', BACKTALK_LOG_LEVEL: 'silent', TERM: 'dumb', ...e },
    });
    let screen = '';
    let typed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      screen += chunk.toString('utf8');
      if (!typed && /\[\S+\/\S+\] $/.test(screen)) {
        typed = true;
        child.stdin.write(`${answer}\n`);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, screen: screen.replace(/\r/g, '') }));
  });
}

describe('off a terminal', () => {
  test('purge, personal-data erase and an import into a non-empty database refuse without --yes, changing nothing', async () => {
    const e = await imported();
    const before = await state(e.BACKTALK_DB);
    const refused = await Promise.all([['purge', '--older-than', '30'], ['personal-data', 'erase', 'ann@example.org', '--mode', 'remove'],
      ['import', 'disqus', fixture('disqus.xml')]].map((args) => runCli(args, e)));
    refused.forEach(assertRefused);
    assert.deepEqual(await state(e.BACKTALK_DB), before, 'nothing changed');

    // With --yes they go ahead.
    const purged = await runCli(['purge', '--older-than', '30', '--yes'], e);
    assert.equal(purged.code, 0, purged.stderr);
    assert.equal(purged.stdout, 'Deleted 2 comments from spam and trash, older than 30 days.\n');
  });

  test('an import into an empty database needs no confirmation', async () => {
    const { dir: _dir, ...e } = env();
    const r = await runCli(['import', 'disqus', fixture('disqus.xml')], e);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
  });
});

describe('--dry-run shows what would change and changes nothing', () => {
  test('purge', async () => {
    const e = await imported();
    const before = await state(e.BACKTALK_DB);
    const dry = await runCli(['purge', '--older-than', '30', '--dry-run'], e);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(dry.stdout, 'Would delete 2 comments from spam and trash, older than 30 days.\nDry run: nothing was changed.\n');
    assert.equal(dry.stderr, '', 'no warnings');
    assert.deepEqual(await state(e.BACKTALK_DB), before);
    assert.equal((await runCli(['purge', '--older-than', '30', '--yes'], e)).stdout, 'Deleted 2 comments from spam and trash, older than 30 days.\n');
    assert.equal((await state(e.BACKTALK_DB)).comments, before.comments - 2, 'the dry run counted exactly what the real run deleted');
  });

  test('personal-data erase, with the placeholders a real erase would keep', async () => {
    const e = await imported();
    const before = await state(e.BACKTALK_DB);
    const anon = await runCli(['personal-data', 'erase', 'ann@example.org', '--mode', 'anonymize', '--dry-run'], e);
    assert.equal(anon.code, 0, anon.stderr);
    assert.equal(anon.stdout, 'Would anonymize 2 comments of ann@example.org and delete 0 subscriptions.\nDry run: nothing was changed.\n');
    assert.equal(anon.stderr, '', 'no warnings');
    // bob@example.net's one comment has a reply: removing keeps it as a placeholder.
    const bob = await runCli(['personal-data', 'erase', 'bob@example.net', '--mode', 'remove', '--dry-run'], e);
    assert.equal(bob.stdout, 'Would remove 0 comments of bob@example.net (1 kept as a blank placeholder for its replies) and delete 0 subscriptions.\nDry run: nothing was changed.\n');
    assert.deepEqual(await state(e.BACKTALK_DB), before);
    const real = await runCli(['personal-data', 'erase', 'bob@example.net', '--mode', 'remove', '--yes'], e);
    assert.equal(real.stdout, 'Removed 0 comments of bob@example.net (1 kept as a blank placeholder for its replies) and deleted 0 subscriptions.\n');
  });

  test('import: the whole file read, the counts of a real import, nothing kept', async () => {
    const e = await imported();
    const before = await state(e.BACKTALK_DB);
    const dry = await runCli(['import', 'disqus', fixture('disqus.xml'), '--dry-run'], e);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(dry.stdout, 'Would import 5 comments into 2 new threads.\nDry run: nothing was changed.\n');
    assert.equal(dry.stderr, '', 'no warnings');
    assert.deepEqual(await state(e.BACKTALK_DB), before);
    const real = await runCli(['import', 'disqus', fixture('disqus.xml'), '--yes'], e);
    assert.equal(real.stdout, 'Imported 5 comments into 2 new threads.\n');
    const again = await runCli(['import', 'disqus', fixture('disqus.xml'), '--dry-run'], e);
    assert.equal(again.stdout, 'Would import 0 comments into 0 new threads. 5 comments were already there.\nDry run: nothing was changed.\n');
  });
});

describe('on a terminal (a pseudo-terminal through script(1))', { skip: hasScript ? false : 'script(1) from util-linux is not installed' }, () => {
  test('purge asks; "n" cancels and changes nothing, "y" deletes', async () => {
    const e = await imported();
    const before = await state(e.BACKTALK_DB);
    const no = await onTerminal(['purge', '--older-than', '30'], e, 'n');
    assert.match(no.screen, /Would delete 2 comments from spam and trash, older than 30 days\.\nGo ahead\? \[y\/N\] /);
    assert.match(no.screen, /backtalk: Cancelled: nothing was changed\./);
    assert.notEqual(no.code, 0);
    assert.deepEqual(await state(e.BACKTALK_DB), before);
    const yes = await onTerminal(['purge', '--older-than', '30'], e, 'y');
    assert.equal(yes.code, 0, yes.screen);
    assert.match(yes.screen, /Deleted 2 comments from spam and trash, older than 30 days\./);
    assert.equal((await state(e.BACKTALK_DB)).comments, before.comments - 2);
  });

  test('personal-data erase and an import into a non-empty database ask too; Enter alone means no', async () => {
    const e = await imported();
    const before = await state(e.BACKTALK_DB);
    const enter = await onTerminal(['personal-data', 'erase', 'ann@example.org', '--mode', 'anonymize'], e, '');
    assert.match(enter.screen, /Would anonymize 2 comments of ann@example\.org and delete 0 subscriptions\./);
    assert.notEqual(enter.code, 0);
    const imp = await onTerminal(['import', 'disqus', fixture('disqus.xml')], e, 'no');
    assert.match(imp.screen, /The database already holds 9 comments in 2 threads; .*disqus\.xml will be added to them/);
    assert.notEqual(imp.code, 0);
    assert.deepEqual(await state(e.BACKTALK_DB), before);
    const erase = await onTerminal(['personal-data', 'erase', 'ann@example.org', '--mode', 'anonymize'], e, 'yes');
    assert.equal(erase.code, 0, erase.screen);
    assert.equal((await state(e.BACKTALK_DB)).ann, 0);
  });

  test('in the operator\'s language: a German terminal asks [j/N] and takes "j"', async () => {
    const e = await imported();
    const r = await onTerminal(['purge', '--older-than', '30'], { ...e, LANG: 'de_DE.UTF-8' }, 'j');
    assert.match(r.screen, /Zu löschen: 2 Kommentare aus Spam und Papierkorb \(älter als 30 Tage\)\.\nFortfahren\? \[j\/N\] /);
    assert.match(r.screen, /Gelöscht: 2 Kommentare/);
    assert.equal(r.code, 0);
  });
});

describe('messages', () => {
  test('counts take the plural form of the locale (Intl.PluralRules through src/i18n)', async () => {
    const e = await imported();
    const en = await runCli(['personal-data', 'erase', 'carol@example.com', '--mode', 'remove', '--dry-run'], e);
    assert.match(en.stdout, /^Would remove 1 comment of carol@example\.com \(0 kept as blank placeholders for their replies\) and delete 0 subscriptions\./);
    const ru = await Promise.all([['purge', '--older-than', '30', '--dry-run'], ['purge', '--older-than', '1', '--dry-run'],
      ['personal-data', 'erase', 'carol@example.com', '--mode', 'remove', '--dry-run'], ['import', 'disqus', fixture('disqus.xml'), '--dry-run']]
      .map((args) => runCli(args, { ...e, LANG: 'ru_RU.UTF-8' })));
    assert.match(ru[0]!.stdout, /^Будет удалено: 2 комментария из спама и корзины \(старше 30 дней\)\.\nПробный запуск: ничего не изменено\.\n$/);
    assert.match(ru[1]!.stdout, /\(старше 1 дня\)/);
    assert.match(ru[2]!.stdout, /^Будет удалено: 1 комментарий от carol@example\.com/);
    assert.match(ru[3]!.stdout, /^Будет импортировано: 5 комментариев, 2 новых обсуждения\./);
    const pl = await runCli(['purge', '--older-than', '5', '--dry-run'], { ...e, LC_ALL: 'pl_PL.UTF-8', LANG: 'en_US.UTF-8' });
    assert.match(pl.stdout, /^Do usunięcia: 2 komentarze ze spamu i kosza \(starsze niż 5 dni\)\./, 'LC_ALL wins over LANG');
  });

  test('no stray runtime warnings: successful commands write nothing to stderr', async () => {
    const e = await imported();
    // The dry runs above check their stderr too; these are the other commands.
    const commands = [
      ['--help'], ['export', 'json', join(e.BACKTALK_DB, '..', 'out.json')], ['export', 'wxr', join(e.BACKTALK_DB, '..', 'out.wxr')],
      ['personal-data', 'export', 'ann@example.org'], ['backup', join(e.BACKTALK_DB, '..', 'copy.db')], ['migrate'],
    ];
    const results = await Promise.all(commands.map((args) => runCli(args, e)));
    results.forEach((r, i) => {
      assert.equal(r.code, 0, `${commands[i]!.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr, '', `${commands[i]!.join(' ')} wrote to stderr`);
    });
  });
});
