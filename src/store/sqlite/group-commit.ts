/**
 * Group commit: many commits, one disk sync. A commit asks for durability right after it returns;
 * one sync runs at a time, and every commit that finished before a sync started is covered by it
 * (the WAL is written in commit order, so syncing the file covers every frame written so far). The
 * commits that arrive while a sync runs wait together for the next one. Each commit stays its own
 * transaction, so one item's constraint failure never touches another's.
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
  /** Commits that asked for durability. */
  commits: number;
  /** Disk syncs that covered them. */
  syncs: number;
  /** Most commits one sync covered. */
  largestGroup: number;
}

export class GroupCommit {
  private running: Waiters | undefined;
  private next: Waiters | undefined;
  private failed: Error | undefined;
  readonly stats: GroupCommitStats = { commits: 0, syncs: 0, largestGroup: 0 };

  /** `sync` makes every write done before it was called durable (fdatasync of the -wal file). */
  constructor(private readonly sync: () => Promise<void>) {}

  /**
   * Call synchronously right after a commit: resolves once that commit is on disk. After a failed
   * sync every later call fails too, as PostgreSQL stops on a failed WAL fsync: the kernel may have
   * dropped the dirty pages, so a later sync that succeeds proves nothing about the earlier writes.
   */
  committed(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    this.stats.commits += 1;
    this.next ??= waiters();
    this.next.commits += 1;
    const { promise } = this.next;
    if (!this.running) void this.drive();
    return promise;
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
    while (this.next) {
      const group = this.next;
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
    this.running = undefined;
  }
}
