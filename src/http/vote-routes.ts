/**
 * `POST /api/comments/:id/vote` (contract v1.1 "Votes"): JSON `{"value": 1|-1|0}` from the widget
 * (with its voter id in `voter`), or the no-JavaScript form's buttons on /thread, which come back to
 * the thread at the comment (303). How a reader is recognised: src/votes/voting.ts.
 */
import express, { Router, type Request, type Response } from 'express';
import { parseSort } from '../domain/thread-page.js';
import { pickLocale } from '../i18n/index.js';
import { newToken } from '../lib/tokens.js';
import { isVoterId, type Voting } from '../votes/voting.js';
import { clientInfo } from './client-info.js';
import { idParam } from './comment-routes.js';
import { isFormPost } from './middleware/error-handler.js';

export interface VoteRouteDeps {
  voting: Voting;
  publicUrl: string;
}

/** The no-JavaScript form's voter id: first-party, HttpOnly, a year. */
export const VOTER_COOKIE = 'backtalk_voter';
const YEAR_SECONDS = 365 * 24 * 3600;

export function voteRoutes(deps: VoteRouteDeps): Router {
  const router = Router();
  const secure = deps.publicUrl.startsWith('https:');
  const bodies = [express.json({ limit: '2kb' }), express.urlencoded({ limit: '2kb', extended: false })];

  router.post('/api/comments/:id/vote', ...bodies, async (req, res) => {
    const id = idParam(req);
    const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
    const form = isFormPost(req);
    let voterId = form ? cookie(req, VOTER_COOKIE) : typeof body.voter === 'string' ? body.voter : cookie(req, VOTER_COOKIE);
    if (form && !isVoterId(voterId)) voterId = giveVoterCookie(res, secure);
    const result = await deps.voting.cast({ commentId: id, value: body.value, voterId, ip: clientInfo(req).ip });
    if (form) {
      res.redirect(303, backToThread(deps.publicUrl, result.target, body, id));
      return;
    }
    res.set('Cache-Control', 'no-store').json({ id: result.id, likes: result.likes, dislikes: result.dislikes });
  });
  return router;
}

/** The thread page the form was on, in its language and order, at the comment voted on. */
function backToThread(publicUrl: string, target: string, body: Record<string, unknown>, id: number): string {
  const lang = pickLocale(typeof body.lang === 'string' ? body.lang : undefined).lang;
  let sort = 'oldest';
  try {
    sort = parseSort(body.sort);
  } catch {
    // An odd value from a hand-made form: back to the default order.
  }
  return `${publicUrl}/thread?target=${encodeURIComponent(target)}&lang=${lang}${sort === 'oldest' ? '' : `&sort=${sort}`}#comment-${id}`;
}

function giveVoterCookie(res: Response, secure: boolean): string {
  const id = newToken();
  // SameSite=Lax: sent when the reader's own form posts here, never with another site's request.
  res.append('Set-Cookie', `${VOTER_COOKIE}=${id}; Path=/; Max-Age=${YEAR_SECONDS}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`);
  return id;
}

function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
