/** A setting made once per database: random salts, secrets, ids. */
import type { Store } from './repository.js';

/**
 * The stored value of `key`, or a new one from `make` stored now. First writer wins (setIfAbsent), so
 * processes or instances starting together on one database all end up with the same value.
 */
export async function settingOnce(store: Store, key: string, make: () => string): Promise<string> {
  const existing = await store.settings.get(key);
  if (existing) return existing;
  return store.settings.setIfAbsent(key, make());
}
