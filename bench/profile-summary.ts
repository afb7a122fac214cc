/**
 * `node --import tsx bench/profile-summary.ts FILE.cpuprofile [N]`: where a V8 CPU profile (from
 * `npm run bench -- --cpu-prof`) spent its time — the top N functions by self time, and self time
 * summed per package or source folder, as percentages of the samples.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

const [file, topRaw] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: bench/profile-summary.ts FILE.cpuprofile [N]\n');
  process.exit(2);
}
const top = Number(topRaw ?? '25');
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
const hits = new Map<number, number>();
for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
const total = profile.samples.length;

/** node_modules/<pkg>, src/<folder>, node:<internal>, or the special V8 nodes. */
function area(url: string, name: string): string {
  if (!url) return `(${name || 'anonymous'})`;
  const mod = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (mod) return mod[1]!;
  const src = /\/(src|bench)\/(.+?)(?:\/[^/]+)?$/.exec(url);
  if (src) return `${src[1]}/${src[2]!.split('/')[0]}`;
  if (url.startsWith('node:')) return url.split('/')[0]!;
  return url;
}

const byFunction = new Map<string, number>();
const byArea = new Map<string, number>();
for (const node of profile.nodes) {
  const n = hits.get(node.id) ?? 0;
  if (n === 0) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const short = url.replace(/^.*\/(node_modules|src|bench)\//, '$1/');
  const key = `${functionName || '(anonymous)'} ${short ? `${short}:${lineNumber + 1}` : ''}`.trim();
  byFunction.set(key, (byFunction.get(key) ?? 0) + n);
  const a = area(url, functionName);
  byArea.set(a, (byArea.get(a) ?? 0) + n);
}

const pct = (n: number) => `${((100 * n) / total).toFixed(1).padStart(5)} %`;
const print = (title: string, map: Map<string, number>, limit: number) => {
  process.stdout.write(`\n${title}\n`);
  for (const [key, n] of [...map].sort((a, b) => b[1] - a[1]).slice(0, limit)) process.stdout.write(`${pct(n)}  ${key}\n`);
};
process.stdout.write(`${file}: ${total} samples\n`);
print('self time by package / folder', byArea, 20);
print(`top ${top} functions by self time`, byFunction, top);
