import { Router } from 'express';
import { ConflictError, msg, NotFoundError, ValidationError } from '../../domain/errors.js';
import type { Clock } from '../../lib/clock.js';
import type { OutboxItem, Store } from '../../store/repository.js';

/**
 * `GET /api/admin/outbox?status=pending|sent|failed` (mounted behind requireAdmin): what the outbox
 * holds, newest first, so the owner can see a failing relay or webhook. A summary only: the mail
 * text carries live one-click links and stays in the database.
 *
 * `POST /api/admin/outbox/:id/retry`: a failed delivery is tried again at once, with a fresh round of
 * attempts (the relay or the receiver is fixed; the owner should not have to wait for a new event).
 */
export function outboxAdminRoutes(deps: { store: Store; clock: Clock; outbox: { wake(): void } }): Router {
  const router = Router();
  router.get('/outbox', async (req, res) => {
    const status = req.query.status ?? 'pending';
    if (status !== 'pending' && status !== 'sent' && status !== 'failed') {
      throw new ValidationError('invalid-body', msg('must-be-one-of', { name: 'status', values: 'pending, sent, failed' }), 'status');
    }
    const items = await deps.store.outbox.listByStatus(status, 200);
    res.json({ items: items.map(itemJson) });
  });

  router.post('/outbox/:id/retry', async (req, res) => {
    const raw = String(req.params.id);
    const id = /^\d{1,15}$/.test(raw) ? Number(raw) : 0;
    const item = id > 0 ? await deps.store.outbox.retryFailed(id, deps.clock.now()) : undefined;
    if (!item) {
      if (id > 0 && (await deps.store.outbox.findById(id))) throw new ConflictError('not-failed', 'delivery-not-failed');
      throw new NotFoundError('no-such-delivery');
    }
    deps.outbox.wake();
    res.json(itemJson(item));
  });
  return router;
}

function itemJson(i: OutboxItem) {
  return {
    id: i.id, channel: i.channel, status: i.status, attempts: i.attempts,
    next_attempt: i.status === 'pending' ? i.nextAttemptAt.toISOString() : null,
    last_error: i.lastError, created: i.created.toISOString(), sent: i.sent?.toISOString() ?? null,
    ...(i.channel === 'mail' ? { to: i.payload.to, subject: i.payload.subject } : { event: i.payload.event }),
  };
}
