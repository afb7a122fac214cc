/**
 * Personal-data requests in the admin API (mounted under /api/admin, behind the bearer token):
 * everything stored about one e-mail address, and erasing it.
 */
import express, { Router } from 'express';
import { ValidationError } from '../../domain/errors.js';
import { ERASE_MODES, personalDataJson } from '../../export/personal-data.js';
import type { EraseMode, Store } from '../../store/repository.js';

export interface AdminDataRouteDeps {
  store: Store;
}

function emailOf(value: unknown): string {
  const email = typeof value === 'string' ? value.trim() : '';
  if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 254) {
    throw new ValidationError('invalid-body', 'email must be an e-mail address.', 'email');
  }
  return email;
}

export function adminDataRoutes(deps: AdminDataRouteDeps): Router {
  const router = Router();

  router.get('/personal-data', async (req, res) => {
    const data = await deps.store.transfer.personalData(emailOf(req.query.email));
    res.set('Cache-Control', 'no-store').json(personalDataJson(data));
  });

  router.post('/personal-data/erase', express.json({ limit: '16kb' }), async (req, res) => {
    const body = (req.body ?? {}) as { email?: unknown; mode?: unknown };
    const email = emailOf(body.email);
    if (typeof body.mode !== 'string' || !(ERASE_MODES as readonly string[]).includes(body.mode)) {
      throw new ValidationError('invalid-body', `mode must be one of ${ERASE_MODES.join(', ')}.`, 'mode');
    }
    const result = await deps.store.transfer.erasePersonalData(email, body.mode as EraseMode);
    res.json({ email, mode: body.mode, ...result });
  });

  return router;
}
