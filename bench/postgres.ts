/**
 * Scaling out, measured: the read and the write scenario (GET /api/comments on a seeded thread, a
 * plain form POST /comments) on SQLite with one instance (the reference), on PostgreSQL with one
 * instance, and on PostgreSQL with two instances sharing the database, the load split evenly across
 * them (one autocannon per instance, running at the same time; their rates add up).
 *
 *   node --import tsx bench/postgres.ts [--duration 10] [--connections 20] [--out bench/results/postgres.md]
 *
 * PostgreSQL runs in a throwaway cluster (tests/helpers/postgres-cluster.ts) with its crash-safety
 * settings on, as SQLite runs with synchronous=FULL: both sides wait for the disk on each commit.
 * Everything (servers, database, load generator) shares this machine's cores, so read the two-instance
 * figure as "what a second process adds here", not as what a second machine would add.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Request } from 'autocannon';
import { startPostgresCluster, postgresUnavailable } from '../tests/helpers/postgres-cluster.js';
import { killAllChildren, startServer, type ServerProcess } from './children.js';
import { runLoad, type LoadResult } from './measure.js';
import { seed, SITE, TARGET } from './sides.js';

interface Args {
  duration: number;
  connections: number;
  out: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { duration: 10, connections: 20, out: 'bench/results/postgres.md' };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--duration') args.duration = Number(value);
    else if (flag === '--connections') args.connections = Number(value);
    else if (flag === '--out') args.out = value ?? args.out;
    else throw new Error(`unknown option ${flag}`);
  }
  return args;
}

function env(db: string): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('BACKTALK_')) clean[key] = value;
  return {
    ...clean, BACKTALK_PORT: '0', BACKTALK_DB: db, BACKTALK_SITES: SITE, BACKTALK_RATE_LIMIT: '0',
    BACKTALK_LOG_LEVEL: 'warn', BACKTALK_ADMIN_TOKEN: 'bench-admin-token-0123456789',
  };
}

const startBacktalk = (name: string, db: string): Promise<ServerProcess> =>
  startServer({ name, args: ['--import', 'tsx', 'src/main.ts'], cwd: process.cwd(), env: env(db), readyLine: /Backtalk serving on (\S+) \(/m });

const runTag = Date.now().toString(36);
let counter = 0;
const SCENARIOS: Array<{ name: string; expect: number; requests: () => Request[] }> = [
  { name: 'GET /api/comments (100 comments)', expect: 200, requests: () => [{ method: 'GET', path: `/api/comments?target=${encodeURIComponent(TARGET)}` }] },
  {
    name: 'POST /comments (form)',
    expect: 303,
    requests: () => [{
      method: 'POST', path: '/comments', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      setupRequest: (req) => ({
        ...req,
        body: new URLSearchParams({ target: TARGET, author: 'Bench Reader', email: 'bench@mail.example', body: `Scaling comment ${runTag}-${++counter}, no links.` }).toString(),
      }),
    }],
  },
];

interface Row {
  setup: string;
  scenario: string;
  reqPerSec: number;
  p50: number;
  p99: number;
  errors: number;
}

/** Runs one scenario against every URL at once, the connections split evenly; rates add up. */
async function measure(urls: string[], scenario: (typeof SCENARIOS)[number], args: Args): Promise<Omit<Row, 'setup' | 'scenario'>> {
  const per = Math.max(1, Math.floor(args.connections / urls.length));
  // A short warm-up (JIT, connection pools, caches) that is not counted.
  await Promise.all(urls.map((url) => runLoad(url, scenario.requests(), { connections: per, duration: 2 }, scenario.expect)));
  const results: LoadResult[] = await Promise.all(urls.map((url) => runLoad(url, scenario.requests(), { connections: per, duration: args.duration }, scenario.expect)));
  const weighted = (f: (r: LoadResult) => number) => results.reduce((s, r) => s + f(r) * r.totalResponses, 0) / Math.max(1, results.reduce((s, r) => s + r.totalResponses, 0));
  return {
    reqPerSec: Math.round(results.reduce((s, r) => s + r.requestsPerSec, 0)),
    p50: Number(weighted((r) => r.latencyMs.p50).toFixed(2)),
    p99: Number(Math.max(...results.map((r) => r.latencyMs.p99)).toFixed(2)),
    errors: results.reduce((s, r) => s + r.errors, 0),
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const unavailable = postgresUnavailable();
  if (unavailable) throw new Error(unavailable);
  const cluster = await startPostgresCluster({ durable: true });
  stopCluster = () => cluster.stop();
  const dataDir = mkdtempSync(join(tmpdir(), 'backtalk-bench-pg-'));
  const rows: Row[] = [];
  let databases = 0;
  try {
    const setups: Array<{ name: string; instances: number; db: () => Promise<string> }> = [
      { name: 'SQLite, 1 instance', instances: 1, db: async () => join(dataDir, `sqlite-${++databases}.db`) },
      { name: 'PostgreSQL, 1 instance', instances: 1, db: () => cluster.createDatabase(`bench_${++databases}`) },
      { name: 'PostgreSQL, 2 instances', instances: 2, db: () => cluster.createDatabase(`bench_${++databases}`) },
    ];
    for (const scenario of SCENARIOS) {
      for (const setup of setups) {
        // Fresh database and servers per measurement, seeded the same way, so runs don't see each other's writes.
        const db = await setup.db();
        const servers: ServerProcess[] = [];
        try {
          for (let i = 0; i < setup.instances; i++) servers.push(await startBacktalk(`backtalk-${i + 1}`, db));
          await seed('backtalk', servers[0]!.url);
          const result = await measure(servers.map((s) => s.url), scenario, args);
          rows.push({ setup: setup.name, scenario: scenario.name, ...result });
          process.stderr.write(`${scenario.name} | ${setup.name}: ${result.reqPerSec} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, errors ${result.errors}\n`);
        } finally {
          await Promise.all(servers.map((s) => s.stop()));
        }
      }
    }
  } finally {
    await cluster.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }

  const ratio = (scenario: string, a: string, b: string) => {
    const x = rows.find((r) => r.scenario === scenario && r.setup === a)?.reqPerSec ?? 0;
    const y = rows.find((r) => r.scenario === scenario && r.setup === b)?.reqPerSec ?? 0;
    return x > 0 ? (y / x).toFixed(2) : 'n/a';
  };
  const lines = [
    '# Backtalk on PostgreSQL: one and two instances',
    '',
    `Command: \`node --import tsx bench/postgres.ts --duration ${args.duration} --connections ${args.connections}\` — ${new Date().toISOString()}, ` +
      `${cpus().length} CPU(s) (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}. Servers, PostgreSQL and the load generator share these cores.`,
    '',
    '| scenario | setup | req/s | p50 ms | p99 ms | errors |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.scenario} | ${r.setup} | ${r.reqPerSec} | ${r.p50} | ${r.p99} | ${r.errors} |`),
    '',
    ...SCENARIOS.map((s) => `- ${s.name}: PostgreSQL 2 instances / 1 instance = ${ratio(s.name, 'PostgreSQL, 1 instance', 'PostgreSQL, 2 instances')}×; ` +
      `PostgreSQL 1 instance / SQLite = ${ratio(s.name, 'SQLite, 1 instance', 'PostgreSQL, 1 instance')}×`),
    '',
  ];
  writeFileSync(args.out, lines.join('\n'));
  process.stdout.write(lines.join('\n'));
}

/** Ctrl-C: the servers, then the throwaway cluster and its folder, go too. */
let stopCluster: (() => Promise<void>) | undefined;
process.on('SIGINT', () => {
  killAllChildren();
  void (stopCluster?.() ?? Promise.resolve()).finally(() => process.exit(130));
});

main().catch((err: unknown) => {
  killAllChildren();
  process.stderr.write(`bench/postgres: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
