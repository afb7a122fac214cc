/**
 * A disk sync a test can hold: the SQLite store's FileSync (src/store/sqlite/wal-durability.ts)
 * that records every call and, while held, waits for the test to let it go before doing the real
 * fdatasync. Shows what waits for the disk and what does not.
 */
import { fdatasyncOnPool, type FileSync } from '../../src/store/sqlite/wal-durability.js';

type File = 'wal' | 'db';

export class HeldDiskSync {
  /**
   * Every sync asked for, in order: the file descriptor it was asked for, whether it has finished,
   * and how many syncs asked for earlier had not finished when it was asked for.
   */
  readonly calls: Array<{ file: File; fd: number; finished: boolean; unfinishedBefore: number }> = [];
  private readonly holding = new Set<File>();
  private readonly waiting: Array<{ file: File; go(): void }> = [];
  private failWith: Error | undefined;
  private readonly waiters: Array<() => void> = [];

  readonly fileSync: FileSync = async (fd, file) => {
    const call = { file, fd, finished: false, unfinishedBefore: this.calls.filter((c) => !c.finished).length };
    this.calls.push(call);
    try {
      await this.sync(fd, file);
    } finally {
      call.finished = true;
    }
  };

  private async sync(fd: number, file: File): Promise<void> {
    if (this.holding.has(file)) {
      await new Promise<void>((go) => {
        this.waiting.push({ file, go });
        for (const wake of this.waiters.splice(0)) wake();
      });
    }
    if (this.failWith) throw this.failWith;
    await fdatasyncOnPool(fd, file);
  }

  /** Syncs of `file` from now on wait for release(). */
  hold(file: File = 'wal'): void {
    this.holding.add(file);
  }

  /** Lets every waiting sync of `file` go and stops holding it. */
  release(file: File = 'wal'): void {
    this.holding.delete(file);
    for (const w of this.waiting.filter((x) => x.file === file)) {
      this.waiting.splice(this.waiting.indexOf(w), 1);
      w.go();
    }
  }

  /** Syncs from now on fail with `err` (after being let go, if held). */
  fail(err: Error): void {
    this.failWith = err;
  }

  /** How many syncs of `file` are waiting for release(). */
  held(file: File = 'wal'): number {
    return this.waiting.filter((w) => w.file === file).length;
  }

  /** Resolves once a sync of `file` is being held. */
  async untilHeld(file: File = 'wal'): Promise<void> {
    while (this.held(file) === 0) await new Promise<void>((wake) => this.waiters.push(wake));
  }

  count(file: File = 'wal'): number {
    return this.calls.filter((c) => c.file === file).length;
  }
}
