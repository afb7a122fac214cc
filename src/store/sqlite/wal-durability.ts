/**
 * Durability of a SQLite connection in WAL mode without waiting for the disk on the event loop.
 *
 * The connection runs with synchronous=NORMAL: a COMMIT only write()s its frames to the -wal file,
 * which survives a killed process (the page cache is the kernel's) but not a power cut. A write is
 * acknowledged only after an fdatasync of the -wal file has finished on the libuv thread pool, and
 * one such sync covers every commit made before it started (group commit, see group-commit.ts).
 *
 * Checkpoints are ours too (wal_autocheckpoint=0): SQLite's automatic one would run inside a commit
 * on the event loop and sync twice there. Ours closes a gate to new writes (readers go on), waits
 * until every commit so far is synced in the WAL, copies the WAL into the database file with
 * synchronous=OFF (page-cache writes only), then fdatasyncs the database file on the pool, and only
 * then lets writes in again. That order is what makes it safe: the copy only ever takes frames that
 * are already durable in the WAL, so a power cut during it leaves a database file that the WAL still
 * repairs; and SQLite restarts the WAL from its first byte (overwriting checkpointed frames) only on
 * the next write, which cannot come before the database file is on disk.
 *
 * The file synced is the live -wal file: it is opened once SQLite has created it, and SQLite neither
 * deletes nor replaces it while any connection is open (a checkpoint restarts or truncates it in
 * place; only the last connection's close removes it).
 */
import { closeSync, fdatasync, openSync, realpathSync } from 'node:fs';
import type { SqliteDatabase } from './open-sqlite.js';
import type { CommitDurability } from '../sql/sqlite-runner.js';
import { GroupCommit, type GroupCommitStats } from './group-commit.js';

/** Flushes one open file to disk: node's fdatasync on the thread pool, unless a test holds it. */
export type FileSync = (fd: number, file: 'wal' | 'db') => Promise<void>;

export const fdatasyncOnPool: FileSync = (fd) => new Promise((resolve, reject) => {
  fdatasync(fd, (err) => (err ? reject(err) : resolve()));
});

export interface WalDurabilityOptions {
  fileSync?: FileSync;
  /**
   * Commits between checkpoints. A comment commit writes about eight WAL pages (row, indexes,
   * thread version), so the default 250 lets the WAL reach about 2,000 pages (8 MiB) between
   * checkpoints. Writes wait during a checkpoint (one WAL sync, the copy, one database sync): 16
   * concurrent writers of 3,000 inserts ran at 540–660/s with 100, 990–1,070/s with 250 and
   * 510–810/s with 1,000 on the (busy, noisy) 2-core test machine.
   */
  checkpointEvery?: number;
}

export interface WalDurabilityStats extends GroupCommitStats {
  checkpoints: number;
}

export class WalDurability implements CommitDurability {
  private readonly group: GroupCommit;
  private readonly fileSync: FileSync;
  private readonly checkpointEvery: number;
  private readonly walFd: number;
  private readonly dbFd: number;
  private sinceCheckpoint = 0;
  private checkpoints = 0;
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
    this.checkpointEvery = options.checkpointEvery ?? 250;
    // SQLite names the -wal file after the database's resolved path (a symlinked database keeps its WAL beside the target).
    const file = realpathSync(connection.name);
    this.walFd = openSync(`${file}-wal`, 'r+');
    try {
      this.dbFd = openSync(file, 'r+');
    } catch (err) {
      closeSync(this.walFd);
      throw err;
    }
    this.group = new GroupCommit(() => this.fileSync(this.walFd, 'wal'));
    connection.pragma('wal_autocheckpoint = 0');
    connection.pragma('synchronous = NORMAL');
  }

  get stats(): WalDurabilityStats {
    return { ...this.group.stats, checkpoints: this.checkpoints };
  }

  writeGate(): Promise<void> | undefined {
    const failure = this.failure ?? this.group.failure;
    if (failure) throw failure;
    return this.gate;
  }

  committed(): Promise<void> {
    // After close() the descriptors are gone (their numbers may name other files by now).
    if (this.filesClosed) return Promise.reject(new Error('the database files are closed: this commit was not synced'));
    const durable = this.group.committed();
    this.sinceCheckpoint += 1;
    if (this.sinceCheckpoint >= this.checkpointEvery && !this.gate && !this.closed) this.gate = this.checkpoint();
    return durable;
  }

  synced(): Promise<void> {
    return this.group.settled();
  }

  /** Waits for what is in flight, then lets go of the files; the connection itself stays open. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A write may still commit while this waits: its sync must run before the files are let go.
    while (this.gate || this.group.busy) {
      if (this.gate) await this.gate;
      else await this.group.settled();
    }
    this.filesClosed = true;
    closeSync(this.walFd);
    closeSync(this.dbFd);
    // The connection's own checkpoint at close then syncs both files again (NORMAL does, at checkpoints).
  }

  private async checkpoint(): Promise<void> {
    try {
      // Until no commit waits for a sync, checked in the same turn as the copy below: the copy
      // must take only frames that are already on disk in the WAL.
      while (this.group.busy) await this.group.settled();
      // A failed WAL sync: nothing is known to be on disk, so nothing may be copied as if it were.
      // An open session (an import) holds a transaction across awaits: the next round checkpoints.
      if (this.group.failure || this.connection.inTransaction || !this.connection.open) return;
      this.sinceCheckpoint = 0;
      this.connection.pragma('synchronous = OFF');
      try {
        // A failure here leaves the WAL not fully copied, so SQLite does not reuse it: nothing to undo.
        this.connection.pragma('wal_checkpoint(PASSIVE)');
      } finally {
        this.connection.pragma('synchronous = NORMAL');
      }
      try {
        await this.fileSync(this.dbFd, 'db');
      } catch (err) {
        // The database file may hold pages that are not on disk while the next write reuses the WAL
        // from its start: no write may go on (see GroupCommit.committed for why a later sync proves nothing).
        this.failure = err instanceof Error ? err : new Error(String(err));
        return;
      }
      this.checkpoints += 1;
    } catch {
      // The copy failed (an I/O error): the WAL still holds everything, the next round tries again.
    } finally {
      this.gate = undefined;
    }
  }
}
