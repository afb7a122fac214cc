#!/usr/bin/env node
// Bundles the moderation page (src/admin-ui/) into dist/admin/admin.js and admin.css, which
// src/http/admin/page-routes.ts serves at /admin/admin.js and /admin/admin.css.
// Run by `npm run build` and `prepare`; the browser tests import buildAdmin() so they test fresh code.
import { build } from 'esbuild';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Builds the bundle; resolves to the output files and their sizes in bytes. */
export async function buildAdmin() {
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['src/admin-ui/admin.ts', 'src/admin-ui/admin.css'],
    outdir: 'dist/admin',
    bundle: true,
    format: 'esm',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  return Object.fromEntries(Object.entries(result.metafile.outputs).map(([file, out]) => [file, out.bytes]));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const sizes = await buildAdmin();
  console.log(`build-admin: ${Object.entries(sizes).map(([file, bytes]) => `${file} ${bytes} B`).join(', ')}`);
}
