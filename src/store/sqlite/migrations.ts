/**
 * Forward migrations. schema.sql is always the newest schema and is applied whole to a new database;
 * a database made by an older release is brought forward one numbered step at a time, each step in
 * its own transaction together with its `PRAGMA user_version` bump.
 */
export const SCHEMA_VERSION = 2;

/** MIGRATIONS[n] takes a database from version n to n + 1. */
export const MIGRATIONS: Readonly<Record<number, string>> = {
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
};
