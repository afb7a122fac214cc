/**
 * Durability of a SQLite connection in WAL mode without waiting for the disk on the event loop.
 *
 * The connection runs with synchronous=NORMAL: a COMMIT only write()s its frames to the -wal file,
 * which survives a killed process (the page cache is the kernel's) but not a power cut. A write is
 * acknowledged only after an fdatasync of the -wal file has finished on the libuv thread pool, and
 * one such sync covers every commit made before it started (group commit, see group-commit.ts);
 * the writes themselves are batched into few commits by write-queue.ts.
 *
 * Checkpoints are ours too (wal_autocheckpoint=0): SQLite's automatic one would run inside a commit
 * on the event loop and sync twice there. One starts when the WAL holds `checkpointFrames` frames
 * (pages written: wal-frames.ts), whatever number of commits wrote them. It closes a gate to new
 * writes (readers go on), waits until every commit so far is synced in the WAL, has a worker
 * thread's own connection copy the WAL into the database file with synchronous=OFF (page-cache
 * writes only; checkpoint-worker.ts) while the event loop goes on serving, then fdatasyncs the
 * database file on the pool, and only then lets writes in again. That order is what makes it safe:
 * the copy only ever takes frames that are already durable in the WAL (no commit can happen while
 * the gate is closed, and the copy starts after the last sync ended), so a power cut during it
 * leaves a database file that the WAL still repairs; and SQLite restarts the WAL from its first byte
 * (overwriting checkpointed frames) only on the next write, which cannot come before the database
 * file is on disk.
 *
 * The file synced is the live -wal file: it is opened once SQLite has created it, and SQLite neither
 * deletes nor replaces it while any connection is open (a checkpoint restarts or truncates it in
 * place; only the last connection's close removes it).
 */
import { closeSync, fdatasync, openSync, realpathSync } from 'node:fs';
import type { SqliteDatabase } from './open-sqlite.js';
import type { CommitDurability } from './commit-durability.js';
import { CheckpointWorker, type CheckpointLatch } from './checkpoint-worker.js';
import { GroupCommit, type GroupCommitStats } from './group-commit.js';
import { WalFrames } from './wal-frames.js';

/** Flushes one open file to disk: node's fdatasync on the thread pool, unless a test holds it. */
export type FileSync = (fd: number, file: 'wal' | 'db') => Promise<void>;

export const fdatasyncOnPool: FileSync = (fd) => new Promise((resolve, reject) => {
  fdatasync(fd, (err) => (err ? reject(err) : resolve()));
});

export interface WalDurabilityOptions {
  fileSync?: FileSync;
  /**
   * WAL frames (pages of 4 KiB) that start a checkpoint: 2,000 lets the WAL reach about 8 MiB, as
   * the former 250 comment commits of about eight pages did. Writes wait during a checkpoint (one
   * WAL sync, the copy on the worker thread, one database sync), so fewer, larger checkpoints cost
   * writers less in total; readers do not wait for any of it.
   */
  checkpointFrames?: number;
  /** Tests only: holds the checkpoint thread before its copy (tests/helpers/held-checkpoint.ts). */
  checkpointLatch?: CheckpointLatch;
  /** Tests only: how long the checkpoint thread lives idle (default: checkpoint-worker.ts). */
  checkpointIdleMs?: number;
}

export interface WalDurabilityStats extends GroupCommitStats {
  checkpoints: number;
}

export class WalDurability implements CommitDurability {
  private readonly group: GroupCommit;
  private readonly fileSync: FileSync;
  private readonly checkpointFrames: number;
  private readonly walFd: number;
  private readonly dbFd: number;
  private readonly frames: WalFrames;
  private readonly checkpointer: CheckpointWorker;
  /** The WAL size (frames) that starts the next checkpoint. */
  private nextCheckpointAt: number;
  private checkpoints = 0;
  /** The thread was started ahead of this round's checkpoint (once per round, see committed()). */
  private warmed = false;
  /** Set while a checkpoint runs: writes wait for it. */
  private gate: Promise<void> | undefined;
  private failure: Error | undefined;
  private closed = false;
  private filesClosed = false;

