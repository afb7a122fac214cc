/**
 * Signed one-click links for mail. A moderation link carries the comment id, the action, an expiry
 * and a nonce, signed with HMAC-SHA256 under a secret kept in the settings table; the nonce is
 * recorded on use (used_action_tokens) so each link acts once. Unsubscribe links are an HMAC of the
 * subscription id and address: they never expire, because an old mail must still be able to stop mail.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { sameBytes } from '../lib/tokens.js';

export type MailAction = 'approve' | 'spam' | 'delete';
export const MAIL_ACTIONS: readonly MailAction[] = ['approve', 'spam', 'delete'];

export interface ActionClaim {
  commentId: number;
  action: MailAction;
  expires: Date;
  nonce: string;
}

export type ActionCheck = { kind: 'valid'; claim: ActionClaim } | { kind: 'invalid' } | { kind: 'expired'; claim: ActionClaim };

/** Seven days: long enough for a holiday inbox, short enough that an old leaked mail is harmless. */
export const ACTION_LINK_TTL_MS = 7 * 24 * 3600_000;

export interface LinkSigner {
  signAction(commentId: number, action: MailAction, now: Date, ttlMs?: number): string;
  checkAction(token: string, now: Date): ActionCheck;
  unsubscribeToken(subscriptionId: number, email: string): string;
  checkUnsubscribe(subscriptionId: number, email: string, token: string): boolean;
}

export function createLinkSigner(secret: string): LinkSigner {
  const mac = (purpose: string, data: string) => createHmac('sha256', secret).update(`${purpose}\n${data}`).digest();

  function signAction(commentId: number, action: MailAction, now: Date, ttlMs = ACTION_LINK_TTL_MS): string {
    const body = Buffer.from(JSON.stringify({ c: commentId, a: action, x: now.getTime() + ttlMs, n: randomBytes(12).toString('base64url') })).toString('base64url');
    return `${body}.${mac('action', body).toString('base64url')}`;
  }

  function checkAction(token: string, now: Date): ActionCheck {
    const match = /^([A-Za-z0-9_-]{1,400})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!match) return { kind: 'invalid' };
    const [, body, sig] = match as unknown as [string, string, string];
    if (!sameBytes(Buffer.from(sig, 'base64url'), mac('action', body))) return { kind: 'invalid' };
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return { kind: 'invalid' };
    }
    const p = parsed as { c?: unknown; a?: unknown; x?: unknown; n?: unknown };
    if (!Number.isSafeInteger(p.c) || !MAIL_ACTIONS.includes(p.a as MailAction) || typeof p.x !== 'number' || typeof p.n !== 'string') {
      return { kind: 'invalid' };
    }
    const claim: ActionClaim = { commentId: p.c as number, action: p.a as MailAction, expires: new Date(p.x), nonce: p.n };
    return now.getTime() > p.x ? { kind: 'expired', claim } : { kind: 'valid', claim };
  }

  const unsubscribeMac = (subscriptionId: number, email: string): Buffer => mac('unsubscribe', `${subscriptionId}\n${email.toLowerCase()}`);
  const unsubscribeToken = (subscriptionId: number, email: string): string => unsubscribeMac(subscriptionId, email).toString('base64url');
  const checkUnsubscribe = (subscriptionId: number, email: string, token: string): boolean =>
    sameBytes(Buffer.from(token, 'base64url'), unsubscribeMac(subscriptionId, email));

  return { signAction, checkAction, unsubscribeToken, checkUnsubscribe };
}

