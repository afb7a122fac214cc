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
   * The entries read under `stamp`, to look up and add to; emptied first when the database changed
   * since they were read. Undefined when `stamp` is: then nothing read may be kept.
   */
  valid(stamp: string | undefined): Map<K, V> | undefined {
    if (stamp === undefined) return undefined;
    if (stamp !== this.stamp || this.entries.size >= this.maxEntries) {
      this.entries.clear();
      this.stamp = stamp;
    }
    return this.entries;
  }
}
