/**
 * The work the pipeline does per new comment, without HTTP (issue 15.3):
 *
 *   node --import tsx bench/pipeline-cost.ts [--n 3000] [--concurrency 16] [--rounds 7]
 *
 * 1. receive(): the pipeline as the server builds it (createDeps) on a fresh SQLite file with the
 *    server's durability (WAL, group commit), 100 seeded comments, then `n` unique plain comments
 *    admitted and received with `concurrency` in flight, like the bench's form posts. Reported: CPU
 *    per comment (this process, all threads: the fdatasyncs on the pool included) and wall time.
 *    Twice: without notifications, and with a webhook (an outbox row written in each insert's transaction).
 * 2. Before/after pairs measured in this process, interleaved round by round, median of the rounds
 *    (a busy shared machine slows both sides of a pair alike):
 *    - rendering a plain comment: markdown-it + sanitize-html, against renderCommentBody (plain-text
 *      fast path, pipeline/plain-body.ts);
 *    - the duplicate check's statement with its LIMIT bound as a parameter (as Kysely's `.limit(1)`
 *      writes it: SQLite re-prepares such a statement on every run, because a bound LIMIT may change
 *      the plan) against the same statement with a literal LIMIT;
 *    - the blocked-words list read from the settings table on every check, against the cached list;
 *    - a new comment's row object built as `{ ...draft, more keys }` against every field named.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, resolveRuntimeConfig } from '../src/config.js';
import { createLogger } from '../src/lib/logger.js';
import { bodyRenders, renderCommentBody, renderCommentBodyInFull } from '../src/pipeline/sanitize.js';
import { bodyHash } from '../src/store/rows/comment-row.js';
import { openSqlite } from '../src/store/sqlite/open-sqlite.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { createBlockedWords } from '../src/moderation/blocked-words.js';
import { createDeps, stopBackground } from '../src/wiring.js';

const { values } = parseArgs({ options: { n: { type: 'string' }, concurrency: { type: 'string' }, rounds: { type: 'string' } } });
const N = Number(values.n ?? 3000);
const CONCURRENCY = Number(values.concurrency ?? 16);
const ROUNDS = Number(values.rounds ?? 7);
const SITE = 'http://blog.example';
const TARGET = `${SITE}/bench/post`;
const runTag = Date.now().toString(36);
const body = (i: number) => `Benchmark comment ${runTag}-${i}: a short plain-text reply, no links, posted by the load generator.`;
const client = { ip: '127.0.0.1', userAgent: 'pipeline-cost', referrer: '' };
const fmt = (n: number) => n.toFixed(2).padStart(9);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/**
 * `env`: more settings; with a webhook, every insert writes its outbox row in its own transaction
 * (the outbox worker is not started here, so nothing is delivered meanwhile).
 */
async function receiveCost(label: string, env: Record<string, string> = {}): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pipeline-cost-'));
  const config = loadConfig({
    BACKTALK_PORT: '0', BACKTALK_DB: join(dir, 'bench.db'), BACKTALK_SITES: SITE, BACKTALK_ADMIN_TOKEN: 'pipeline-cost-admin-token-0123',
    BACKTALK_RATE_LIMIT: '0', BACKTALK_LOG_LEVEL: 'silent', BACKTALK_SEND: 'off', ...env,
  });
  const rendered = { ...bodyRenders };
  const store = openSqliteStore(config.dbPath);
  const deps = await createDeps(resolveRuntimeConfig(config, 8080), store, createLogger('silent'));
  const submit = async (i: number, who = 'Bench Reader', email = 'bench@mail.example') => {
    const input = await deps.pipeline.admit({ kind: 'comment', target: TARGET, body: body(i), author: who, email, client });
    const result = await deps.pipeline.receive(input);
    if (result.kind !== 'stored' || result.comment.status !== 'approved') throw new Error(`comment ${i}: ${result.kind}`);
  };
  for (let i = 0; i < 100; i++) await submit(-1 - i, `Reader ${i}`, `reader${i}@mail.example`);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < N; i = next++) await submit(i);
  };
  // A few hundred first, so the JIT has compiled the hot paths before the measured run.
  const warm = Math.min(500, N);
  next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    for (let i = next++; i < warm; i = next++) await submit(1e6 + i);
  }));
  next = 0;
  const cpu = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const wallUs = Number(process.hrtime.bigint() - t0) / 1000;
  const used = process.cpuUsage(cpu);
  console.log(`receive(), ${label}: ${N} plain comments, ${CONCURRENCY} in flight, SQLite file with group commit`);
  console.log(`  CPU per comment ${fmt((used.user + used.system) / N)} µs   wall per comment ${fmt(wallUs / N)} µs   (${Math.round(N / (wallUs / 1e6))} comments/s)`);
  const plain = bodyRenders.plain - rendered.plain;
  console.log(`  bodies rendered: ${plain} by the plain-text fast path, ${bodyRenders.markdown - rendered.markdown} by markdown-it + sanitize-html`);
  await stopBackground(deps);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

/** Runs each side `per` times per round, sides interleaved, and prints the median µs per call. */
function pair(label: string, sides: Record<string, () => unknown>, per: number): void {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(sides).map((k) => [k, []]));
  for (const fn of Object.values(sides)) for (let i = 0; i < 200; i++) fn();
  for (let r = 0; r < ROUNDS; r++) {
    const names = r % 2 === 0 ? Object.keys(sides) : Object.keys(sides).reverse();
    for (const name of names) {
      const fn = sides[name]!;
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < per; i++) fn();
      times[name]!.push(Number(process.hrtime.bigint() - t0) / 1000 / per);
    }
  }
  console.log(label);
  const [first] = Object.keys(sides);
  for (const [name, ts] of Object.entries(times)) {
    const ratio = name === first ? '' : `   (${(median(times[first!]!) / median(ts)).toFixed(1)}× less)`;
    console.log(`  ${name.padEnd(44)} ${fmt(median(ts))} µs${ratio}`);
  }
}

