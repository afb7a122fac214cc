/**
 * The storage interface the rest of src/ sees. Async although better-sqlite3 is synchronous, so a
 * PostgreSQL backend can implement it without caller changes. Query-shaped methods only: no SQL
 * leaves store/. Every backend runs tests/store/repository-contract.ts.
 */
import type { SendLink, SendPost, SendProtocolName } from '../domain/send.js';
import type { ThreadPage, ThreadPageRequest } from '../domain/thread-page.js';
import type { Comment, CommentStatus, EditedBy, LinkbackLogEntry, MentionType, NewComment, Thread, WebmentionJob, WebmentionStatus } from '../domain/comment.js';

export type InsertResult =
  | { kind: 'inserted'; comment: Comment }
  /** A linkback from the same normalized source to the same thread already exists. */
  | { kind: 'duplicate-linkback'; existing: Comment };

/** The thread a new comment goes to (undefined until something is stored there), and whether it repeats one. */
export interface ThreadForComment {
  thread: Thread | undefined;
  repeated: boolean;
}

export interface CommentEdit {
  author: string;
  url: string;
  bodyRaw: string;
  bodyHtml: string;
  status: CommentStatus;
  reasons: string[];
  edited: Date;
  /** Who made the edit (schema v8); shown as "edited by a moderator" when the owner did. */
  editedBy: EditedBy;
}

export interface LinkbackUpdate {
  author: string;
  url: string;
  title: string;
  bodyRaw: string;
  bodyHtml: string;
  mentionType: MentionType | null;
  authorPhoto: string | null;
  /** Decided again for the new content (issue 14: an update never stays approved on its first version's merit). */
  status: CommentStatus;
  reasons: string[];
  edited: Date;
}

/** Fields the admin search can look in; without one it looks in all of them. */
export type CommentSearchField = 'text' | 'author' | 'email' | 'ip' | 'source';
export const COMMENT_SEARCH_FIELDS: readonly CommentSearchField[] = ['text', 'author', 'email', 'ip', 'source'];

/** Admin search: a substring, case-insensitive (Unicode lower case), of one field or of any. */
export interface CommentSearch {
  q: string;
  field?: CommentSearchField;
  status?: CommentStatus;
}

/** A thread with how many comments (deleted placeholders included) it holds in each status. */
export interface ThreadSummary extends Thread {
  counts: Record<CommentStatus, number>;
}

export interface NewWebmentionJob {
  token: string;
  source: string;
  target: string;
  clientIp: string;
  userAgent: string;
  now: Date;
}

/** How many jobs may wait per client key (lib/ip clientLimitKey) and per source host. */
export interface WebmentionQueueCaps {
  perClient: number;
  perSourceHost: number;
}

/** A job was queued (or the same one was already waiting), or a cap said no. */
export type WebmentionEnqueueResult = { kind: 'queued'; job: WebmentionJob } | { kind: 'full'; scope: 'client' | 'source-host' };

/** The durable Webmention queue. Claims are leases, so a crashed worker's jobs come back. */
export interface WebmentionRepository {
  /** A new pending job, or the still-unclaimed pending job for the same source and target. */
  enqueue(job: NewWebmentionJob): Promise<WebmentionJob>;
  /** `enqueue`, unless the client or the source host already has `caps` jobs waiting. */
  enqueueWithin(job: NewWebmentionJob, caps: WebmentionQueueCaps): Promise<WebmentionEnqueueResult>;
  findByToken(token: string): Promise<WebmentionJob | undefined>;
  /** Atomically leases up to `limit` due jobs (pending, next attempt due, lease free or expired). */
  claimDue(now: Date, limit: number, leaseMs: number): Promise<WebmentionJob[]>;
  finish(id: number, result: { status: Exclude<WebmentionStatus, 'pending'>; reason: string; commentId: number | null; now: Date }): Promise<void>;
  /** `refund` gives the attempt back (our own fetch limits were busy: the source was never asked). */
  retryLater(id: number, result: { reason: string; nextAttemptAt: Date; now: Date; refund?: boolean }): Promise<void>;
  /** Pending jobs whose attempt is due at `now` or earlier (queue depth for drain and metrics). */
  countDue(now: Date): Promise<number>;
}

