/**
 * Waiting on state rather than on time: tests poll what they can observe (a status URL, a request
 * log, a counter) until it holds. No wait here has a deadline of its own: a test passes `timeout` to
 * node:test, generous enough for a loaded machine, so a wait that never ends fails the test instead
 * of hanging the run, and nothing asserts how long anything took.
 */

/** Resolves once `check()` holds, polling every 20 ms. */
export async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 20));
}
