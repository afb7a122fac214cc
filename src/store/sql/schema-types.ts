/**
 * The tables of schema.sql and schema.postgres.sql as Kysely sees them, for the query builders in
 * src/store/. Selected types are what both drivers hand back: numbers for ids, times (milliseconds)
 * and counts (the PostgreSQL pool parses BIGINT, open-postgres.ts), and DbFlag for yes/no columns.
 * Flags are written as booleans: the SQLite runner binds them as 1/0 (SQLite has no boolean type).
 */
import type { ColumnType, Generated } from 'kysely';
import type { DbFlag } from '../rows/flag.js';

/** A yes/no column: read as 0/1 or true/false, written as a boolean. */
type Flag = ColumnType<DbFlag, boolean | undefined, boolean>;
/** Maintained by triggers; never written by the application. */
type TriggerCounter = ColumnType<number, never, never>;

export interface ThreadsTable {
  id: Generated<number>;
  target: string;
  title: string | null;
  comments_closed: Flag;
  linkbacks_closed: Flag;
  created_at: number;
  version: TriggerCounter;
}

export interface CommentsTable {
  id: Generated<number>;
  thread_id: number;
  parent_id: number | null;
  kind: string;
  status: string;
  author: string;
  email: string;
  url: string;
  body_html: string;
  body_raw: string;
  source_url: string | null;
  source_key: string | null;
  title: string | null;
  mention_type: string | null;
  author_photo: string | null;
  ip: string;
  user_agent: string;
  reasons: string;
  edit_token_hash: string | null;
  deleted: Flag;
  created_at: number;
  edited_at: number | null;
  import_key: string | null;
  /** '' (SQLite) or NULL (PostgreSQL) on rows older than schema v4: such rows are compared in full. */
  body_hash: string | null;
  /** The language the comment was written in (schema v5); NULL for linkbacks and older rows. */
  lang: string | null;
  /** Kept equal to the comment's rows in `votes` (schema v8), in the vote's own transaction. */
  likes: ColumnType<number, number | undefined, number>;
  dislikes: ColumnType<number, number | undefined, number>;
}

/** One reader's vote on one comment (schema v8); `voter` and `network` are keyed hashes (src/votes/). */
export interface VotesTable {
  id: Generated<number>;
  comment_id: number;
  voter: string;
  network: string;
  value: number;
  created_at: number;
  updated_at: number;
}

export interface SettingsTable {
  key: string;
  value: string;
}

/** The columns both leased queues share (webmentions, outbox): see sql/leased-queue.ts. */
export interface LeasedQueueColumns {
  id: Generated<number>;
  status: string;
  attempts: Generated<number>;
  next_attempt_at: number;
  claimed_until: number | null;
}

export interface WebmentionsTable extends LeasedQueueColumns {
  token: string;
  source: string;
  target: string;
  reason: string | null;
  client_ip: string;
  user_agent: string;
  comment_id: number | null;
  created_at: number;
  updated_at: number;
}

export interface OutboxTable extends LeasedQueueColumns {
  channel: string;
  payload: string;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
}

export interface LinkbackLogTable {
  id: Generated<number>;
  kind: string;
  source: string;
  target: string;
  outcome: string;
  reason: string;
  ip: string;
  comment_id: number | null;
  created_at: number;
}

export interface SubscriptionsTable {
  id: Generated<number>;
  email: string;
  thread_id: number;
  confirmed: Flag;
  token_hash: string;
  created_at: number;
  /** The subscriber's language (schema v5): their reply mails are written in it. */
  lang: string | null;
}

export interface UsedActionTokensTable {
  nonce: string;
  used_at: number;
}

/** A post the owner sends linkbacks for; a leased job while status is 'pending' (src/send/). */
export interface SendPostsTable extends LeasedQueueColumns {
  source: string;
  title: string;
  excerpt: string;
  fingerprint: string | null;
  gone: Flag;
  last_error: string | null;
  feed_version: string | null;
  created_at: number;
  updated_at: number;
}

/** One link of such a post; a leased job while status is 'pending', then the receiver's answer. */
export interface SendLinksTable extends LeasedQueueColumns {
  post_id: number;
  target: string;
  protocol: string;
  endpoint: string | null;
  response: string;
  in_post: Flag;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
}

export interface Database {
  threads: ThreadsTable;
  comments: CommentsTable;
  settings: SettingsTable;
  webmentions: WebmentionsTable;
  outbox: OutboxTable;
  linkback_log: LinkbackLogTable;
  subscriptions: SubscriptionsTable;
  used_action_tokens: UsedActionTokensTable;
  send_posts: SendPostsTable;
  send_links: SendLinksTable;
  votes: VotesTable;
}