export interface LinkbackLogRepository {
  record(entry: Omit<LinkbackLogEntry, 'id'>): Promise<void>;
  list(page: { limit: number; before?: number }): Promise<LinkbackLogEntry[]>;
}

export interface ThreadRepository {
  /** The thread for a normalized target, created on first use. */
  ensure(target: string, now: Date): Promise<Thread>;
  findByTarget(target: string): Promise<Thread | undefined>;
  findById(id: number): Promise<Thread | undefined>;
  setClosed(id: number, what: { comments?: boolean; linkbacks?: boolean }): Promise<void>;
  /**
   * Records the post's title unless one is known already (issue 16.5: the first reader's page title
   * or the fetched page never overwrites a known title). True when this call set it.
   */
  setTitleIfUnknown(id: number, title: string): Promise<boolean>;
  /** Newest first, paged by an id cursor; `q` keeps threads whose target or title contains it. */
  list(page: { limit: number; before?: number; q?: string }): Promise<ThreadSummary[]>;
}

export interface CommentRepository {
  /** With `outbox`, the plan's rows are written in the same transaction as the comment (transactional outbox). */
  insert(comment: NewComment, outbox?: OutboxPlan): Promise<InsertResult>;
  findById(id: number): Promise<Comment | undefined>;
  /**
   * Approved comments of a thread, oldest first, plus deleted placeholders that still have approved
   * replies; pinned top-level comments come before all other top-level ones (contract v1.1).
   */
  listVisible(threadId: number): Promise<Comment[]>;
  /**
   * One page of a thread (contract v1.1): `limit` top-level items in the asked order, each followed
   * by all of its shown replies; the same items listVisible shows, paged in SQL by a keyset cursor.
   */
  listPage(threadId: number, page: ThreadPageRequest): Promise<ThreadPage>;
  /** A thread's shown reader comments (approved, not deleted; linkbacks not counted): the heading's number. */
  countComments(threadId: number): Promise<number>;
  /** Approved, not deleted, per normalized target; targets without a thread are absent. */
  countVisible(targets: readonly string[]): Promise<Map<string, number>>;
  /**
   * An opaque tag per normalized target whose thread readers can see (it has at least one approved
   * row); absent otherwise, as for a target with no thread. It changes whenever anything readers see
   * of the thread may change (an approved row inserted, edited, deleted, moved into or out of
   * approved; the thread's title or closed flags), from any writer, and never for a held, spam or
   * trashed comment alone. For ETags: one indexed read, no comment rows.
   */
  threadVersions(targets: readonly string[]): Promise<Map<string, string>>;
  /** Newest first; `before` is an id cursor for the next page. */
  listByStatus(status: CommentStatus, page: { limit: number; before?: number }): Promise<Comment[]>;
  /** The admin queue sizes: every status is present, 0 when empty. Same rows as listByStatus. */
  countByStatus(): Promise<Record<CommentStatus, number>>;
  /** Admin search, newest first, paged like listByStatus. */
  search(query: CommentSearch, page: { limit: number; before?: number }): Promise<Comment[]>;
  findLinkback(threadId: number, sourceKey: string): Promise<Comment | undefined>;
  /** Same author (e-mail, else name) saying the same thing on the same thread: WordPress's duplicate check. */
  hasSameBody(threadId: number, author: string, email: string, bodyRaw: string): Promise<boolean>;
  /**
   * A new comment's thread (threads.findByTarget) and hasSameBody on it, in one read: the two
   * questions asked before every new comment is rendered and judged.
   */
  findThreadForComment(target: string, author: string, email: string, bodyRaw: string): Promise<ThreadForComment>;
  /** First-time moderation: has this author ever had a comment approved? */
  hasApprovedFrom(email: string, author: string): Promise<boolean>;
  edit(id: number, edit: CommentEdit, outbox?: OutboxPlan): Promise<Comment | undefined>;
  setStatus(id: number, status: CommentStatus, outbox?: OutboxPlan): Promise<Comment | undefined>;
  /** The owner's pin (or unpin) of a comment; undefined when there is no such comment. */
  setPinned(id: number, pinned: boolean): Promise<Comment | undefined>;
  /** Webmention §3.2.4: a re-sent mention updates the stored one in place. */
  updateLinkback(id: number, update: LinkbackUpdate, outbox?: OutboxPlan): Promise<Comment | undefined>;
  /** Removes a comment; one with replies stays as a placeholder so the replies keep their place. */
  remove(id: number, outbox?: OutboxPlan): Promise<'removed' | 'placeholder' | 'missing'>;
}

