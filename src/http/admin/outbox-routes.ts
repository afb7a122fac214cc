import { Router } from 'express';
import { ValidationError } from '../../domain/errors.js';
import type { Store } from '../../store/repository.js';

/**
 * `GET /api/admin/outbox?status=pending|sent|failed` (mounted behind requireAdmin): what the outbox
 * holds, newest first, so the owner can see a failing relay or webhook. A summary only: the mail
 * text carries live one-click links and stays in the database.
 */
export function outboxAdminRoutes(deps: { store: Store }): Router {
  const router = Router();
  router.get('/outbox', async (req, res) => {
    const status = req.query.status ?? 'pending';
    if (status !== 'pending' && status !== 'sent' && status !== 'failed') {
      throw new ValidationError('invalid-body', 'status must be pending, sent or failed.', 'status');
    }
    const items = await deps.store.outbox.listByStatus(status, 200);
    res.json({
      items: items.map((i) => ({
        id: i.id, channel: i.channel, status: i.status, attempts: i.attempts,
        next_attempt: i.status === 'pending' ? i.nextAttemptAt.toISOString() : null,
        last_error: i.lastError, created: i.created.toISOString(), sent: i.sent?.toISOString() ?? null,
        ...(i.channel === 'mail' ? { to: i.payload.to, subject: i.payload.subject } : { event: i.payload.event }),
      })),
    });
  });
  return router;
}
