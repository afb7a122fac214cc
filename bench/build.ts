/**
 * The bench runs both servers as plain JavaScript, as they run in production (`npm start` runs tsc's
 * output), not under the tsx loader, whose compiler would count in every server's memory and startup.
 * esbuild transpiles src/ and the baseline file by file (no bundling: the import graph, paths and
 * `import.meta.url` stay as they are) into bench/results/build/, inside the checkout so projectRoot()
 * still finds package.json, schema.sql and the widget assets.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';

export async function buildForBench(root: string): Promise<string> {
  const outdir = join(root, 'bench', 'results', 'build');
  rmSync(outdir, { recursive: true, force: true });
  const sources = (readdirSync(join(root, 'src'), { recursive: true }) as string[])
    .map((f) => join('src', f))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith(join('src', 'widget')));
  await build({
    entryPoints: [...sources, join('bench', 'baseline-server.ts'), join('bench', 'source-server.ts'), join('bench', 'server-probe.ts')].map((f) => join(root, f)),
    outdir,
    outbase: root,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: false,
    logLevel: 'error',
  });
  return relative(root, outdir);
}
