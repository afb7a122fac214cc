/**
 * Runs test files that build their servers with tests/helpers/test-server.ts on PostgreSQL instead
 * of SQLite: starts a throwaway cluster, points BACKTALK_TEST_POSTGRES at it (each test server then
 * gets a fresh database), runs node's test runner on the files, removes the cluster.
 *
 *   node --import tsx tests/multi/run-on-postgres.ts [files or folders…]
 *
 * Without arguments: the protocol conformance and HTTP API suites (tests/pingback, tests/webmention,
 * tests/trackback, tests/http). Not a *.test.ts file itself, so `npm test` does not run it twice.
 *
 * A few tests reach past the server into the SQLite file itself and so fail here by design, not
 * because of PostgreSQL: tests/http/store-busy.test.ts (holds SQLite's write lock), and one test each
 * in tests/http/caching.test.ts and tests/http/admin-blocked-words.test.ts (open `dbPath` with
 * better-sqlite3; the second makes a folder named after the URL, removed again below). Everything
 * else in the default set passes on PostgreSQL.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { postgresUnavailable, startPostgresCluster } from '../helpers/postgres-cluster.js';

function testFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? testFiles(join(path, e.name)) : e.name.endsWith('.test.ts') ? [join(path, e.name)] : []).sort();
}

const args = process.argv.slice(2);
const files = (args.length > 0 ? args : ['tests/pingback', 'tests/webmention', 'tests/trackback', 'tests/http']).flatMap(testFiles);
const unavailable = postgresUnavailable();
if (unavailable) {
  process.stderr.write(`${unavailable}\n`);
  process.exit(0);
}
const cluster = await startPostgresCluster();
// A test that opens server.dbPath as a SQLite file creates folders named after the URL's scheme.
const stray = 'postgres:';
const strayBefore = existsSync(stray);
let status = 1;
try {
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...files], {
    stdio: 'inherit', env: { ...process.env, BACKTALK_TEST_POSTGRES: cluster.url() },
  });
  status = result.status ?? 1;
} finally {
  await cluster.stop();
  if (!strayBefore) rmSync(stray, { recursive: true, force: true });
}
process.exit(status);