/** A reader's vote: 1 like, -1 dislike, 0 withdraws the one they gave. */
export type VoteValue = -1 | 0 | 1;

export interface VoteRequest {
  commentId: number;
  /** Keyed hash of the reader's voter id (or of their address when they sent none). */
  voter: string;
  /** Keyed hash of the client's network (lib/ip clientLimitKey): the per-network cap counts it. */
  network: string;
  value: VoteValue;
  /** How many different voters of one network may hold a vote on one comment. */
  perNetwork: number;
  now: Date;
}

export type VoteOutcome =
  | { kind: 'counted'; likes: number; dislikes: number; target: string }
  /** Not there, not approved, or a deleted placeholder: nothing a reader can vote on. */
  | { kind: 'no-comment' }
  /** A new voter from a network that already holds `perNetwork` votes on the comment. */
  | { kind: 'network-full' };

export interface VoteRepository {
  /**
   * Records, changes or withdraws one voter's vote and updates the comment's likes and dislikes in
   * the same transaction, so the counts always equal the votes table.
   */
  cast(vote: VoteRequest): Promise<VoteOutcome>;
}

export interface SettingsRepository {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  /**
   * Stores `value` unless the key already has one, and answers the value stored now: the first writer
   * wins, also across processes, so instances starting together agree on a generated secret.
   */
  setIfAbsent(key: string, value: string): Promise<string>;
}

export type OutboxChannel = 'mail' | 'webhook';
export type OutboxStatus = 'pending' | 'sent' | 'failed';

/** One queued delivery (an e-mail or a webhook call); `payload` is plain JSON data. */
export interface OutboxItem {
  id: number;
  channel: OutboxChannel;
  payload: Record<string, unknown>;
  status: OutboxStatus;
  /** Attempts started so far, counting the one a fresh claim just began. */
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  created: Date;
  sent: Date | null;
}

/** The durable outbox for mail and webhooks. Claims are leases, so a crashed worker's items come back. */
/** A delivery to queue: what OutboxRepository.enqueue takes, without the time. */
export interface NewOutboxItem {
  channel: OutboxChannel;
  payload: Record<string, unknown>;
}

/**
 * The notification rows a comment write causes, decided from the comment as written (inside the
 * write's transaction, so the rows commit or vanish with it). Synchronous on purpose: SQLite runs
 * the transaction without yielding to the event loop, so nothing here may wait for anything.
 */
export interface OutboxPlan {
  /** When the rows are queued (due at once). */
  readonly now: Date;
  /** Whether `rows` needs the thread's confirmed subscribers (read in the same transaction). */
  readsSubscribers(comment: Comment): boolean;
  /** `postTitle`: the thread's title as the same transaction reads it (issue 16.5), or null. */
  rows(comment: Comment, subscribers: readonly Subscription[], postTitle: string | null): NewOutboxItem[];
  /** Called after the commit when rows were written (wakes the outbox worker). */
  written(): void;
}

export interface OutboxRepository {
  enqueue(item: { channel: OutboxChannel; payload: Record<string, unknown>; now: Date }): Promise<OutboxItem>;
  findById(id: number): Promise<OutboxItem | undefined>;
  /** Atomically leases up to `limit` due items (pending, attempt due, lease free or expired), counting an attempt. */
  claimDue(now: Date, limit: number, leaseMs: number): Promise<OutboxItem[]>;
  markSent(id: number, now: Date): Promise<void>;
  retryLater(id: number, result: { error: string; nextAttemptAt: Date }): Promise<void>;
  /** Gives up: the item stays, `failed`, with its last error, for the owner to see. */
  markFailed(id: number, error: string): Promise<void>;
  /**
   * The owner's "retry": a failed item becomes pending again, due at `now`, with a fresh count of
   * attempts (its last error kept until the next try). Undefined when there is no such failed item.
   */
  retryFailed(id: number, now: Date): Promise<OutboxItem | undefined>;
  /** Pending items whose attempt is due at `now` or earlier. */
  countDue(now: Date): Promise<number>;
  /** Newest first. */
  listByStatus(status: OutboxStatus, limit: number): Promise<OutboxItem[]>;
}

