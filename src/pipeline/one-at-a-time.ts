/**
 * Attempts with the same key run one after another in this process. The same ping arriving again while
 * the first is still being verified (senders retry, attackers repeat) then finds the first one stored
 * instead of fetching the source a second time (no amplification), and a re-sent Webmention updates
 * the mention its first send stored.
 */
export function oneAtATime() {
  const running = new Map<string, Promise<unknown>>();
  return async function run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const earlier = running.get(key);
    const attempt = (earlier ?? Promise.resolve()).catch(() => undefined).then(work);
    running.set(key, attempt);
    try {
      return await attempt;
    } finally {
      if (running.get(key) === attempt) running.delete(key);
    }
  };
}
