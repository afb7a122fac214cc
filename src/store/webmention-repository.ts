/**
 * The durable Webmention queue, for both databases: bounded per client and per source host when a
 * job is queued, and claimed fairly, so one host's never-ending sources cannot take every worker.
 */
import type { WebmentionJob } from '../domain/comment.js';
import { clientLimitKey } from '../lib/ip.js';
import { LeasedQueue } from './leased-queue.js';
import type { NewWebmentionJob, WebmentionEnqueueResult, WebmentionQueueCaps, WebmentionRepository } from './repository.js';
import { toWebmentionJob, type WebmentionRow } from './rows/webmention-row.js';
import { LIMIT_ONE, literalLimit } from './sql/literal-limit.js';
import { all, first, lock, type SqlRunner, type TxWork } from './sql/sql-runner.js';

/**
 * Jobs of one source host in flight at once: a host whose pages never finish loading holds at most
 * this many workers, so a mention from any other host finds one free (the worker runs 4).
 */
export const IN_FLIGHT_PER_SOURCE_HOST = 2;
/** Due jobs looked at per claim, oldest first, when choosing fairly among them. */
const CLAIM_WINDOW = 200;

/** `host[:port]` of a source URL (queued sources are absolute http(s) URLs). */
export function sourceHost(source: string): string {
  try {
    return new URL(source).host.toLowerCase();
  } catch {
    return source;
  }
}

export class SqlWebmentionRepository implements WebmentionRepository {
  private readonly queue: LeasedQueue<WebmentionRow, WebmentionJob>;

  constructor(private readonly sql: SqlRunner) {
    this.queue = new LeasedQueue(sql, 'webmentions', toWebmentionJob);
  }

  enqueue(job: NewWebmentionJob): Promise<WebmentionJob> {
    return this.sql.transaction(() => this.enqueueWork(job));
  }

  enqueueWithin(job: NewWebmentionJob, caps: WebmentionQueueCaps): Promise<WebmentionEnqueueResult> {
    return this.sql.transaction(() => this.enqueueWithinWork(job, caps));
  }

  private *enqueueWithinWork(job: NewWebmentionJob, caps: WebmentionQueueCaps): TxWork<WebmentionEnqueueResult> {
    const { db } = this.sql;
    // Counted from the waiting jobs themselves (not a counter that could drift): per client key
    // (an IPv6 /64 is one client) and per source host. Instances on one PostgreSQL database may
    // overshoot by a job or two when they count at the same moment; the caps are a bound, not a quota.
    const waiting = yield* all(db.selectFrom('webmentions').select(['source', 'client_ip']).where('status', '=', 'pending'));
    const client = clientLimitKey(job.clientIp);
    const host = sourceHost(job.source);
    let fromClient = 0;
    let fromHost = 0;
    for (const w of waiting) {
      if (clientLimitKey(w.client_ip) === client) fromClient += 1;
      if (sourceHost(w.source) === host) fromHost += 1;
    }
    if (fromClient >= caps.perClient) return { kind: 'full', scope: 'client' };
    if (fromHost >= caps.perSourceHost) return { kind: 'full', scope: 'source-host' };
    return { kind: 'queued', job: yield* this.enqueueWork(job) };
  }

  private *enqueueWork(job: NewWebmentionJob): TxWork<WebmentionJob> {
    const db = this.sql.db;
    // Two instances receiving the same mention at once must end up with one waiting job: the lock
    // on the (source, target) pair serializes the look-then-insert.
    yield* lock(`webmention\n${job.source}\n${job.target}`);
    const waiting = yield* first(db.selectFrom('webmentions').selectAll()
      .where('source', '=', job.source).where('target', '=', job.target).where('status', '=', 'pending')
      .where('claimed_until', 'is', null).where('attempts', '=', 0).limit(LIMIT_ONE));
    if (waiting) return toWebmentionJob(waiting);
    const now = job.now.getTime();
    const inserted = yield* first(db.insertInto('webmentions').values({
      token: job.token, source: job.source, target: job.target, status: 'pending', next_attempt_at: now,
      client_ip: job.clientIp, user_agent: job.userAgent, created_at: now, updated_at: now,
    }).returningAll());
    return toWebmentionJob(inserted!);
  }

