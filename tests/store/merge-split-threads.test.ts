/**
 * Schema step 5 → 6 (issue 16 point 2) on both backends: a database written by an older release, in
 * which one Cyrillic post became three threads (escapes in lower case, in upper case, and text in NFD)
 * and one source pinged two of them, is opened by this release. Afterwards there is one thread under
 * the normalized target, every comment is there with its id, subscriptions and flags are merged, and
 * the two linkbacks from one source are one visible linkback plus one kept in the trash.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';

import type { NewComment } from '../../src/domain/comment.js';
import { normalizeHttpUrl } from '../../src/lib/url.js';
import { openPostgresStore } from '../../src/store/postgres/pg-store.js';
import type { Store } from '../../src/store/repository.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { postgresUnavailable, startPostgresCluster, type PostgresCluster } from '../helpers/postgres-cluster.js';

const T0 = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));
const PATH = '/новости/ёжик/';
/** Three spellings an older release kept apart (its normalization left escape case and NFD alone). */
const LOWER = `https://blog.example${encodeURI(PATH).toLowerCase()}`;
const UPPER = `https://blog.example${encodeURI(PATH)}`;
const NFD = `https://blog.example${encodeURI(PATH.normalize('NFD'))}`;
const CANONICAL = normalizeHttpUrl(UPPER)!;
const OTHER = 'https://blog.example/plain/';
const SOURCE_NFC = 'https://alice.example/ответ-й/';
/** The same source page, as a second sender spelled it (й as и + combining breve). */
const SOURCE_NFD = SOURCE_NFC.normalize('NFD');

function comment(threadId: number, over: Partial<NewComment> = {}): NewComment {
  return {
    threadId, parent: null, kind: 'comment', status: 'approved', author: 'Анна', email: 'anna@example.org', url: '',
    bodyHtml: '<p>Привет</p>', bodyRaw: 'Привет', source: null, sourceKey: null, title: null, mentionType: null, authorPhoto: null,
    ip: '192.0.2.0', userAgent: 'UA', reasons: [], editTokenHash: null, created: T0, ...over,
  };
}

async function inserted(store: Store, c: NewComment): Promise<number> {
  const result = await store.comments.insert(c);
  assert.equal(result.kind, 'inserted');
  return result.kind === 'inserted' ? result.comment.id : 0;
}

interface Written {
  threads: { lower: number; upper: number; nfd: number; other: number };
  comments: number[];
  reply: number;
  pingApproved: number;
  pingHeld: number;
}

/** What an older release could have written: the three spellings as three threads. */
async function writeSplitThreads(store: Store): Promise<Written> {
  const lower = (await store.threads.ensure(LOWER, T0)).id;
  const upper = (await store.threads.ensure(UPPER, new Date(T0.getTime() - 60_000))).id;
  const nfd = (await store.threads.ensure(NFD, T0)).id;
  const other = (await store.threads.ensure(OTHER, T0)).id;
  assert.equal(new Set([lower, upper, nfd]).size, 3, 'three threads for one post');
  await store.threads.setClosed(nfd, { linkbacks: true });
  const first = await inserted(store, comment(lower, { bodyRaw: 'first', bodyHtml: '<p>first</p>' }));
  const second = await inserted(store, comment(upper, { bodyRaw: 'second', bodyHtml: '<p>second</p>', author: 'Борис', email: 'boris@example.org' }));
  const reply = await inserted(store, comment(upper, { parent: first, bodyRaw: 'reply across spellings', bodyHtml: '<p>reply</p>' }));
  const third = await inserted(store, comment(nfd, { bodyRaw: 'third', bodyHtml: '<p>third</p>', status: 'pending' }));
  // One source pinged two spellings; the older release keyed the sources apart (NFC against NFD).
  const pingHeld = await inserted(store, comment(lower, {
    kind: 'pingback', status: 'pending', email: '', author: 'Alice', source: SOURCE_NFD, sourceKey: encodeURI(SOURCE_NFD), bodyRaw: 'ping 1', bodyHtml: '<p>ping 1</p>',
  }));
  const pingApproved = await inserted(store, comment(upper, {
    kind: 'trackback', email: '', author: 'Alice', source: SOURCE_NFC, sourceKey: encodeURI(SOURCE_NFC), bodyRaw: 'ping 2', bodyHtml: '<p>ping 2</p>',
  }));
  const otherComment = await inserted(store, comment(other, { bodyRaw: 'elsewhere', bodyHtml: '<p>elsewhere</p>' }));
  await store.subscriptions.request('anna@example.org', lower, 'h1', T0);
  const confirmed = await store.subscriptions.request('anna@example.org', nfd, 'h2', T0);
  await store.subscriptions.confirm(confirmed.subscription.id);
  await store.subscriptions.request('boris@example.org', upper, 'h3', T0);
  await store.webmentions.enqueue({ token: 'tok-lower', source: 'https://carol.example/x', target: LOWER, clientIp: '192.0.2.9', userAgent: 'wm', now: T0 });
  return { threads: { lower, upper, nfd, other }, comments: [first, second, reply, third, pingHeld, pingApproved, otherComment], reply, pingApproved, pingHeld };
}

