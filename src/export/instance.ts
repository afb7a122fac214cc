import { newToken } from '../lib/tokens.js';
import type { Store } from '../store/repository.js';

/**
 * A random name for this database, made once: exported comments that never had an import key get
 * `json:<instance>#<id>`, so exports of two databases never collide when imported into a third.
 */
export async function instanceId(store: Store): Promise<string> {
  const existing = await store.settings.get('instance_id');
  if (existing) return existing;
  // setIfAbsent: of two processes making it at once, both keep the first one's.
  return store.settings.setIfAbsent('instance_id', newToken().slice(0, 16));
}
