/**
 * Writes that arrive together share one transaction (issue 15.1). Every write on a durable SQLite
 * connection (a generator transaction or a lone INSERT/UPDATE) is queued; the queue runs as ONE
 * `BEGIN IMMEDIATE … COMMIT`, then waits once for the disk (group-commit.ts). A comment's COMMIT
 * alone appends about ten full pages to the WAL (the table, eight indexes, the thread's version);
 * in one transaction the writes share those pages: measured ~120 µs a comment alone, ~23 µs in a
 * transaction of 16.
 *
 * Each item fails alone. A transaction item runs inside its own SAVEPOINT: if its work throws (a
 * constraint, an AppError), `ROLLBACK TO` undoes just that item and it is rejected with its own
 * error while the others go on. A lone statement needs no savepoint: SQLite undoes a failed
 * statement by itself and keeps the transaction (https://sqlite.org/lang_conflict.html, ABORT).
 * Errors that end the whole transaction (SQLITE_FULL, IOERR, NOMEM: https://sqlite.org/lang_transaction.html
 * "Response To Errors Within A Transaction") undo the items before it too: those are run again in
 * the next transaction (their work is re-runnable: nothing of it was kept), the failing one is rejected.
 * A failed COMMIT rejects every item that wrote: none of them is stored, none is acknowledged.
 *
 * When a batch runs: at setImmediate after the first write arrives, so everything the event loop
 * hands over in one pass (requests read from many sockets) joins it and a lone write waits only for
 * the end of that pass. While a disk sync runs, writes are held and committed the moment it ends,
 * right before the next sync starts (GroupCommit.beforeSync): they could not be durable sooner
 * anyway, and one larger transaction costs less than several small ones. While a checkpoint holds
 * the write gate, or a session (sql-session.ts: an import, the CLI) holds the connection between
 * BEGIN and COMMIT, they wait: a batch never runs inside a session.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { CommitDurability } from './commit-durability.js';

interface Item {
  /** Runs the write; synchronous, inside the batch's transaction. */
  work(): unknown;
  /** A multi-statement transaction: needs a savepoint to be undone alone. */
  atomic: boolean;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

type Outcome = { item: Item; ok: true; value: unknown; wrote: boolean } | { item: Item; ok: false; error: unknown };

export class WriteQueue {
  private readonly queue: Item[] = [];
  private scheduled = false;
  private flushing = false;
  private waitingForGate = false;
  private readonly sql;
  /** Settles once everything queued so far has been answered. */
  private last: Promise<unknown> = Promise.resolve();

  /**
   * `writes()` counts statements run that may have written (SqliteRunner's counter). `maxBatch`
   * bounds one transaction (its undo and WAL size; a larger burst becomes several transactions run
   * back to back in the same turn); the bench sets it to 1 to measure one transaction per write.
   */
  constructor(
    private readonly connection: BetterSqlite3.Database,
    private readonly durability: CommitDurability,
    private readonly writes: () => number,
    private readonly maxBatch = 500,
  ) {
    const prepare = (text: string) => connection.prepare(text);
    this.sql = {
      begin: prepare('BEGIN IMMEDIATE'), commit: prepare('COMMIT'), rollback: prepare('ROLLBACK'),
      savepoint: prepare('SAVEPOINT backtalk_item'), release: prepare('RELEASE backtalk_item'), undo: prepare('ROLLBACK TO backtalk_item'),
    };
    durability.beforeSync(() => this.flush(true));
  }

  /** Queues a write; resolves with what `work` returned once its commit is on disk (at once if it wrote nothing). */
  push<T>(work: () => T, atomic: boolean): Promise<T> {
    const promise = new Promise<T>((resolve, reject) => {
      this.queue.push({ work, atomic, resolve: resolve as (value: unknown) => void, reject });
    });
    this.last = promise.catch(() => undefined);
    this.schedule();
    return promise;
  }

  /** Resolves once every write queued so far has been answered (for close). */
  async settled(): Promise<void> {
    for (let last; last !== this.last;) {
      last = this.last;
      await last;
    }
  }

  /** A session let go of the connection: what waited for it may run. */
  sessionEnded(): void {
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush(false);
    });
  }

  /** `syncEnded`: called by GroupCommit between syncs, when holding on gains nothing. */
  private flush(syncEnded: boolean): void {
    if (this.flushing || this.queue.length === 0) return;
    if (this.durability.syncing && !syncEnded) return;
    this.flushing = true;
    try {
      // More than maxBatch waiting: several transactions, each after its own gate check (the
      // commit of one may start a checkpoint, which closes the gate).
      while (this.queue.length > 0 && this.mayWrite()) this.runBatch(this.queue.splice(0, this.maxBatch));
    } finally {
      this.flushing = false;
    }
  }

  /** True when a batch may run now, in this turn; else arranges to be flushed again when it may. */
  private mayWrite(): boolean {
    // A session's transaction is open: it calls sessionEnded() when done.
    if (this.connection.inTransaction) return false;
    let gate: Promise<void> | undefined;
    try {
      gate = this.durability.writeGate();
    } catch (err) {
      // Writes can no longer be made durable (a failed sync): none may be acknowledged.
      for (const item of this.queue.splice(0)) item.reject(err);
      return false;
    }
    if (!gate) return true;
    if (!this.waitingForGate) {
      this.waitingForGate = true;
      void gate.finally(() => {
        this.waitingForGate = false;
        this.schedule();
      });
    }
    return false;
  }

  /** One transaction for `batch`, in the same turn as the gate check above. */
  private runBatch(batch: Item[]): void {
    try {
      this.sql.begin.run();
    } catch (err) {
      // The write lock could not be had (another process held it past busy_timeout).
      for (const item of batch) item.reject(err);
      return;
    }
    const outcomes: Outcome[] = [];
    for (let i = 0; i < batch.length; i++) {
      const outcome = this.runItem(batch[i]!);
      if (!outcome.ok && !this.connection.inTransaction) {
        // The error ended the whole transaction: the items before this one were undone with it.
        outcome.item.reject(outcome.error);
        for (const o of outcomes) if (!o.ok) o.item.reject(o.error);
        this.queue.unshift(...outcomes.filter((o) => o.ok).map((o) => o.item), ...batch.slice(i + 1));
        this.schedule();
        return;
      }
      outcomes.push(outcome);
    }
    const written = outcomes.filter((o) => o.ok && o.wrote).length;
    try {
      this.sql.commit.run();
    } catch (err) {
      if (this.connection.inTransaction) this.sql.rollback.run();
      for (const o of outcomes) {
        if (!o.ok) o.item.reject(o.error);
        else if (o.wrote) o.item.reject(err);
        else o.item.resolve(o.value);
      }
      return;
    }
    const durable = written > 0 ? this.durability.committed(written) : undefined;
    for (const o of outcomes) {
      if (!o.ok) o.item.reject(o.error);
      else if (o.wrote && durable) durable.then(() => o.item.resolve(o.value), o.item.reject);
      else o.item.resolve(o.value);
    }
  }

  private runItem(item: Item): Outcome {
    const before = this.writes();
    if (!item.atomic) {
      try {
        return { item, ok: true, value: item.work(), wrote: this.writes() !== before };
      } catch (error) {
        return { item, ok: false, error };
      }
    }
    this.sql.savepoint.run();
    try {
      const value = item.work();
      this.sql.release.run();
      return { item, ok: true, value, wrote: this.writes() !== before };
    } catch (error) {
      if (this.connection.inTransaction) {
        this.sql.undo.run();
        this.sql.release.run();
      }
      return { item, ok: false, error };
    }
  }
}