  /**
   * `connection` must be a file database already in WAL mode (openSqlite). Throws when its -wal
   * file cannot be opened; the caller then keeps synchronous=FULL.
   */
  constructor(private readonly connection: SqliteDatabase, options: WalDurabilityOptions = {}) {
    this.fileSync = options.fileSync ?? fdatasyncOnPool;
    this.checkpointFrames = options.checkpointFrames ?? 2000;
    this.nextCheckpointAt = this.checkpointFrames;
    // SQLite names the -wal file after the database's resolved path (a symlinked database keeps its WAL beside the target).
    const file = realpathSync(connection.name);
    const opened: number[] = [];
    try {
      opened.push(openSync(`${file}-wal`, 'r+'));
      opened.push(openSync(file, 'r+'));
      this.frames = new WalFrames(file);
    } catch (err) {
      for (const fd of opened) closeSync(fd);
      throw err;
    }
    [this.walFd, this.dbFd] = opened as [number, number];
    this.checkpointer = new CheckpointWorker(file, options.checkpointLatch, options.checkpointIdleMs);
    this.group = new GroupCommit(() => this.fileSync(this.walFd, 'wal'));
    connection.pragma('wal_autocheckpoint = 0');
    connection.pragma('synchronous = NORMAL');
  }

  get stats(): WalDurabilityStats {
    return { ...this.group.stats, checkpoints: this.checkpoints };
  }

  /** True while the checkpoint thread exists. */
  get checkpointThreadRunning(): boolean {
    return this.checkpointer.threadRunning;
  }

  get syncing(): boolean {
    return this.group.syncing;
  }

  beforeSync(collect: () => void): void {
    this.group.beforeSync(collect);
  }

  writeGate(): Promise<void> | undefined {
    const failure = this.failure ?? this.group.failure;
    if (failure) throw failure;
    return this.gate;
  }

  committed(items = 1): Promise<void> {
    // After close() the descriptors are gone (their numbers may name other files by now).
    if (this.filesClosed) return Promise.reject(new Error('the database files are closed: this commit was not synced'));
    const durable = this.group.committed(items);
    if (!this.closed) {
      const frames = this.frames.count();
      // The thread takes tens of milliseconds to start: not while writes wait at the gate. Once per
      // round: the job and outbox workers' polls are commits too, and an idle server with a WAL half
      // full would otherwise start a thread again each time the last one ended for idleness.
      if (!this.warmed && frames >= this.nextCheckpointAt / 2) {
        this.warmed = true;
        this.checkpointer.start();
      }
      if (frames >= this.nextCheckpointAt && !this.gate) this.gate = this.checkpoint();
    }
    return durable;
  }

  synced(): Promise<void> {
    return this.group.settled();
  }

  commits(): number | undefined {
    return this.frames.commits();
  }

  /** Waits for what is in flight, ends the checkpoint thread, then lets go of the -wal and database files. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A write may still commit while this waits: its sync must run before the files are let go.
    while (this.gate || this.group.busy) {
      if (this.gate) await this.gate;
      else await this.group.settled();
    }
    await this.checkpointer.close();
    this.filesClosed = true;
    closeSync(this.walFd);
    closeSync(this.dbFd);
    // The connection's own checkpoint at close then syncs both files again (NORMAL does, at checkpoints).
  }

  /** Once the connection itself is closed: the -shm descriptor (see wal-frames.ts for why not sooner). */
  release(): void {
    this.frames.close();
  }

  private async checkpoint(): Promise<void> {
    try {
      // Until no commit waits for a sync: the copy must take only frames that are already on disk
      // in the WAL, and none can be added while the gate is closed.
      while (this.group.busy) await this.group.settled();
      // A failed WAL sync: nothing is known to be on disk, so nothing may be copied as if it were.
      // An open session (an import) holds a transaction across awaits: the next round checkpoints.
      if (this.group.failure || this.connection.inTransaction || !this.connection.open) return;
      // A failure here leaves the WAL not fully copied, so SQLite does not reuse it: nothing to undo.
      const copied = await this.checkpointer.copy();
      try {
        await this.fileSync(this.dbFd, 'db');
      } catch (err) {
        // The database file may hold pages that are not on disk while the next write reuses the WAL
        // from its start: no write may go on (see GroupCommit.committed for why a later sync proves nothing).
        this.failure = err instanceof Error ? err : new Error(String(err));
        return;
      }
      this.checkpoints += 1;
      // A reader of another process may have kept part of the WAL from being copied: then the WAL
      // is not restarted, and the next round waits for as many new frames as this one.
      this.nextCheckpointAt = copied.checkpointed >= copied.log ? this.checkpointFrames : copied.log + this.checkpointFrames;
    } catch {
      // The copy failed (an I/O error): the WAL still holds everything, the next round tries again.
    } finally {
      this.gate = undefined;
      this.warmed = false;
    }
  }
}
