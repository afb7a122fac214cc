/**
 * Group commit: many commits, one disk sync. A commit asks for durability right after it returns;
 * one sync runs at a time, and every commit that finished before a sync started is covered by it
 * (the WAL is written in commit order, so syncing the file covers every frame written so far). The
 * commits that arrive while a sync runs wait together for the next one. A commit may hold many
 * writes (the SQLite runner's batches, write-queue.ts): the stats count both, so a test or the bench
 * can tell that writes were batched into transactions and transactions into syncs.
 */

interface Waiters {
  promise: Promise<void>;
  resolve(): void;
  reject(err: Error): void;
  commits: number;
}

function waiters(): Waiters {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A caller that gave up (its request was cut off) must not turn a failed sync into an unhandled rejection.
  promise.catch(() => undefined);
  return { promise, resolve, reject, commits: 0 };
}

export interface GroupCommitStats {
  /** Commits (transactions) that asked for durability. */
  commits: number;
  /** Writes those commits held (a batch of writes is one commit). */
  items: number;
  /** Most writes one commit held. */
  largestTransaction: number;
  /** Disk syncs that covered them. */
  syncs: number;
  /** Most commits one sync covered. */
  largestGroup: number;
}

export class GroupCommit {
  private running: Waiters | undefined;
  private next: Waiters | undefined;
  private failed: Error | undefined;
  private driving = false;
  /** Called right before each sync starts and once after the last (see beforeSync). */
  private collect: (() => void) | undefined;
  readonly stats: GroupCommitStats = { commits: 0, items: 0, largestTransaction: 0, syncs: 0, largestGroup: 0 };

  /** `sync` makes every write done before it was called durable (fdatasync of the -wal file). */
  constructor(private readonly sync: () => Promise<void>) {}

  /**
   * Call synchronously right after a commit of `items` writes: resolves once that commit is on disk.
   * After a failed sync every later call fails too, as PostgreSQL stops on a failed WAL fsync: the
   * kernel may have dropped the dirty pages, so a later sync that succeeds proves nothing about the
   * earlier writes.
   */
  committed(items = 1): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    this.stats.commits += 1;
    this.stats.items += items;
    this.stats.largestTransaction = Math.max(this.stats.largestTransaction, items);
    this.next ??= waiters();
    this.next.commits += 1;
    const { promise } = this.next;
    if (!this.driving) void this.drive();
    return promise;
  }

  /**
   * `collect` runs synchronously whenever a sync is about to start or has just ended with none to
   * follow: a writer that held its writes while a sync ran commits them there, so the next sync
   * covers them (and they can become durable no sooner anyway).
   */
  beforeSync(collect: () => void): void {
    this.collect = collect;
  }

  /** True while a disk sync runs: a commit made now waits for the next one anyway. */
  get syncing(): boolean {
    return this.running !== undefined;
  }

  /** The error of a failed sync: from then on nothing is acknowledged. */
  get failure(): Error | undefined {
    return this.failed;
  }

  /** True while a sync runs or commits wait for one. */
  get busy(): boolean {
    return this.running !== undefined || this.next !== undefined;
  }

  /** Resolves once every commit reported so far is on disk (or its sync failed); at once when idle. */
  settled(): Promise<void> {
    const last = this.next ?? this.running;
    return last ? last.promise.catch(() => undefined) : Promise.resolve();
  }

  private async drive(): Promise<void> {
    this.driving = true;
    for (;;) {
      this.running = undefined;
      this.collect?.();
      const group = this.next;
      if (!group) break;
      this.next = undefined;
      this.running = group;
      this.stats.syncs += 1;
      this.stats.largestGroup = Math.max(this.stats.largestGroup, group.commits);
      try {
        await this.sync();
        group.resolve();
      } catch (err) {
        this.failed = err instanceof Error ? err : new Error(String(err));
        group.reject(this.failed);
        // Commits that arrived during the failed sync: they can no longer be made durable either.
        (this.next as Waiters | undefined)?.reject(this.failed);
        this.next = undefined;
      }
    }
    this.driving = false;
  }
}
