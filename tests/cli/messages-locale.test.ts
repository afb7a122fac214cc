/**
 * `backup`, `migrate` and the schema line speak the operator's language (LC_ALL / LC_MESSAGES / LANG),
 * counts through the locale's plural rules, like purge and personal-data (tests/cli/careful.test.ts).
 * `send` uses the same sentences; its English output is checked in tests/send/cli.test.ts and its
 * Russian plural here through the message function itself.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { count, cliLocale, say } from '../../src/cli/messages.js';
import { SCHEMA_VERSION } from '../../src/store/sqlite/migrations.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { runCli } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'backtalk-cli-locale-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const SITE = 'http://blog.example';

test('migrate in place names the schema version in Russian', async () => {
  const db = join(dir, 'ru.db');
  const result = await runCli(['migrate'], { BACKTALK_DB: db, BACKTALK_SITES: SITE, LANG: 'ru_RU.UTF-8' });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, `Схема ${db} — версии ${SCHEMA_VERSION}.\n`);
});

test('backup says where the copy went in German; LC_ALL wins over LANG', async () => {
  const db = join(dir, 'de.db');
  const seeded = openSqliteStore(db);
  await seeded.close();
  const copy = join(dir, 'de-copy.db');
  const result = await runCli(['backup', copy], { BACKTALK_DB: db, BACKTALK_SITES: SITE, LANG: 'fr_FR.UTF-8', LC_ALL: 'de_DE.UTF-8' });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, `${db} gesichert nach ${copy}.\n`);
});

test('a copy between two SQLite files reports rows and tables with Polish plurals', async () => {
  const from = join(dir, 'pl-from.db');
  const seeded = openSqliteStore(from);
  await seeded.close();
  const result = await runCli(['migrate', '--from', `sqlite:${from}`, '--to', `sqlite:${join(dir, 'pl-to.db')}`], { BACKTALK_SITES: SITE, LANG: 'pl_PL.UTF-8' });
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.trim().split('\n');
  // Every table line counts its rows in Polish: "  comments: 0 wierszy".
  assert.ok(lines.some((l) => /^ {2}comments: 0 wierszy$/.test(l)), result.stdout);
  assert.match(lines.at(-1)!, /^Skopiowano \d+ wiersz(y|e|a)? w \d+ tabel(e|i)?; sprawdzono: /);
});

test('the send summary counts links in Russian plural forms', () => {
  const t = cliLocale({ LANG: 'ru_RU.UTF-8' });
  const line = (n: number) => say(t, 'sendSummary', { source: 'https://blog.example/p/', links: count(t, 'links', n), sent: n, failed: 0, queued: 0 });
  assert.equal(line(1), 'https://blog.example/p/: 1 ссылка; отправлено: 1, с ошибкой: 0, ждут повтора: 0.');
  assert.equal(line(3), 'https://blog.example/p/: 3 ссылки; отправлено: 3, с ошибкой: 0, ждут повтора: 0.');
  assert.equal(line(5), 'https://blog.example/p/: 5 ссылок; отправлено: 5, с ошибкой: 0, ждут повтора: 0.');
  // C / unset locale: English, as the existing send test expects.
  assert.match(say(cliLocale({}), 'sendSummary', { source: 's', links: count(cliLocale({}), 'links', 2), sent: 1, failed: 1, queued: 0 }), /^s: 2 links; 1 sent, 1 failed, 0 queued for retry\.$/);
});
