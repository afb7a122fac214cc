/**
 * Issue 16 points 6 and 7. WXR carries local time next to UTC: the export writes `post_date` and
 * `comment_date` in the blog's zone (BACKTALK_TIMEZONE) and the `_gmt` fields in UTC, as WordPress
 * does, and the import takes `_gmt` when present and reads a lone local time in the blog's zone.
 * An import whose posts are on none of BACKTALK_SITES stops, names the origins, and imports nothing;
 * `originMap` moves an origin onto a site.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { exportWxr } from '../../src/export/wxr-export.js';
import { ImportError } from '../../src/import/record.js';
import { importFile } from '../../src/import/run-import.js';
import { allComments, allThreads, fixture, removeTempDirs, tempDir, tempStore } from './support.js';

after(removeTempDirs);

const SITE = 'https://blog.example';
const NEW_SITE = 'https://новый.блог.example';
/** A UTC+7 site, the case in the issue: no daylight saving, 7 hours ahead. */
const NOVOSIBIRSK = 'Asia/Novosibirsk';

/** The text of every `<wp:NAME>` element, CDATA unwrapped, in file order. */
function fieldValues(xml: string, name: string): string[] {
  return [...xml.matchAll(new RegExp(`<wp:${name}>(?:<!\\[CDATA\\[)?([^<\\]]*)(?:\\]\\]>)?</wp:${name}>`, 'g'))].map((m) => m[1]!);
}

/** A `YYYY-MM-DD HH:MM:SS` UTC time as Novosibirsk's clocks showed it (Swedish dates are ISO-shaped). */
function inNovosibirsk(utc: string): string {
  const format = new Intl.DateTimeFormat('sv-SE', { timeZone: NOVOSIBIRSK, dateStyle: 'short', timeStyle: 'medium' });
  return format.format(new Date(`${utc.replace(' ', 'T')}Z`));
}

