/**
 * The cost of writing each storage rule once (Kysely builder + SqlRunner) against the hand-written
 * statements it replaced, on the hot paths: insert a comment, list a thread's visible comments,
 * read a thread's version (every conditional GET), count visible comments (/api/counts).
 *
 *   node --import tsx bench/query-builder.ts [--n 3000] [--rounds 5] [--postgres]
 *
 * Both paths run in the same process on the same database, interleaved round by round (old, new,
 * new, old, …), and the median per-operation time of each is reported, so a busy shared machine
 * slows both alike. "old" is the previous backend code's statement, prepared once (SQLite) or named
 * (PostgreSQL), with the same row mapping; "new" is the store method as the server calls it. The
 * last column is Kysely's build + compile alone, per query. SQLite runs on a file with the server's
 * pragmas (WAL, synchronous=FULL), so the insert includes its fsync.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { NewComment } from '../src/domain/comment.js';
import { openPostgresStore } from '../src/store/postgres/pg-store.js';
import type { Store } from '../src/store/repository.js';
import { COMMENT_COLUMNS, toComment, toInsertParams, type CommentRow } from '../src/store/rows/comment-row.js';
import { selectComments, statusLiteral } from '../src/store/sql/comment-select.js';
import { postgresBuilder, sqliteBuilder } from '../src/store/sql/compilers.js';
import { openSqlite } from '../src/store/sqlite/open-sqlite.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { postgresUnavailable, startPostgresCluster } from '../tests/helpers/postgres-cluster.js';
import pg from 'pg';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../src/store/sql/schema-types.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const N = opt('n', 3000);
const ROUNDS = opt('rounds', 5);
const TARGET = 'https://blog.example/2024/03/hello/';

type Op = () => Promise<unknown>;
interface HotPath { name: string; old: Op; now: Op; compile: () => unknown }

async function perOp(op: Op, n: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < n; i++) await op();
  return ((performance.now() - start) * 1000) / n;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function compileCost(compile: () => unknown, n: number): number {
  const start = performance.now();
  for (let i = 0; i < n; i++) compile();
  return ((performance.now() - start) * 1000) / n;
}

async function report(backend: string, paths: HotPath[], n: number): Promise<void> {
  console.log(`\n${backend}: median µs per operation over ${ROUNDS} interleaved rounds of ${n}`);
  console.log('| hot path | before (hand-written) | after (Kysely + SqlRunner) | difference | build + compile alone |');
  console.log('|---|---:|---:|---:|---:|');
  for (const path of paths) {
    for (let i = 0; i < 50; i++) { await path.old(); await path.now(); }
    const olds: number[] = [];
    const nows: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      if (r % 2 === 0) { olds.push(await perOp(path.old, n)); nows.push(await perOp(path.now, n)); }
      else { nows.push(await perOp(path.now, n)); olds.push(await perOp(path.old, n)); }
    }
    const [o, w] = [median(olds), median(nows)];
    const c = compileCost(path.compile, n);
    console.log(`| ${path.name} | ${o.toFixed(1)} | ${w.toFixed(1)} | ${(w - o >= 0 ? '+' : '')}${(w - o).toFixed(1)} | ${c.toFixed(1)} |`);
  }
}

function aComment(threadId: number, i: number): NewComment {
  return {
    threadId, parent: null, kind: 'comment', status: 'approved', author: 'Ann', email: 'ann@example.org', url: '',
    bodyHtml: `<p>Comment ${i}</p>`, bodyRaw: `Comment ${i}`, source: null, sourceKey: null, title: null, mentionType: null,
    authorPhoto: null, ip: '192.0.2.0', userAgent: 'bench', reasons: [], editTokenHash: null, created: new Date(),
  };
}

/** A thread of 30 comments, like the read benchmark's. */
async function seedThread(store: Store): Promise<number> {
  const thread = await store.threads.ensure(TARGET, new Date());
  for (let i = 0; i < 30; i++) await store.comments.insert(aComment(thread.id, i));
  return thread.id;
}

