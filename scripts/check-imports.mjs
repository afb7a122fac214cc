#!/usr/bin/env node
// `npm run check:imports`: the layering of src/ as a check. Walks every import of src/**/*.ts
// (static, `export … from` and dynamic) and fails on
//   - an import cycle between files, and
//   - an import that runs back up the layers (RULES below),
// printing each one. No dependencies: a regex over the sources is enough for this codebase, whose
// relative imports all name a `.js` file that is a `.ts` source.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const SRC = 'src';
/** Browser bundles with their own tsconfig; they share nothing with the server's layers. */
const SKIP = ['src/widget/', 'src/admin-ui/'];

/**
 * Who may not import whom, lowest layer first: `lib/` holds leaf helpers and imports only itself;
 * `domain/` only itself and `lib/`; the parts the pipeline is built from never import the hallway
 * (pipeline, jobs), the doors (http), the composition root or the process entry points.
 */
const TOP = ['src/app.ts', 'src/wiring.ts', 'src/server.ts', 'src/main.ts', 'src/cli.ts', 'src/cli/'];
const RULES = [
  { from: ['src/lib/'], allowOnly: ['src/lib/'] },
  { from: ['src/domain/'], allowOnly: ['src/domain/', 'src/lib/'] },
  {
    from: ['src/fetch/', 'src/linkback/', 'src/store/', 'src/protocols/', 'src/spam/', 'src/render/', 'src/i18n/', 'src/mail/', 'src/metrics/', 'src/export/'],
    deny: ['src/pipeline/', 'src/jobs/', 'src/workers/', 'src/http/', ...TOP],
  },
  { from: ['src/pipeline/', 'src/jobs/', 'src/workers/', 'src/moderation/', 'src/notify/', 'src/import/'], deny: ['src/http/', ...TOP] },
  { from: ['src/http/'], deny: TOP },
];

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  }).filter((f) => !SKIP.some((s) => f.startsWith(s)));
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const out = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2];
    if (!spec.startsWith('.')) continue;
    out.push(relative('.', join(dirname(file), spec)).replace(/\.js$/, '.ts'));
  }
  return out;
}

const files = sources(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f).filter((t) => t.startsWith(SRC))]));
const problems = [];

const matches = (file, prefixes) => prefixes.some((p) => (p.endsWith('/') ? file.startsWith(p) : file === p));
for (const [from, targets] of graph) {
  for (const rule of RULES) {
    if (!matches(from, rule.from)) continue;
    for (const to of targets) {
      if (rule.allowOnly && !matches(to, rule.allowOnly)) problems.push(`layer: ${from} imports ${to} (only ${rule.allowOnly.join(', ')} allowed)`);
      if (rule.deny && matches(to, rule.deny)) problems.push(`layer: ${from} imports ${to}, a layer above it`);
    }
  }
}

// Tarjan's strongly connected components: every component of more than one file is a cycle.
let index = 0;
const stack = [];
const state = new Map();
function connect(v) {
  const s = { index, low: index, onStack: true };
  index++;
  state.set(v, s);
  stack.push(v);
  for (const w of graph.get(v) ?? []) {
    if (!graph.has(w)) continue;
    const t = state.get(w);
    if (!t) {
      connect(w);
      s.low = Math.min(s.low, state.get(w).low);
    } else if (t.onStack) {
      s.low = Math.min(s.low, t.index);
    }
  }
  if (s.low === s.index) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      state.get(w).onStack = false;
      component.push(w);
    } while (w !== v);
    if (component.length > 1) problems.push(`cycle: ${component.sort().join(' ↔ ')}`);
  }
}
for (const f of files) if (!state.has(f)) connect(f);

for (const p of problems) process.stdout.write(`${p}\n`);
process.stdout.write(`${files.length} files, ${[...graph.values()].reduce((n, t) => n + t.length, 0)} imports: ` +
  `${problems.length === 0 ? 'no cycles, no import up the layers' : `${problems.length} problem(s)`}\n`);
process.exit(problems.length === 0 ? 0 : 1);
