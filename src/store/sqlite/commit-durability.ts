/**
 * How commits become durable when the connection does not sync at COMMIT itself (synchronous=NORMAL).
 * Without one, the connection's own synchronous=FULL makes every COMMIT durable before it returns.
 */
export interface CommitDurability {
  /**
   * Undefined: a write may start now; else it waits for the promise (a checkpoint) and asks again.
   * Throws once writes can no longer be made durable (a failed sync).
   */
  writeGate(): Promise<void> | undefined;
  /** Call synchronously right after a commit of `items` writes: resolves once it is on disk. */
  committed(items?: number): Promise<void>;
  /** Resolves once every commit reported so far is on disk (or its sync failed). */
  synced(): Promise<void>;
  /** True while a disk sync runs (a commit made now waits for the next sync anyway). */
  readonly syncing: boolean;
  /** `collect` is called synchronously right before each sync starts, and after the last one ends. */
  beforeSync(collect: () => void): void;
  /**
   * A number that moves whenever any connection to the database file commits (this one or another
   * process's), read without SQLite; undefined when it cannot be told (then ask PRAGMA data_version).
   */
  commits?(): number | undefined;
}
