import { Router } from 'express';
import { resolveTarget } from '../domain/target.js';
import { formatDiscovery } from '../protocols/discovery.js';
import { feedUrl } from './feed-routes.js';
import type { Store } from '../store/repository.js';

export interface DiscoveryRouteDeps {
  store: Store;
  sites: readonly string[];
  publicUrl: string;
  clock: { now(): Date };
}

/** `GET /discovery?target=URL[&title=…]`: the markup to paste into a post template. */
export function discoveryRoutes(deps: DiscoveryRouteDeps): Router {
  const router = Router();
  router.get('/discovery', async (req, res) => {
    const target = resolveTarget(req.query.target, deps.sites);
    const thread = await deps.store.threads.ensure(target, deps.clock.now());
    const title = typeof req.query.title === 'string' ? req.query.title : (thread.title ?? target);
    res.type('text/html; charset=utf-8').send(formatDiscovery({
      target,
      title,
      trackbackUrl: `${deps.publicUrl}/trackback/${thread.id}`,
      pingbackUrl: `${deps.publicUrl}/xmlrpc`,
      webmentionUrl: `${deps.publicUrl}/webmention`,
      feedUrl: feedUrl(deps.publicUrl, target),
    }));
  });
  return router;
}
