/**
 * A checkpoint a test can hold: the latch the SQLite store's checkpoint thread waits on before its
 * copy (src/store/sqlite/checkpoint-worker.ts). While held, the thread is blocked in Atomics.wait,
 * so whatever the event loop does meanwhile shows that it does not wait for the checkpoint.
 */
import type { CheckpointLatch } from '../../src/store/sqlite/checkpoint-worker.js';

export class HeldCheckpoint {
  readonly latch: CheckpointLatch = new SharedArrayBuffer(8);
  private readonly cells = new Int32Array(this.latch);

  /** Checkpoints from now on wait before copying, until release(). */
  hold(): void {
    Atomics.store(this.cells, 0, 1);
  }

  release(): void {
    Atomics.store(this.cells, 0, 0);
    Atomics.notify(this.cells, 0);
  }

  /** True while the thread waits at the latch. */
  get waiting(): boolean {
    return Atomics.load(this.cells, 1) === 1;
  }

  /** Resolves once the thread waits at the latch (polled: the thread cannot wake the event loop). */
  async untilWaiting(): Promise<void> {
    while (!this.waiting) await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