/** The statement countVisible builds (comment-repository.ts), for the compile-alone column. */
function countQuery(kb: Kysely<Database>) {
  return kb.selectFrom('threads as t')
    .select((eb) => ['t.target', eb.selectFrom('comments as c').select(eb.fn.countAll<number>().as('n'))
      .whereRef('c.thread_id', '=', 't.id').where('c.status', '=', statusLiteral('approved')).where(sql<boolean>`c.deleted = 0`).as('n')])
    .where('t.target', 'in', [TARGET]);
}

async function sqlite(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'backtalk-qb-'));
  const db = openSqlite(join(dir, 'bench.db'));
  const store = createSqliteStore(db);
  const threadId = await seedThread(store);
  const kb = sqliteBuilder();
  const FROM = 'FROM comments c JOIN threads t ON t.id = c.thread_id';
  const old = {
    insert: db.prepare(`INSERT INTO comments (thread_id, parent_id, kind, status, author, email, url, body_html,
        body_raw, source_url, source_key, title, mention_type, author_photo, ip, user_agent, reasons, edit_token_hash, created_at, body_hash)
      VALUES (@thread_id, @parent_id, @kind, @status, @author, @email, @url, @body_html, @body_raw, @source_url,
        @source_key, @title, @mention_type, @author_photo, @ip, @user_agent, @reasons, @edit_token_hash, @created_at, @body_hash)`),
    byId: db.prepare(`SELECT ${COMMENT_COLUMNS} ${FROM} WHERE c.id = ?`),
    visible: db.prepare(`SELECT ${COMMENT_COLUMNS} ${FROM} WHERE c.thread_id = ? AND c.status = 'approved'
        AND (c.deleted = 0 OR EXISTS (SELECT 1 FROM comments r WHERE r.parent_id = c.id AND r.status = 'approved')) ORDER BY c.id`),
    version: db.prepare(`SELECT id || '.' || created_at || '.' || version FROM threads WHERE target = ?`).pluck(),
    count: db.prepare(`SELECT t.target AS target, (SELECT count(*) FROM comments c WHERE c.thread_id = t.id AND c.status = 'approved'
        AND c.deleted = 0) AS n FROM threads t WHERE t.target IN (?)`),
  };
  // The inserts go to a second thread, so the read paths keep reading the same 30 rows.
  const writes = await store.threads.ensure(`${TARGET}writes`, new Date());
  let i = 0;
  await report('SQLite (file, WAL, synchronous=FULL)', [
    {
      name: 'insert a comment',
      old: async () => {
        const info = old.insert.run(toInsertParams(aComment(writes.id, i++)) as Record<string, unknown>);
        return toComment(old.byId.get(info.lastInsertRowid) as CommentRow);
      },
      now: () => store.comments.insert(aComment(writes.id, i++)),
      compile: () => kb.insertInto('comments').values(toInsertParams(aComment(writes.id, i)))
        .onConflict((oc) => oc.columns(['thread_id', 'source_key']).where('source_key', 'is not', null).doNothing()).returning('id').compile(),
    },
    {
      name: "list a thread's visible comments (30)",
      old: async () => (old.visible.all(threadId) as CommentRow[]).map(toComment),
      now: () => store.comments.listVisible(threadId),
      compile: () => selectComments(kb).where('c.thread_id', '=', threadId).where('c.status', '=', statusLiteral('approved')).orderBy('c.id').compile(),
    },
    {
      name: 'thread version (ETag)',
      old: async () => new Map([[TARGET, old.version.get(TARGET) as string]]),
      now: () => store.comments.threadVersions([TARGET]),
      compile: () => kb.selectFrom('threads').select(['target', 'id', 'created_at', 'version']).where('target', 'in', [TARGET]).compile(),
    },
    {
      name: 'count visible (one target)',
      old: async () => new Map((old.count.all(TARGET) as Array<{ target: string; n: number }>).map((r) => [r.target, r.n])),
      now: () => store.comments.countVisible([TARGET]),
      compile: () => countQuery(kb).compile(),
    },
  ], N);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