/** A reader's request to hear of replies in one thread; `confirmed` once the address clicked the link. */
export interface Subscription {
  id: number;
  email: string;
  threadId: number;
  confirmed: boolean;
  tokenHash: string;
  created: Date;
  /** The subscriber's language (a LOCALES key), when known: their reply mails are written in it. */
  lang?: string;
}

export interface SubscriptionRepository {
  /**
   * Records an unconfirmed request, or renews the token of an unconfirmed one. A confirmed row is
   * returned as it is (`renewed: false`), so asking again never un-confirms anybody.
   */
  request(email: string, threadId: number, tokenHash: string, now: Date, lang?: string | null): Promise<{ subscription: Subscription; renewed: boolean }>;
  findById(id: number): Promise<Subscription | undefined>;
  findByEmail(email: string, threadId: number): Promise<Subscription | undefined>;
  confirm(id: number): Promise<boolean>;
  remove(id: number): Promise<boolean>;
  listConfirmed(threadId: number): Promise<Subscription[]>;
}

/** One-click links work once: the first use of a nonce wins. */
export interface UsedTokenRepository {
  /** True the first time `nonce` is used, false ever after. */
  use(nonce: string, now: Date): Promise<boolean>;
}

/** A thread as import and export move it: no id, since ids are the receiving database's own. */
export interface TransferThread {
  /** Normalized target URL. */
  target: string;
  title: string | null;
  commentsClosed: boolean;
  linkbacksClosed: boolean;
  created: Date;
}

/**
 * A comment as import and export move it. `key` is its import key (format + stable id in the source,
 * e.g. `wxr:<post link>#<comment_id>`), unique in the database, so importing the same file twice adds
 * nothing; `parentKey` names the parent by its key, so a parent may come anywhere in the file.
 */
export interface TransferComment extends Omit<NewComment, 'threadId' | 'parent'> {
  key: string;
  parentKey: string | null;
  target: string;
  deleted: boolean;
  edited: Date | null;
  /** Schema v8 (issue 17.3); absent in other formats and older exports. */
  editedBy?: Comment['editedBy'];
  pinned?: boolean;
}

/** A stored comment on its way out: its id and parent id in this database, and its key. */
export interface ExportedComment extends TransferComment {
  id: number;
  threadId: number;
  parent: number | null;
}

export interface ImportCounts {
  threads: number;
  comments: number;
  /** Comments whose key was already in the database (imported before). */
  skipped: number;
}

/** One import, all or nothing: nothing is visible to others until commit, and rollback leaves no trace. */
export interface ImportSession {
  importBatch(batch: { threads: readonly TransferThread[]; comments: readonly TransferComment[] }): Promise<ImportCounts>;
  /** Links every imported reply to its parent by key (wherever the parent came in the file), then commits. */
  commit(): Promise<ImportCounts>;
  rollback(): Promise<void>;
}

export interface PersonalData {
  email: string;
  comments: Comment[];
  subscriptions: Array<{ target: string; confirmed: boolean; created: Date }>;
}

export type EraseMode = 'anonymize' | 'remove';

export interface EraseResult {
  /** anonymize: comments rewritten; remove: comments deleted outright. */
  comments: number;
  /** remove: comments kept as blank placeholders because they have replies. */
  placeholders: number;
  subscriptions: number;
}

/** Bulk moves in and out of the store: import, export, personal-data requests, purging. */
export interface TransferRepository {
  beginImport(): Promise<ImportSession>;
  /** Every thread, by id, read in pages so memory stays flat. */
  exportThreads(): AsyncIterable<Thread>;
  /**
   * Every comment, by id (or grouped by thread, then by id); a comment without an import key gets
   * the key `json:<instance>#<id>`.
   */
  exportComments(instance: string, order?: 'id' | 'thread'): AsyncIterable<ExportedComment>;
  counts(): Promise<{ threads: number; comments: number }>;
  /**
   * Runs `work` on one read snapshot, so an export taken while the server writes is consistent.
   * Only for a store the caller has to itself (the CLI): other callers' writes on the same
   * connection in the meantime would fail. Optional: without it an export reads page by page.
   */
  readSnapshot?<T>(work: () => Promise<T>): Promise<T>;
  /** Everything stored about one e-mail address (compared case-insensitively). */
  personalData(email: string): Promise<PersonalData>;
  /** `dryRun`: does the whole erase in a transaction that is rolled back, answering what it would change. */
  erasePersonalData(email: string, mode: EraseMode, opts?: { dryRun?: boolean }): Promise<EraseResult>;
  /** Deletes comments with one of `statuses` created before `before`; answers how many (`dryRun`: counts them only). */
  purge(statuses: readonly CommentStatus[], before: Date, opts?: { dryRun?: boolean }): Promise<number>;
}

