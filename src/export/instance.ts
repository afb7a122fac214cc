import { newToken } from '../lib/tokens.js';
import type { Store } from '../store/repository.js';
import { settingOnce } from '../store/setting-once.js';

/**
 * A random name for this database, made once: exported comments that never had an import key get
 * `json:<instance>#<id>`, so exports of two databases never collide when imported into a third.
 */
export function instanceId(store: Store): Promise<string> {
  return settingOnce(store, 'instance_id', () => newToken().slice(0, 16));
}
