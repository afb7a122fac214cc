#!/usr/bin/env node
// Bundles the browser widget (src/widget) with esbuild into dist/widget: embed.js (the loader, an
// IIFE so it runs as a classic <script async> and leaks no globals), interactive.js (an ES module the
// loader import()s on first interaction) and backtalk.css. The plural forms of "N comments" are
// taken from src/i18n at build time, so the loader needs no locale files and a language stays one file.
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const WIDGET_OUT = join(root, 'dist', 'widget');
const OUTPUTS = ['embed.js', 'interactive.js', 'backtalk.css'];
const SOURCES = [join(root, 'src', 'widget'), join(root, 'src', 'i18n')];

async function countForms() {
  const out = await esbuild.build({
    entryPoints: [join(root, 'src', 'i18n', 'index.ts')], bundle: true, format: 'esm', platform: 'neutral', write: false,
  });
  const mod = await import('data:text/javascript;base64,' + Buffer.from(out.outputFiles[0].text).toString('base64'));
  return Object.fromEntries(Object.entries(mod.LOCALES).map(([lang, s]) => [lang, s.comments]));
}

/** Builds into `outdir` (default dist/widget) and returns the output paths. */
export async function buildWidget(outdir = WIDGET_OUT) {
  mkdirSync(outdir, { recursive: true });
  const common = { bundle: true, minify: true, target: 'es2020', legalComments: 'none', logLevel: 'warning' };
  await esbuild.build({
    ...common, entryPoints: [join(root, 'src', 'widget', 'embed.ts')], outfile: join(outdir, 'embed.js'), format: 'iife',
    define: { BT_COUNT_FORMS: JSON.stringify(await countForms()) },
  });
  await esbuild.build({ ...common, entryPoints: [join(root, 'src', 'widget', 'interactive.ts')], outfile: join(outdir, 'interactive.js'), format: 'esm' });
  await esbuild.build({ ...common, entryPoints: [join(root, 'src', 'widget', 'backtalk.css')], outfile: join(outdir, 'backtalk.css') });
  return OUTPUTS.map((f) => join(outdir, f));
}

function newest(dir) {
  return readdirSync(dir, { withFileTypes: true }).reduce((max, e) => {
    const p = join(dir, e.name);
    return Math.max(max, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }, 0);
}

/** True when an output is missing or older than any widget or i18n source. */
export function widgetIsStale(outdir = WIDGET_OUT) {
  const sources = Math.max(...SOURCES.map(newest), statSync(fileURLToPath(import.meta.url)).mtimeMs);
  try {
    return OUTPUTS.some((f) => statSync(join(outdir, f)).mtimeMs < sources);
  } catch {
    return true;
  }
}

export async function ensureWidgetBuilt() {
  if (widgetIsStale()) await buildWidget();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await buildWidget();
}
