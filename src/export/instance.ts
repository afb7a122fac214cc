import { newToken } from '../lib/tokens.js';
import type { Store } from '../store/repository.js';

/**
 * A random name for this database, made once: exported comments that never had an import key get
 * `json:<instance>#<id>`, so exports of two databases never collide when imported into a third.
 */
export async function instanceId(store: Store): Promise<string> {
  const existing = await store.settings.get('instance_id');
  if (existing) return existing;
  const id = newToken().slice(0, 16);
  await store.settings.set('instance_id', id);
  return id;
}
