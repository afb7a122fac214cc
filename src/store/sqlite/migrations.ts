/**
 * Forward migrations. schema.sql is always the newest schema and is applied whole to a new database;
 * a database made by an older release is brought forward one numbered step at a time, each step in
 * its own transaction together with its `PRAGMA user_version` bump.
 */
import { sql, type Compilable, type Kysely, type RawBuilder } from 'kysely';
import { mergeSplitThreads } from '../merge-split-threads.js';
import type { MigrationStep } from '../sql/data-migration.js';
import type { Database } from '../sql/schema-types.js';
import { all, run, type TxWork } from '../sql/sql-runner.js';

export const SCHEMA_VERSION = 9;

/** MIGRATIONS[n] takes a database from version n to n + 1. */
export const MIGRATIONS: Readonly<Record<number, MigrationStep>> = {
  // 1 → 2: the durable Webmention queue and the linkback attempt log.
  1: `-- Webmention verification queue (durable: survives restarts and crashes). A worker claims a job by
-- setting claimed_until (a lease); a crashed worker's lease runs out and the job is claimed again.
CREATE TABLE IF NOT EXISTS webmentions (
  id              INTEGER PRIMARY KEY,
  token           TEXT    NOT NULL UNIQUE,             -- the status URL's id
  source          TEXT    NOT NULL,
  target          TEXT    NOT NULL,                    -- normalized
  status          TEXT    NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected')),
  reason          TEXT,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  claimed_until   INTEGER,
  client_ip       TEXT    NOT NULL DEFAULT '',
  user_agent      TEXT    NOT NULL DEFAULT '',
  comment_id      INTEGER,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS webmentions_due ON webmentions (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS webmentions_pair ON webmentions (source, target, status);

-- Every linkback attempt and what became of it, so "pingbacks just don't arrive" can be answered.
CREATE TABLE IF NOT EXISTS linkback_log (
  id         INTEGER PRIMARY KEY,
  kind       TEXT    NOT NULL,
  source     TEXT    NOT NULL,
  target     TEXT    NOT NULL,
  outcome    TEXT    NOT NULL,                         -- accepted | pending | spam | refused | duplicate | updated | deleted
  reason     TEXT    NOT NULL DEFAULT '',
  ip         TEXT    NOT NULL DEFAULT '',
  comment_id INTEGER,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS linkback_log_created ON linkback_log (id);`,
  // 2 → 3: outbox, reply subscriptions, used one-click tokens, and comments.import_key.
  2: `ALTER TABLE comments ADD COLUMN import_key TEXT;
CREATE UNIQUE INDEX IF NOT EXISTS comments_import_key ON comments (import_key) WHERE import_key IS NOT NULL;
-- Durable outbox for e-mail and webhooks: a delivery survives an SMTP or receiver outage and a
-- restart, and is retried with back-off; requests never wait for it.
CREATE TABLE IF NOT EXISTS outbox (
  id              INTEGER PRIMARY KEY,
  channel         TEXT    NOT NULL CHECK (channel IN ('mail', 'webhook')),
  payload         TEXT    NOT NULL,                    -- JSON: the message or the webhook body
  status          TEXT    NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  claimed_until   INTEGER,
  last_error      TEXT,
  created_at      INTEGER NOT NULL,
  sent_at         INTEGER
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next_attempt_at);

-- Reply notifications, double opt-in: a row is confirmed only after its address clicked the link.
CREATE TABLE IF NOT EXISTS subscriptions (
  id         INTEGER PRIMARY KEY,
  email      TEXT    NOT NULL,
  thread_id  INTEGER NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
  confirmed  INTEGER NOT NULL DEFAULT 0,
  token_hash TEXT    NOT NULL,                         -- SHA-256 of the confirm/unsubscribe token
  created_at INTEGER NOT NULL,
  UNIQUE (email, thread_id)
);

-- One-click moderation links from mail work once: a used link's nonce is remembered.
CREATE TABLE IF NOT EXISTS used_action_tokens (
  nonce   TEXT    PRIMARY KEY,
  used_at INTEGER NOT NULL
);`,
  // 3 → 4: a per-thread version for HTTP validators (ETag), kept by triggers so every writer bumps it;
  // an indexed hash of the comment body for the duplicate check.
  3: `ALTER TABLE threads ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE comments ADD COLUMN body_hash TEXT NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS comments_same_body ON comments (thread_id, body_hash);
-- /api/counts counts from this index alone, without reading comment rows.
CREATE INDEX IF NOT EXISTS comments_visible_count ON comments (thread_id) WHERE status = 'approved' AND deleted = 0;
-- Any change to a thread's comments (or to the thread itself) bumps threads.version: the ETag of
-- the public reads, so a cached copy is never served after an insert, edit, delete or moderation.
CREATE TRIGGER IF NOT EXISTS comments_version_insert AFTER INSERT ON comments BEGIN
  UPDATE threads SET version = version + 1 WHERE id = NEW.thread_id;
END;
CREATE TRIGGER IF NOT EXISTS comments_version_update AFTER UPDATE ON comments BEGIN
  UPDATE threads SET version = version + 1 WHERE id IN (OLD.thread_id, NEW.thread_id);
END;
CREATE TRIGGER IF NOT EXISTS comments_version_delete AFTER DELETE ON comments BEGIN
  UPDATE threads SET version = version + 1 WHERE id = OLD.thread_id;
END;
CREATE TRIGGER IF NOT EXISTS threads_version_update AFTER UPDATE OF target, title, comments_closed, linkbacks_closed ON threads BEGIN
  UPDATE threads SET version = version + 1 WHERE id = NEW.id;
END;`,
  // 4 → 5: the linkbacks Backtalk sends for the owner's posts (src/send/).
  4: `-- Linkbacks Backtalk sends for the owner's own posts (src/send/). One row per post: its send request
-- is a leased job (status pending until the post has been fetched and its links listed).
CREATE TABLE IF NOT EXISTS send_posts (
  id              INTEGER PRIMARY KEY,
  source          TEXT    NOT NULL UNIQUE,             -- the post URL, normalized
  status          TEXT    NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  claimed_until   INTEGER,
  title           TEXT    NOT NULL DEFAULT '',
  excerpt         TEXT    NOT NULL DEFAULT '',
  fingerprint     TEXT,                                -- hash of the post's content as last read
  gone            INTEGER NOT NULL DEFAULT 0,          -- the post answered 410 Gone
  last_error      TEXT,
  feed_version    TEXT,                                -- the feed entry's date or hash, when a feed listed it
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS send_posts_due ON send_posts (status, next_attempt_at);

-- One row per link of a post: a leased job while status is pending, then what the receiver said.
-- Kept after the link leaves the post (in_post = 0): it is what a later Webmention update is sent to.
CREATE TABLE IF NOT EXISTS send_links (
  id              INTEGER PRIMARY KEY,
  post_id         INTEGER NOT NULL REFERENCES send_posts(id) ON DELETE CASCADE,
  target          TEXT    NOT NULL,
  status          TEXT    NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
  protocol        TEXT    NOT NULL DEFAULT 'none' CHECK (protocol IN ('webmention', 'pingback', 'trackback', 'none')),
  endpoint        TEXT,
  response        TEXT    NOT NULL DEFAULT '',
  in_post         INTEGER NOT NULL DEFAULT 1,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  claimed_until   INTEGER,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  sent_at         INTEGER,                             -- last successful send
  UNIQUE (post_id, target)
);
CREATE INDEX IF NOT EXISTS send_links_due ON send_links (status, next_attempt_at);
`,
  // 5 → 6: targets and sources normalized further (escape case, NFC); threads split by spelling merge.
  5: mergeSplitThreads,
  // 6 → 7: the language a comment was written in, and a subscriber's, so mails are sent in it.
  6: `ALTER TABLE comments ADD COLUMN lang TEXT;
ALTER TABLE subscriptions ADD COLUMN lang TEXT;`,
  // 7 → 8: the thread version (ETag) moves only with public changes, not with held or spam comments.
  7: `DROP TRIGGER IF EXISTS comments_version_insert;
DROP TRIGGER IF EXISTS comments_version_update;
DROP TRIGGER IF EXISTS comments_version_delete;
-- threads.version is the ETag of the public reads, so it moves exactly when what readers see can
-- change: an approved row inserted, updated or deleted, a status change into or out of approved, or
-- the thread's own public fields. A held, spam or trashed comment arriving or changing leaves it
-- alone, so the ETag cannot tell anyone that something waits in the queue (issue 14.12).
CREATE TRIGGER IF NOT EXISTS comments_version_insert AFTER INSERT ON comments WHEN NEW.status = 'approved' BEGIN
  UPDATE threads SET version = version + 1 WHERE id = NEW.thread_id;
END;
CREATE TRIGGER IF NOT EXISTS comments_version_update AFTER UPDATE ON comments
  WHEN OLD.status = 'approved' OR NEW.status = 'approved' BEGIN
  UPDATE threads SET version = version + 1 WHERE id IN (OLD.thread_id, NEW.thread_id);
END;
CREATE TRIGGER IF NOT EXISTS comments_version_delete AFTER DELETE ON comments WHEN OLD.status = 'approved' BEGIN
  UPDATE threads SET version = version + 1 WHERE id = OLD.thread_id;
END;`,
  // 8 → 9: votes (contract v1.1): one row per reader and comment, the counts kept on the comment,
  // and the index that reads a thread's page in "most liked" order.
  8: addVotes,
};