describe('WXR dates in the blog\'s time zone', () => {
  test('export writes local dates in BACKTALK_TIMEZONE and UTC in the _gmt fields; import takes the _gmt ones', async () => {
    const source = tempStore();
    const target = tempStore();
    try {
      await importFile(source.store, { format: 'wxr', file: fixture('wordpress.wxr'), site: SITE, keepIp: false });
      const before = await allComments(source.store);
      const file = join(tempDir(), 'novosibirsk.wxr');
      await exportWxr(source.store, file, { site: SITE, timeZone: NOVOSIBIRSK });
      const xml = readFileSync(file, 'utf8');
      const local = fieldValues(xml, 'comment_date');
      const gmt = fieldValues(xml, 'comment_date_gmt');
      assert.equal(local.length, before.length);
      for (const [i, g] of gmt.entries()) {
        // Novosibirsk was UTC+6 until July 2016 (the fixture has a comment from 2015): ask Intl, by another route.
        assert.equal(local[i], inNovosibirsk(g), `comment_date in Novosibirsk time for ${g} UTC`);
      }
      assert.ok(gmt.includes('2024-03-09 15:05:07') && local.includes('2024-03-09 22:05:07'), 'Ann\'s comment: 15:05:07 UTC is 22:05:07 in Novosibirsk');
      const postLocal = fieldValues(xml, 'post_date');
      const postGmt = fieldValues(xml, 'post_date_gmt');
      assert.ok(postGmt.length > 0);
      for (const [i, g] of postGmt.entries()) assert.equal(postLocal[i], inNovosibirsk(g), `post_date for ${g} UTC`);

      await importFile(target.store, { format: 'wxr', file, site: SITE, keepIp: false, sites: [SITE], timeZone: 'UTC' });
      const after = await allComments(target.store);
      assert.deepEqual(after.map((c) => c.created.toISOString()).sort(), before.map((c) => c.created.toISOString()).sort(), 'every instant kept');
    } finally {
      await source.close();
      await target.close();
    }
  });

  test('WordPress → Backtalk → WordPress in the blog\'s zone: every post keeps the title and local post_date its importer matches posts by', async () => {
    // WordPress's importer takes a post as existing when post_exists(post_title, '', post_date) finds
    // it: title and LOCAL date. The fixture is a Europe/Berlin blog (UTC+1, +2 in summer).
    const t = tempStore();
    try {
      const original = readFileSync(fixture('wordpress.wxr'), 'utf8');
      await importFile(t.store, { format: 'wxr', file: fixture('wordpress.wxr'), site: SITE, keepIp: false, sites: [SITE] });
      const file = join(tempDir(), 'berlin.wxr');
      await exportWxr(t.store, file, { site: SITE, timeZone: 'Europe/Berlin' });
      const exported = readFileSync(file, 'utf8');
      const posts = (xml: string) => [...xml.matchAll(/<item>([\s\S]*?)<\/item>/g)].map((m) => m[1]!)
        .filter((item) => /<wp:comment>/.test(item))
        .map((item) => [/<title>(?:<!\[CDATA\[)?([^<\]]*)/.exec(item)![1], fieldValues(item, 'post_date')[0], fieldValues(item, 'post_date_gmt')[0]]);
      assert.deepEqual(posts(exported), posts(original), 'title, post_date and post_date_gmt of every post with comments');
      const pairs = (xml: string) => fieldValues(xml, 'comment_date').map((local, i) => `${local} / ${fieldValues(xml, 'comment_date_gmt')[i]}`).sort();
      assert.deepEqual(pairs(exported), pairs(original), 'comment_date and comment_date_gmt of every comment');
    } finally {
      await t.close();
    }
  });

  test('a WXR with local dates only is read in the blog\'s zone, daylight saving included', async () => {
    const xml = readFileSync(fixture('wordpress.wxr'), 'utf8').replace(/<wp:(post|comment)_date_gmt>[\s\S]*?<\/wp:\1_date_gmt>/g, '');
    const file = join(tempDir(), 'local-only.wxr');
    writeFileSync(file, xml);
    for (const [timeZone, annUtc] of [
      // Ann's comment_date is 2024-03-09 16:05:07 local.
      [NOVOSIBIRSK, '2024-03-09T09:05:07.000Z'],
      ['UTC', '2024-03-09T16:05:07.000Z'],
      ['America/New_York', '2024-03-09T21:05:07.000Z'], // EST (UTC-5): the switch to EDT is the next day
      ['Europe/Moscow', '2024-03-09T13:05:07.000Z'],
    ] as const) {
      const t = tempStore();
      try {
        await importFile(t.store, { format: 'wxr', file, site: SITE, keepIp: false, timeZone });
        const ann = (await allComments(t.store)).find((c) => c.author === 'Ann Example' && c.parent === null);
        assert.equal(ann?.created.toISOString(), annUtc, timeZone);
      } finally {
        await t.close();
      }
    }
  });
});

describe('imports onto the configured sites only', () => {
  test('posts on none of BACKTALK_SITES: refused, naming the origin and --map-origin, nothing imported', async () => {
    const t = tempStore();
    try {
      await assert.rejects(
        importFile(t.store, { format: 'wxr', file: fixture('wordpress.wxr'), site: NEW_SITE, keepIp: false, sites: ['https://xn--b1agh1afp.xn--90a0ac.example'] }),
        (err: unknown) => {
          assert.ok(err instanceof ImportError);
          assert.match(err.message, /https:\/\/blog\.example \(2 posts\)/);
          assert.match(err.message, /not on any of BACKTALK_SITES/);
          assert.match(err.message, /--map-origin https:\/\/blog\.example=/);
          assert.doesNotMatch(err.message, /\n/, 'one line');
          return true;
        },
      );
      assert.deepEqual(await allThreads(t.store), []);
      assert.deepEqual(await allComments(t.store), []);
    } finally {
      await t.close();
    }
  });

  test('a mapped origin lands on the site it is mapped to, with every comment', async () => {
    const t = tempStore();
    const site = new URL(NEW_SITE).origin;
    try {
      const counts = await importFile(t.store, {
        format: 'wxr', file: fixture('wordpress.wxr'), site, keepIp: false, sites: [site], originMap: new Map([[SITE, site]]),
      });
      assert.deepEqual(counts, { threads: 2, comments: 9, skipped: 0 });
      assert.deepEqual((await allThreads(t.store)).map((th) => th.target), [`${site}/2024/03/hello-world/`, `${site}/2024/03/closed/`]);
      assert.ok((await allComments(t.store)).every((c) => c.target.startsWith(`${site}/`)));
    } finally {
      await t.close();
    }
  });
});