  async findByToken(token: string): Promise<WebmentionJob | undefined> {
    const row = await this.sql.first(this.sql.db.selectFrom('webmentions').selectAll().where('token', '=', token));
    return row && toWebmentionJob(row);
  }

  claimDue(now: Date, limit: number, leaseMs: number): Promise<WebmentionJob[]> {
    return this.sql.transaction(() => this.claimFairlyWork(now, limit, leaseMs));
  }

  /**
   * Leases up to `limit` due jobs, oldest first, but: a source host never holds more than
   * IN_FLIGHT_PER_SOURCE_HOST workers, and jobs of hosts and clients with nothing in flight go
   * before those of hosts and clients already being served (round robin rather than FIFO, so a
   * burst from one sender is interleaved with everybody else's mentions).
   */
  private *claimFairlyWork(now: Date, limit: number, leaseMs: number): TxWork<WebmentionJob[]> {
    const { db, dialect } = this.sql;
    const t = now.getTime();
    const inFlight = yield* all(db.selectFrom('webmentions').select(['source', 'client_ip'])
      .where('status', '=', 'pending').where('claimed_until', '>=', t));
    const due = yield* all(db.selectFrom('webmentions').select(['id', 'source', 'client_ip'])
      .where('status', '=', 'pending').where('next_attempt_at', '<=', t)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', t)]))
      .orderBy('next_attempt_at').orderBy('id').limit(literalLimit(CLAIM_WINDOW))
      .$if(dialect.rowLocks, (q) => q.forUpdate().skipLocked()));
    const hosts = new Map<string, number>();
    const clients = new Map<string, number>();
    const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
    for (const r of inFlight) {
      bump(hosts, sourceHost(r.source));
      bump(clients, clientLimitKey(r.client_ip));
    }
    const candidates = due.map((r) => ({ id: r.id, host: sourceHost(r.source), client: clientLimitKey(r.client_ip) }));
    const picked: number[] = [];
    while (picked.length < limit) {
      // The least-served candidate (hosts and clients with fewest in flight), oldest among equals.
      let best: (typeof candidates)[number] | undefined;
      let bestLoad = Infinity;
      for (const c of candidates) {
        if (picked.includes(c.id) || (hosts.get(c.host) ?? 0) >= IN_FLIGHT_PER_SOURCE_HOST) continue;
        const load = (hosts.get(c.host) ?? 0) + (clients.get(c.client) ?? 0);
        if (load < bestLoad) {
          best = c;
          bestLoad = load;
        }
      }
      if (!best) break;
      picked.push(best.id);
      bump(hosts, best.host);
      bump(clients, best.client);
    }
    if (picked.length === 0) return [];
    const rows = yield* all(db.updateTable('webmentions')
      .set((eb) => ({ claimed_until: t + leaseMs, attempts: eb('attempts', '+', 1) }))
      .where('id', 'in', picked).returningAll());
    const order = new Map(picked.map((id, i) => [id, i]));
    return rows.map(toWebmentionJob).sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  }

  async finish(id: number, r: { status: 'accepted' | 'rejected'; reason: string; commentId: number | null; now: Date }): Promise<void> {
    await this.sql.run(this.sql.db.updateTable('webmentions').set({
      status: r.status, reason: r.reason, comment_id: r.commentId, claimed_until: null, updated_at: r.now.getTime(),
    }).where('id', '=', id));
  }

  async retryLater(id: number, r: { reason: string; nextAttemptAt: Date; now: Date; refund?: boolean }): Promise<void> {
    await this.sql.run(this.sql.db.updateTable('webmentions').set((eb) => ({
      reason: r.reason, next_attempt_at: r.nextAttemptAt.getTime(), claimed_until: null, updated_at: r.now.getTime(),
      attempts: eb('attempts', '-', r.refund ? 1 : 0),
    })).where('id', '=', id));
  }

  countDue(now: Date): Promise<number> {
    return this.queue.countDue(now);
  }
}