/**
 * Step 8 → 9. SQLite has no ADD COLUMN IF NOT EXISTS, so the columns are added only when missing:
 * a database shaped by hand from today's schema (as the older steps' tests do) must open too.
 */
function* addVotes(db: Kysely<Database>): TxWork<void> {
  const columns = new Set((yield* all(raw(db, sql<{ name: string }>`SELECT name FROM pragma_table_info('comments')`))).map((r) => r.name));
  for (const column of ['likes', 'dislikes']) {
    if (!columns.has(column)) yield* run(raw(db, sql`ALTER TABLE comments ADD COLUMN ${sql.raw(column)} INTEGER NOT NULL DEFAULT 0`));
  }
  yield* run(raw(db, sql`CREATE INDEX IF NOT EXISTS comments_thread_liked ON comments (thread_id, status, (likes - dislikes) DESC, id)`));
  yield* run(raw(db, sql`CREATE TABLE IF NOT EXISTS votes (
  id         INTEGER PRIMARY KEY,
  comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
  voter      TEXT    NOT NULL,
  network    TEXT    NOT NULL,
  value      INTEGER NOT NULL CHECK (value IN (-1, 1)),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (comment_id, voter)
)`));
  yield* run(raw(db, sql`CREATE INDEX IF NOT EXISTS votes_network ON votes (comment_id, network)`));
}

function raw<R>(db: Kysely<Database>, query: RawBuilder<R>): Compilable<R> {
  return { compile: () => query.compile(db) };
}
