-- Backtalk schema (SQLite). Applied whole to a new database; older databases are brought forward by
-- the numbered steps in src/store/sqlite/migrations.ts. Bump user_version with every change.
-- Times are milliseconds since the Unix epoch (UTC).

CREATE TABLE IF NOT EXISTS threads (
  id               INTEGER PRIMARY KEY,
  target           TEXT    NOT NULL UNIQUE,            -- normalized target URL (lib/url.ts)
  title            TEXT,
  comments_closed  INTEGER NOT NULL DEFAULT 0,
  linkbacks_closed INTEGER NOT NULL DEFAULT 0,
  created_at       INTEGER NOT NULL,
  version          INTEGER NOT NULL DEFAULT 0          -- bumped by triggers on every public change (ETag)
);

CREATE TABLE IF NOT EXISTS comments (
  id              INTEGER PRIMARY KEY,
  thread_id       INTEGER NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
  parent_id       INTEGER REFERENCES comments(id) ON DELETE SET NULL,
  kind            TEXT    NOT NULL CHECK (kind IN ('comment', 'trackback', 'pingback', 'webmention')),
  status          TEXT    NOT NULL CHECK (status IN ('pending', 'approved', 'spam', 'trash')),
  author          TEXT    NOT NULL DEFAULT '',
  email           TEXT    NOT NULL DEFAULT '',
  url             TEXT    NOT NULL DEFAULT '',
  body_html       TEXT    NOT NULL,                    -- sanitized once, when saved
  body_raw        TEXT    NOT NULL,                    -- what the author wrote; never rendered as HTML
  source_url      TEXT,                                -- linkbacks: the linking page as received
  source_key      TEXT,                                -- linkbacks: normalized source, the uniqueness key
  title           TEXT,                                -- linkbacks: the source's title
  mention_type    TEXT,                                -- webmention: mention | reply | like | repost
  author_photo    TEXT,
  ip              TEXT    NOT NULL DEFAULT '',         -- reduced to /24 or /48 unless BACKTALK_KEEP_IP
  user_agent      TEXT    NOT NULL DEFAULT '',
  reasons         TEXT    NOT NULL DEFAULT '[]',       -- JSON array: why a check flagged it
  edit_token_hash TEXT,                                -- SHA-256 of the author's edit token
  deleted         INTEGER NOT NULL DEFAULT 0,          -- placeholder kept for its replies
  created_at      INTEGER NOT NULL,
  edited_at       INTEGER,
  import_key      TEXT,                                -- origin of an imported item, so re-importing adds nothing twice
  body_hash       TEXT    NOT NULL DEFAULT '',         -- hash of body_raw for the duplicate check ('' on rows older than v4)
  lang            TEXT,                                -- language the comment was written in (its mails use it); NULL for linkbacks
  likes           INTEGER NOT NULL DEFAULT 0,          -- current likes: the votes table's +1 rows, kept in the same transaction
  dislikes        INTEGER NOT NULL DEFAULT 0           -- current dislikes: its -1 rows
);

-- One linkback per source and post, whatever the protocol (a trackback, a pingback and a webmention
-- from the same page are one linkback); enforced by the index, not by a read-then-write.
CREATE UNIQUE INDEX IF NOT EXISTS comments_linkback_source ON comments (thread_id, source_key)
  WHERE source_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS comments_thread_status ON comments (thread_id, status, id);
CREATE INDEX IF NOT EXISTS comments_status ON comments (status, id);
CREATE INDEX IF NOT EXISTS comments_parent ON comments (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS comments_email ON comments (email, status) WHERE email <> '';
CREATE UNIQUE INDEX IF NOT EXISTS comments_import_key ON comments (import_key) WHERE import_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS comments_same_body ON comments (thread_id, body_hash);
-- /api/counts counts from this index alone, without reading comment rows.
CREATE INDEX IF NOT EXISTS comments_visible_count ON comments (thread_id) WHERE status = 'approved' AND deleted = 0;
-- A thread's page in "most liked" order (contract v1.1): read in index order, no sort.
CREATE INDEX IF NOT EXISTS comments_thread_liked ON comments (thread_id, status, (likes - dislikes) DESC, id);

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
END;
CREATE TRIGGER IF NOT EXISTS threads_version_update AFTER UPDATE OF target, title, comments_closed, linkbacks_closed ON threads BEGIN
  UPDATE threads SET version = version + 1 WHERE id = NEW.id;
END;

CREATE TABLE IF NOT EXISTS settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- Webmention verification queue (durable: survives restarts and crashes). A worker claims a job by
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
CREATE INDEX IF NOT EXISTS linkback_log_created ON linkback_log (id);

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
  lang       TEXT,                                     -- the subscriber's language: their reply mails use it
  UNIQUE (email, thread_id)
);

-- One-click moderation links from mail work once: a used link's nonce is remembered.
CREATE TABLE IF NOT EXISTS used_action_tokens (
  nonce   TEXT    PRIMARY KEY,
  used_at INTEGER NOT NULL
);

-- Linkbacks Backtalk sends for the owner's own posts (src/send/). One row per post: its send request
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

-- One vote per reader and comment (contract v1.1 "Votes"). `voter` and `network` are keyed hashes
-- (src/votes/): the reader's voter id, and the client address reduced to its network; neither is
-- reversible without the server's secret. A withdrawn vote is deleted.
CREATE TABLE IF NOT EXISTS votes (
  id         INTEGER PRIMARY KEY,
  comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
  voter      TEXT    NOT NULL,
  network    TEXT    NOT NULL,
  value      INTEGER NOT NULL CHECK (value IN (-1, 1)),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (comment_id, voter)
);
CREATE INDEX IF NOT EXISTS votes_network ON votes (comment_id, network);

PRAGMA user_version = 9;