/** What one reading of a post changes, decided by src/send/ from the links already recorded. */
export interface ScanPlan {
  post: { status: 'done' | 'failed'; title: string; excerpt: string; fingerprint: string | null; gone: boolean; lastError: string | null };
  /** New links: queued for a first send, or recorded as failed without sending (with the reason). */
  insert: Array<{ target: string; state: 'queued' | 'failed'; response: string }>;
  /** Recorded links to send again now (Webmention updates and deletes). */
  requeue: number[];
  /** Recorded links whose presence in the post changed. */
  inPost: Array<{ id: number; inPost: boolean }>;
}

/** A leased job queue as the job worker drives it. */
export interface SendQueue<J> {
  claimDue(now: Date, limit: number, leaseMs: number): Promise<J[]>;
  countDue(now: Date): Promise<number>;
}

/** The posts the owner sends linkbacks for, and each of their links (src/send/). */
export interface SendRepository {
  /**
   * Queues the post at `source` to be read (again); a post already waiting is left as it is.
   * `feedVersion` records which version of a feed entry asked for it.
   */
  request(source: string, now: Date, feedVersion?: string): Promise<SendPost>;
  findPost(id: number): Promise<SendPost | undefined>;
  findPostBySource(source: string): Promise<SendPost | undefined>;
  /** Newest first. */
  listPosts(page: { limit: number; before?: number }): Promise<SendPost[]>;
  /** In the order they were first found. */
  listLinks(postId: number): Promise<SendLink[]>;
  findLink(id: number): Promise<SendLink | undefined>;
  posts: SendQueue<SendPost>;
  links: SendQueue<SendLink>;
  /** Reads the post's links and applies `decide`'s plan to them and the post, in one transaction. */
  applyScan(postId: number, now: Date, decide: (links: SendLink[]) => ScanPlan): Promise<void>;
  retryPost(id: number, r: { error: string; nextAttemptAt: Date; now: Date; refund?: boolean }): Promise<void>;
  finishLink(id: number, r: { state: 'sent' | 'failed'; protocol: SendProtocolName; endpoint: string | null; response: string; now: Date }): Promise<void>;
  retryLink(id: number, r: { response: string; nextAttemptAt: Date; now: Date; refund?: boolean; protocol?: SendProtocolName; endpoint?: string | null }): Promise<void>;
  /** Queues one recorded link to be sent again now. */
  requeueLink(id: number, now: Date): Promise<SendLink | undefined>;
}

export interface Store {
  threads: ThreadRepository;
  comments: CommentRepository;
  settings: SettingsRepository;
  webmentions: WebmentionRepository;
  linkbackLog: LinkbackLogRepository;
  outbox: OutboxRepository;
  subscriptions: SubscriptionRepository;
  usedTokens: UsedTokenRepository;
  transfer: TransferRepository;
  sends: SendRepository;
  votes: VoteRepository;
  /** A consistent copy of the whole database at `file`, taken while the server keeps running. */
  backup(file: string): Promise<void>;
  /** Cheap liveness query for /healthz. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
  /**
   * Gives caches the store can rebuild back to the system, for an idle server (SQLite: the
   * connection's page cache, `PRAGMA shrink_memory`). Absent for PostgreSQL, whose caches are the
   * database server's.
   */
  releaseMemory?(): void;
  /**
   * Set by the PostgreSQL backend: its connection pool, so state that several instances must share
   * (the submission rate limits) is kept in the same database. Absent for SQLite (one process).
   */
  readonly sharedPool?: import('pg').Pool;
}