async function postgres(): Promise<void> {
  const unavailable = postgresUnavailable();
  if (unavailable) {
    console.log(`\nPostgreSQL skipped: ${unavailable}`);
    return;
  }
  const cluster = await startPostgresCluster({ durable: true });
  try {
    const url = await cluster.createDatabase('query_builder_bench');
    const store = await openPostgresStore(url, { max: 2 });
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    pool.on('error', () => undefined);
    const threadId = await seedThread(store);
    const writes = await store.threads.ensure(`${TARGET}writes`, new Date());
    const kb = postgresBuilder();
    const FROM = 'FROM comments c JOIN threads t ON t.id = c.thread_id';
    const query = async <R extends pg.QueryResultRow>(name: string, text: string, values: unknown[]) => (await pool.query<R>({ name, text, values })).rows;
    let i = 0;
    await report('PostgreSQL (local socket, durable settings)', [
      {
        name: 'insert a comment',
        old: async () => {
          const p = toInsertParams(aComment(writes.id, i++));
          const [row] = await query<{ id: number }>('old-insert', `INSERT INTO comments (thread_id, parent_id, kind, status, author, email, url,
              body_html, body_raw, source_url, source_key, title, mention_type, author_photo, ip, user_agent, reasons, edit_token_hash, created_at, body_hash)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
            ON CONFLICT (thread_id, source_key) WHERE source_key IS NOT NULL DO NOTHING RETURNING id`,
          [p.thread_id, p.parent_id, p.kind, p.status, p.author, p.email, p.url, p.body_html, p.body_raw, p.source_url, p.source_key, p.title,
            p.mention_type, p.author_photo, p.ip, p.user_agent, p.reasons, p.edit_token_hash, p.created_at, p.body_hash]);
          return (await query<CommentRow>('old-by-id', `SELECT ${COMMENT_COLUMNS} ${FROM} WHERE c.id = $1`, [row!.id])).map(toComment)[0];
        },
        now: () => store.comments.insert(aComment(writes.id, i++)),
        compile: () => kb.insertInto('comments').values(toInsertParams(aComment(writes.id, i))).returning('id').compile(),
      },
      {
        name: "list a thread's visible comments (30)",
        old: async () => (await query<CommentRow>('old-visible', `SELECT ${COMMENT_COLUMNS} ${FROM} WHERE c.thread_id = $1 AND c.status = 'approved'
            AND (NOT c.deleted OR EXISTS (SELECT 1 FROM comments r WHERE r.parent_id = c.id AND r.status = 'approved')) ORDER BY c.id`, [threadId])).map(toComment),
        now: () => store.comments.listVisible(threadId),
        compile: () => selectComments(kb).where('c.thread_id', '=', threadId).where('c.status', '=', statusLiteral('approved')).orderBy('c.id').compile(),
      },
      {
        name: 'thread version (ETag)',
        old: async () => (await query('old-version', `SELECT target, id, created_at, version FROM threads WHERE target = ANY($1::text[])`, [[TARGET]])),
        now: () => store.comments.threadVersions([TARGET]),
        compile: () => kb.selectFrom('threads').select(['target', 'id', 'created_at', 'version']).where('target', 'in', [TARGET]).compile(),
      },
      {
        name: 'count visible (one target)',
        old: async () => (await query('old-count', `SELECT t.target, count(c.id) AS n FROM threads t
            LEFT JOIN comments c ON c.thread_id = t.id AND c.status = 'approved' AND NOT c.deleted
            WHERE t.target = ANY($1::text[]) GROUP BY t.id, t.target`, [[TARGET]])),
        now: () => store.comments.countVisible([TARGET]),
        compile: () => countQuery(kb).compile(),
      },
    ], Math.min(N, 1000));
    await pool.end();
    await store.close();
  } finally {
    await cluster.stop();
  }
}

await sqlite();
if (args.includes('--postgres')) await postgres();