async function pairs(): Promise<void> {
  const plain = [
    body(1),
    'Thanks for the write-up! I tried it on my own blog yesterday and it worked the first time.\n\nOne question, though: does it also work behind a proxy?',
    'Спасибо за статью! Всё получилось с первого раза, хотя пришлось поменять пару настроек.',
    'Great post 👍 — bookmarked.',
  ];
  pair('render a plain comment (4 bodies per call)', {
    'markdown-it + sanitize-html (before)': () => plain.map((b) => renderCommentBodyInFull(b)),
    'renderCommentBody (plain-text fast path)': () => plain.map((b) => renderCommentBody(b)),
  }, 200);

  // save.ts builds the stored comment from the draft. On Node 20's V8 every property added to a
  // literal after a spread takes a slow path; the draft here is built fresh each call, as
  // drafts.ts builds it.
  let drafted = 0;
  const draft = () => ({
    kind: 'comment' as const, target: TARGET, threadId: 1, parent: null, author: 'Bench Reader', email: 'bench@mail.example', url: '',
    bodyRaw: body(drafted), bodyHtml: `<p>${body(drafted++)}</p>`, source: null, sourceKey: null, title: null, mentionType: null, authorPhoto: null,
  });
  const created = new Date();
  pair('a new comment\'s row object from its draft (save.ts)', {
    '{ ...draft, ten more keys } (before)': () => {
      const { target: _target, ...fields } = draft();
      return {
        ...fields, threadId: 1, status: 'approved', reasons: [], ip: '127.0.0.0', userAgent: 'pipeline-cost',
        editTokenHash: null, created, lang: null, owner: false,
      };
    },
    'every field named': () => {
      const d = draft();
      return {
        kind: d.kind, threadId: 1, parent: d.parent, author: d.author, email: d.email, url: d.url, bodyRaw: d.bodyRaw,
        bodyHtml: d.bodyHtml, source: d.source, sourceKey: d.sourceKey, title: d.title, mentionType: d.mentionType,
        authorPhoto: d.authorPhoto, status: 'approved', reasons: [], ip: '127.0.0.0', userAgent: 'pipeline-cost',
        editTokenHash: null, created, lang: null, owner: false,
      };
    },
  }, 2000);

  const dir = mkdtempSync(join(tmpdir(), 'pipeline-cost-sql-'));
  const db = openSqlite(join(dir, 'dup.db'));
  db.pragma('synchronous = NORMAL');
  db.prepare('INSERT INTO threads (target, created_at) VALUES (?, 0)').run(TARGET);
  const insert = db.prepare(`INSERT INTO comments (thread_id, kind, status, author, email, url, body_html, body_raw, body_hash, created_at)
    VALUES (1, 'comment', 'approved', 'Bench Reader', 'bench@mail.example', '', ?, ?, ?, ?)`);
  db.transaction(() => {
    for (let i = 0; i < 5000; i++) insert.run(`<p>${body(i)}</p>`, body(i), bodyHash(body(i)), i);
  })();
  const fresh = body(-1);
  const where = `"thread_id" = ? and "body_hash" in (?, '') and "body_raw" = ? and "status" <> 'trash' and "deleted" = 0 and "email" = ?`;
  const bound = db.prepare(`select 1 as "one" from "comments" where ${where} limit ?`);
  const literal = db.prepare(`select 1 as "one" from "comments" where ${where} limit 1`);
  const params = [1, bodyHash(fresh), fresh, 'bench@mail.example'];
  pair('duplicate check, 5,000 comments in the thread (autocommit read, as on the request path)', {
    'LIMIT bound as a parameter (before)': () => bound.get(...params, 1),
    'LIMIT 1 written into the SQL': () => literal.get(...params),
  }, 2000);
  db.close();

  const store = openSqliteStore(join(dir, 'settings.db'));
  const perCheck = createBlockedWords(store.settings, ['casino'], { maxAgeMs: 0 });
  const cached = createBlockedWords(store.settings, ['casino']);
  await perCheck.replace(['casino', 'viagra']);
  const asyncPair = async (fn: () => Promise<unknown>, per: number) => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < per; i++) await fn();
    return Number(process.hrtime.bigint() - t0) / 1000 / per;
  };
  const reads: number[] = [];
  const hits: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    reads.push(await asyncPair(() => perCheck.current(), 2000));
    hits.push(await asyncPair(() => cached.current(), 2000));
  }
  console.log('blocked words for one spam check');
  console.log(`  ${'settings read on every check (before)'.padEnd(44)} ${fmt(median(reads))} µs`);
  console.log(`  ${'cached list'.padEnd(44)} ${fmt(median(hits))} µs   (${(median(reads) / median(hits)).toFixed(1)}× less)`);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

await receiveCost('no notifications');
await receiveCost('with a webhook (an outbox row per comment)', { BACKTALK_WEBHOOK_URL: 'http://127.0.0.1:9/hook', BACKTALK_WEBHOOK_SECRET: 'pipeline-cost-webhook-secret' });
await pairs();
