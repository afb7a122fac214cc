/**
 * Everything the owner reaches under `/api/admin`, behind one admin-token check: moderation and
 * threads (comment-routes.ts), personal-data requests (personal-data-routes.ts) and the outbox
 * (outbox-routes.ts) and sending linkbacks for the owner's posts (send-routes.ts). The moderation page itself (page-routes.ts) is public: it holds no data and
 * asks for the token.
 */
import { Router } from 'express';
import type { AdminAttempts } from '../middleware/admin-attempts.js';
import { requireAdmin } from '../middleware/require-admin.js';
import { adminRoutes, type AdminRouteDeps } from './comment-routes.js';
import { outboxAdminRoutes } from './outbox-routes.js';
import { ownerRoutes, type OwnerRouteDeps } from './owner-routes.js';
import { adminDataRoutes } from './personal-data-routes.js';
import { sendRoutes, type SendRouteDeps } from './send-routes.js';

export interface AdminApiDeps extends AdminRouteDeps, OwnerRouteDeps, Omit<SendRouteDeps, 'store'> {
  adminTokenHash: () => Promise<string>;
  /** Refused tokens per client, so the token cannot be guessed at speed. */
  adminAttempts?: AdminAttempts;
}

/** Mount at `/api/admin`. */
export function adminApi(deps: AdminApiDeps): Router {
  const router = Router();
  router.use(requireAdmin(deps.adminTokenHash, deps.adminAttempts), adminRoutes(deps), ownerRoutes(deps), adminDataRoutes(deps), outboxAdminRoutes(deps), sendRoutes(deps));
  return router;
}
