/**
 * Readers first while writers flood (issue 15.2). A new comment costs the main thread about half a
 * millisecond of synchronous work (parse, the pipeline's checks, sanitizing, the insert) from the
 * moment its body has arrived to its wait for the disk. node:http runs each request as soon as its
 * socket is read, so when sixteen POST bodies and a reader's GET become readable in one poll phase,
 * the GET waits behind all sixteen: that queue, not the disk, made the readers' p99 in the mixed
 * bench (23 ms, against 3 ms alone).
 *
 * The rule: at most `perTurn` comment pipelines start per turn of the event loop; the rest wait, in
 * arrival order, for the next check phase (setImmediate), and the next one after that, a few at a
 * time. Between two check phases comes a poll phase, where every reader whose request has arrived
 * is answered, so a reader waits behind at most `perTurn` pipelines, wherever its request lands.
 *
 * Why a count per turn and not a cap on pipelines in progress: a pipeline that has started spends
 * most of its life waiting for its commit to reach the disk, which costs no CPU; group commit
 * writes all the comments waiting together in one transaction and one sync. A cap on pipelines in
 * progress would cap that batch too, and with it the POST rate. A count per turn bounds only the
 * CPU spent in one turn, and costs the writers nothing but the wait for the next check phase
 * (one extra loop turn for each `perTurn` comments).
 */

/** Four pipelines ≈ 2 ms of work on this machine's cores before the readers of a turn are served. */
export const DEFAULT_WRITES_PER_TURN = 4;
/**
 * While readers are being answered (a GET or HEAD in this turn or the one before), half as many:
 * measured in the mixed bench, readers' p99 fell from 13–16 ms to ~10 ms, while POST /comments alone
 * (no readers) keeps the full four and its rate.
 */
export const DEFAULT_WRITES_PER_TURN_WITH_READERS = 2;

export interface WriteAdmission {
  /** Runs `work` now if this turn has room, else in a later turn, in arrival order. */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** A reader's request arrived: writes take the smaller share of this turn and the next. */
  noteRead(): void;
}

export function createWriteAdmission(perTurn: number = DEFAULT_WRITES_PER_TURN, perTurnWithReaders: number = Math.min(perTurn, DEFAULT_WRITES_PER_TURN_WITH_READERS)): WriteAdmission {
  const waiting: Array<() => void> = [];
  let started = 0;
  let armed = false;
  // Reads noted since the last check phase, and whether the turn before had any: a reader's next
  // request usually lands in the poll phase after the one its answer went out in.
  let readsNow = 0;
  let readsBefore = false;
  const limit = () => (readsNow > 0 || readsBefore ? perTurnWithReaders : perTurn);

  /** The check phase: a new turn's room, used first by those already waiting. */
  function turn(): void {
    armed = false;
    started = 0;
    readsBefore = readsNow > 0;
    readsNow = 0;
    const room = limit();
    while (started < room && waiting.length > 0) {
      started += 1;
      waiting.shift()!();
    }
    // Started ones count against the poll phase that follows, until the next check phase resets it.
    if (started > 0 || waiting.length > 0) arm();
  }

  function arm(): void {
    if (armed) return;
    armed = true;
    setImmediate(turn);
  }

  return {
    run(work) {
      if (started < limit() && waiting.length === 0) {
        started += 1;
        arm();
        return work();
      }
      return new Promise((resolve, reject) => {
        waiting.push(() => {
          try {
            work().then(resolve, reject);
          } catch (err) {
            reject(err);
          }
        });
        arm();
      });
    },
    noteRead() {
      readsNow += 1;
      // The next check phase starts the count again (one setImmediate per loop turn at most).
      arm();
    },
  };
}
