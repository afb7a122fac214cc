/**
 * The widget's size budget (issue 5): what a page loads up front — embed.js and the CSS it links at
 * once — at most 5 KB gzipped; everything, the interactive chunk included, at most 12 KB gzipped.
 * Builds fresh bundles from src/widget into a temporary folder, so the figures are of the sources.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
// @ts-expect-error: a plain .mjs build script without type declarations
import { buildWidget } from '../../scripts/build-widget.mjs';

const UP_FRONT_LIMIT = 5 * 1024;
const TOTAL_LIMIT = 12 * 1024;

test('widget bundles stay within 5 KB gzipped up front and 12 KB gzipped in all', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'backtalk-widget-'));
  try {
    const files = (await buildWidget(dir)) as string[];
    const sizes = Object.fromEntries(files.map((f) => [basename(f), gzipSync(readFileSync(f), { level: 9 }).length]));
    const upFront = sizes['embed.js']! + sizes['backtalk.css']!;
    const total = Object.values(sizes).reduce((a, b) => a + b, 0);
    console.log(`widget gzipped: ${JSON.stringify(sizes)}; up front ${upFront} B (limit ${UP_FRONT_LIMIT}), total ${total} B (limit ${TOTAL_LIMIT})`);
    assert.equal(Object.keys(sizes).length, 3, 'embed.js, interactive.js and backtalk.css are built');
    for (const [name, size] of Object.entries(sizes)) assert.ok(size > 200, `${name} is a real bundle (${size} B)`);
    assert.ok(upFront <= UP_FRONT_LIMIT, `up-front load ${upFront} B exceeds ${UP_FRONT_LIMIT} B gzipped`);
    assert.ok(total <= TOTAL_LIMIT, `total ${total} B exceeds ${TOTAL_LIMIT} B gzipped`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the loader leaks no globals and uses no eval', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'backtalk-widget-'));
  try {
    await buildWidget(dir);
    const embed = readFileSync(join(dir, 'embed.js'), 'utf8');
    const chunk = readFileSync(join(dir, 'interactive.js'), 'utf8');
    // An IIFE: nothing is declared at the top level of the classic script.
    assert.match(embed, /^(?:"use strict";)?\(\(\)=>\{/);
    for (const code of [embed, chunk]) {
      assert.doesNotMatch(code, /\beval\(|new Function\(|setTimeout\("/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
