/**
 * `node --import tsx bench/loop-stalls.ts FILE.cpuprofile [FROM_US TO_US] [MIN_MS=5]`: the stretches of
 * a V8 CPU profile (`npm run bench -- --only mixed-write-read --cpu-prof`) in which the server's main
 * thread never went idle — a request arriving during one waits for the rest of it — and what filled
 * them. FROM_US/TO_US limit it to a window of the profile's clock (the mixed scenario prints the
 * mixed load's). A gap between two samples much longer than the sampling interval is time the thread
 * was not running at all (descheduled on a busy machine), counted as "(not running)".
 *
 * Per stretch: its length, and its time by what the stack was doing (GC, a POST's pipeline, the GET
 * fast lane, the WAL checkpoint, SQL run through sqlite-runner or the group commit — reads and
 * writes alike —, …, matched on function and file names); overall: the same for every
 * stretch of at least MIN_MS, and self time by package or source folder within them.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
}

const [file, fromRaw, toRaw, minRaw] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: bench/loop-stalls.ts FILE.cpuprofile [FROM_US TO_US] [MIN_MS]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const from = fromRaw ? Number(fromRaw) : -Infinity;
const to = toRaw ? Number(toRaw) : Infinity;
const minMs = Number(minRaw ?? 5);

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

/** What a stack was doing, from its frames (leaf first); the first rule that matches wins. */
const KINDS: Array<[string, (f: ProfileNode['callFrame']) => boolean]> = [
  ['GC', (f) => f.functionName === '(garbage collector)'],
  ['WAL checkpoint', (f) => /checkpoint/i.test(f.functionName) && /wal-durability|sqlite/.test(f.url)],
  ['SQLite statements, group commit', (f) => /group-commit|wal-durability|sqlite-runner|writer/.test(f.url)],
  ['rendering (markdown, sanitize)', (f) => /markdown-it|sanitize-html|htmlparser2|\/sanitize\.js|\/render\//.test(f.url)],
  ['compression', (f) => /zlib/.test(f.url) || /brotli|gzip|deflate/i.test(f.functionName)],
  ['GET fast lane', (f) => /public-reads/.test(f.url)],
  ['POST pipeline', (f) => /\/pipeline\/|comment-routes|comment-form/.test(f.url)],
  ['store (other SQL)', (f) => /\/store\//.test(f.url)],
  ['body parsing', (f) => /body-parser|raw-body|\/qs\//.test(f.url)],
  ['express / router', (f) => /node_modules\/(express|router)\//.test(f.url)],
  ['logging, metrics', (f) => /pino|prom-client|metrics|request-log/.test(f.url)],
  ['node http, net', (f) => /^node:(_http|http|net|stream|internal\/(http|net|stream|streams))/.test(f.url)],
];
const kindCache = new Map<number, string>();
function kindOf(id: number): string {
  const cached = kindCache.get(id);
  if (cached) return cached;
  let kind = 'other';
  const leaf = byId.get(id)!;
  if (leaf.callFrame.functionName === '(program)') kind = '(program: native, outside JS)';
  else {
    const frames: ProfileNode['callFrame'][] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) frames.push(byId.get(cur)!.callFrame);
    outer: for (const [name, test] of KINDS) {
      for (const f of frames) {
        if (test(f)) {
          kind = name;
          break outer;
        }
      }
    }
  }
  kindCache.set(id, kind);
  return kind;
}

function area(id: number): string {
  const { url, functionName } = byId.get(id)!.callFrame;
  if (!url) return `(${functionName || 'anonymous'})`;
  const mod = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (mod) return mod[1]!;
  const src = /\/src\/(.+?)(?:\/[^/]+)?$/.exec(url);
  if (src) return `src/${src[1]}`;
  return url.startsWith('node:') ? url.replace(/^node:(internal\/)?/, 'node:').split('/')[0]! : url;
}

// Sampling interval: the median gap between samples.
const deltas = [...profile.timeDeltas].sort((a, b) => a - b);
const interval = deltas[Math.floor(deltas.length / 2)] ?? 1000;

interface Stretch {
  startUs: number;
  us: number;
  byKind: Map<string, number>;
  selfByArea: Map<string, number>;
}
const stretches: Stretch[] = [];
let open: Stretch | undefined;
let t = profile.startTime;
let busyUs = 0;
let windowUs = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const delta = profile.timeDeltas[i] ?? 0;
  t += delta;
  if (t < from || t > to) continue;
  windowUs += delta;
  const id = profile.samples[i]!;
  const idle = byId.get(id)!.callFrame.functionName === '(idle)';
  if (idle) {
    if (open) stretches.push(open);
    open = undefined;
    continue;
  }
  busyUs += delta;
  open ??= { startUs: t - delta, us: 0, byKind: new Map(), selfByArea: new Map() };
  open.us += delta;
  // The time up to this sample is the sample's; beyond a few intervals the thread was not running.
  const running = Math.min(delta, interval * 3);
  const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
  add(open.byKind, kindOf(id), running);
  if (delta > running) add(open.byKind, '(not running)', delta - running);
  add(open.selfByArea, area(id), running);
}
if (open) stretches.push(open);

const ms = (us: number) => (us / 1000).toFixed(1);
const long = stretches.filter((s) => s.us >= minMs * 1000).sort((a, b) => b.us - a.us);
const lengths = stretches.map((s) => s.us).sort((a, b) => a - b);
const pct = (p: number) => lengths[Math.min(lengths.length - 1, Math.ceil(p * lengths.length) - 1)] ?? 0;
process.stdout.write(`window ${ms(windowUs)} ms, main thread busy ${((100 * busyUs) / Math.max(windowUs, 1)).toFixed(0)} %; ` +
  `sampling every ${interval} µs; ${stretches.length} busy stretches: p50 ${ms(pct(0.5))} ms, p90 ${ms(pct(0.9))} ms, p99 ${ms(pct(0.99))} ms, ` +
  `max ${ms(lengths[lengths.length - 1] ?? 0)} ms; ${long.length} of at least ${minMs} ms, ${ms(long.reduce((a, s) => a + s.us, 0))} ms in all\n\n`);

const breakdown = (m: Map<string, number>, total: number, n: number) =>
  [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => `${k} ${((100 * us) / Math.max(total, 1)).toFixed(0)} %`).join(', ');

process.stdout.write(`longest stretches (start ms into the window, length ms: what filled them)\n`);
const windowStart = Number.isFinite(from) ? from : profile.startTime;
for (const s of long.slice(0, 15)) {
  process.stdout.write(`  @${ms(s.startUs - windowStart).padStart(8)}  ${ms(s.us).padStart(6)} ms: ${breakdown(s.byKind, s.us, 6)}\n`);
}
const allKinds = new Map<string, number>();
const allAreas = new Map<string, number>();
let longUs = 0;
for (const s of long) {
  longUs += s.us;
  for (const [k, v] of s.byKind) allKinds.set(k, (allKinds.get(k) ?? 0) + v);
  for (const [k, v] of s.selfByArea) allAreas.set(k, (allAreas.get(k) ?? 0) + v);
}
process.stdout.write(`\nin all stretches of at least ${minMs} ms, by what the stack was doing: ${breakdown(allKinds, longUs, 14)}\n`);
process.stdout.write(`self time by package or folder there: ${breakdown(allAreas, longUs, 16)}\n`);
