#!/usr/bin/env node
// Runs every tests/**/*.test.ts on node's built-in test runner (TypeScript through tsx).
// Node 20's --test does not expand globs itself, so the files are listed here.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

function findTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return findTests(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

// The browser tests and the size test need the widget bundles; build them when missing or stale.
const { ensureWidgetBuilt } = await import('./build-widget.mjs');
await ensureWidgetBuilt();

const only = process.argv.slice(2);
const files = only.length > 0 ? only : findTests('tests').sort();
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