async function checkMerged(store: Store, w: Written): Promise<void> {
  const thread = await store.threads.findByTarget(CANONICAL);
  assert.ok(thread, 'one thread under the normalized target');
  assert.equal(thread.id, Math.min(w.threads.lower, w.threads.upper, w.threads.nfd), 'the oldest thread survives');
  assert.equal(thread.linkbacksClosed, true, 'closed if any spelling was closed');
  assert.equal(thread.commentsClosed, false);
  assert.equal(thread.title, 'Ёжик', 'the title one of them had');
  assert.equal(thread.created.getTime(), T0.getTime() - 60_000, 'the earliest creation time');
  for (const gone of [LOWER, UPPER, NFD].filter((t) => t !== CANONICAL)) assert.equal(await store.threads.findByTarget(gone), undefined, gone);
  for (const id of [w.threads.lower, w.threads.upper, w.threads.nfd].filter((id) => id !== thread.id)) {
    assert.equal(await store.threads.findById(id), undefined, `thread ${id} merged away`);
  }
  for (const id of w.comments) assert.ok(await store.comments.findById(id), `comment ${id} kept with its id`);
  const visible = await store.comments.listVisible(thread.id);
  assert.deepEqual(visible.map((c) => c.bodyRaw).sort(), ['first', 'ping 2', 'reply across spellings', 'second'].sort());
  assert.equal(visible.find((c) => c.id === w.reply)?.parent, w.comments[0], 'the reply still answers its parent');
  assert.equal((await store.comments.findById(w.comments[3]!))?.threadId, thread.id, 'held comments move too');
  const kept = await store.comments.findLinkback(thread.id, normalizeHttpUrl(SOURCE_NFD)!);
  assert.equal(kept?.id, w.pingApproved, 'one linkback per source: the approved one keeps the key');
  const trashed = await store.comments.findById(w.pingHeld);
  assert.equal(trashed?.status, 'trash');
  assert.match(trashed!.reasons.join(' '), new RegExp(`duplicate of linkback #${w.pingApproved}`));
  const counts = await store.comments.countVisible([CANONICAL, OTHER]);
  assert.deepEqual([counts.get(CANONICAL), counts.get(OTHER)], [4, 1]);
  assert.equal((await store.comments.findById(w.comments[6]!))?.threadId, w.threads.other, 'other threads untouched');
  const anna = await store.subscriptions.findByEmail('anna@example.org', thread.id);
  assert.equal(anna?.confirmed, true, 'one subscription per address, confirmed if either was');
  assert.ok(await store.subscriptions.findByEmail('boris@example.org', thread.id));
  assert.equal((await store.webmentions.findByToken('tok-lower'))?.target, CANONICAL, 'queued Webmentions name the normalized target');
}

interface Backend {
  open(): Promise<Store>;
  /** Runs SQL on the raw database (the same text serves both backends). */
  exec(sqlText: string): Promise<void>;
  /** Marks the database as written by a release at schema version 4. */
  rewind(): Promise<void>;
}

function describeMerge(name: string, skip: string | undefined, backend: () => Backend): void {
  test(`${name}: a database with split threads is merged when opened`, { skip }, async () => {
    const b = backend();
    const first = await b.open();
    const written = await writeSplitThreads(first);
    await first.close();
    await b.exec(`UPDATE threads SET title = 'Ёжик' WHERE id = ${written.threads.nfd}`);
    await b.rewind();
    const store = await b.open();
    try {
      await checkMerged(store, written);
    } finally {
      await store.close();
    }
    // Opening again finds nothing left to do.
    const again = await b.open();
    try {
      await checkMerged(again, written);
    } finally {
      await again.close();
    }
  });
}

let dir: string;
let cluster: PostgresCluster | undefined;
const pgSkip = postgresUnavailable();

describe('schema step 4 → 5: threads split by spelling are merged', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'backtalk-merge-'));
    if (!pgSkip) cluster = await startPostgresCluster();
  });
  after(async () => {
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  describeMerge('SQLite', undefined, () => {
    const path = join(dir, 'split.db');
    const exec = async (sqlText: string) => {
      const db = new Database(path);
      try {
        db.exec(sqlText);
      } finally {
        db.close();
      }
    };
    return { open: async () => openSqliteStore(path), exec, rewind: () => exec('PRAGMA user_version = 5') };
  });

  describeMerge('PostgreSQL', pgSkip, () => {
    let url: string | undefined;
    const exec = async (sqlText: string) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(sqlText);
      } finally {
        await client.end();
      }
    };
    return {
      open: async () => openPostgresStore((url ??= await cluster!.createDatabase(`merge_${process.pid}`)), { max: 2 }),
      exec,
      rewind: () => exec('UPDATE backtalk_schema SET version = 5'),
    };
  });
});
