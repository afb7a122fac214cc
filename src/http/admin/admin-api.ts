/**
 * Everything the owner reaches under `/api/admin`, behind one admin check (the bearer token, or the
 * page's session cookie with its CSRF token for changes): moderation and threads
 * (comment-routes.ts), personal-data requests (personal-data-routes.ts), the outbox and its retry
 * (outbox-routes.ts), refused page origins (refused-origin-routes.ts), the page's sign-in session
 * (session-routes.ts) and sending linkbacks for the owner's posts (send-routes.ts). The moderation
 * page itself (page-routes.ts) is public: it holds no data and asks for the token.
 */
import { Router } from 'express';
import type { Clock } from '../../lib/clock.js';
import type { AdminAttempts } from '../middleware/admin-attempts.js';
import { requireAdmin } from '../middleware/require-admin.js';
import { adminRoutes, type AdminRouteDeps } from './comment-routes.js';
import { outboxAdminRoutes } from './outbox-routes.js';
import { ownerRoutes, type OwnerRouteDeps } from './owner-routes.js';
import { adminDataRoutes } from './personal-data-routes.js';
import { sendRoutes, type SendRouteDeps } from './send-routes.js';
import { sessionRoutes } from './session-routes.js';
import { refusedOriginRoutes } from './refused-origin-routes.js';
import type { RefusedOriginLog } from '../../sites/refused-origins.js';
import type { AdminSessions } from '../../auth/admin-sessions.js';

export interface AdminApiDeps extends AdminRouteDeps, OwnerRouteDeps, Omit<SendRouteDeps, 'store'> {
  adminTokenHash: () => Promise<string>;
  /** Refused tokens per client, so the token cannot be guessed at speed. */
  adminAttempts?: AdminAttempts;
  /** The moderation page's session cookies: a second way in besides the bearer token. */
  adminSessions: AdminSessions;
  publicUrl: string;
  clock: Clock;
  /** The outbox worker, woken when the owner retries a failed delivery. */
  outbox: { wake(): void };
  refusedOrigins: RefusedOriginLog;
}

/** Mount at `/api/admin`. */
export function adminApi(deps: AdminApiDeps): Router {
  const router = Router();
  router.use(requireAdmin(deps.adminTokenHash, deps.adminAttempts, deps.adminSessions), sessionRoutes({ sessions: deps.adminSessions, publicUrl: deps.publicUrl }),
    refusedOriginRoutes(deps), adminRoutes(deps), ownerRoutes(deps), adminDataRoutes(deps), outboxAdminRoutes(deps), sendRoutes(deps));
  return router;
}
