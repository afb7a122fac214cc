/**
 * Answers read from the database, kept for as long as the runner's change stamp stays the same
 * (SqlRunner.changeStamp): a write on this connection or a commit by another process empties it.
 */
export class StampedCache<K, V> {
  private stamp: string | undefined;
  private readonly entries = new Map<K, V>();

  /** `maxEntries`: past this many, the entries are dropped and read again (a bound, not an LRU). */
  constructor(private readonly maxEntries: number) {}

  /**
   * What is kept for `key` under `stamp` (taken just before): undefined when nothing is, or when
   * `stamp` is undefined (then nothing read may be kept). A new stamp drops everything kept.
   */
  get(stamp: string | undefined, key: K): V | undefined {
    if (stamp === undefined) return undefined;
    if (stamp !== this.stamp) {
      this.entries.clear();
      this.stamp = stamp;
    }
    return this.entries.get(key);
  }

  /**
   * Keeps `value`, read after `stamp` was taken, unless the database has changed since: a read that a
   * change overtook while it was awaited (another caller has seen a newer stamp) is not kept.
   */
  keep(stamp: string | undefined, key: K, value: V): void {
    if (stamp === undefined || stamp !== this.stamp) return;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, value);
  }
}
