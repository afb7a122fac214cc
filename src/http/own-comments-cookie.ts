/**
 * How a reader without JavaScript is recognised as the author of their held comments (issue 17.4):
 * by the edit token POST /comments hands out, the same proof the widget keeps in localStorage and
 * the edit and delete calls take. A form post stores `id.token` pairs in an HttpOnly cookie on
 * Backtalk's own origin; GET /thread shows the held comments whose token matches, to that request
 * alone. Nobody else can name a comment's token (256 random bits, only its hash is stored).
 */
import type { Request, Response } from 'express';

/** A reader's claim to be the author of comment `id`. */
export interface OwnClaim {
  id: number;
  token: string;
}

const COOKIE = 'bt_own';
/** The newest claims kept; older ones fall off (their comments are long moderated by then). */
export const MAX_CLAIMS = 20;
/** 30 days: longer than any sane moderation queue. */
const MAX_AGE_MS = 30 * 24 * 3600_000;
const CLAIM = /^(\d{1,15})\.([A-Za-z0-9_-]{20,100})$/;

/** The claims in the request's cookie; malformed parts are ignored. */
export function readOwnClaims(req: Request): OwnClaim[] {
  return claimsInCookie(req.get('cookie'));
}

/** The claims in a Cookie header. */
export function claimsInCookie(header: string | undefined): OwnClaim[] {
  if (!header) return [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== COOKIE) continue;
    return parseClaims(part.slice(eq + 1).trim().split('~'));
  }
  return [];
}

/** Claims from any list of `id.token` strings (cookie) or `{id, token}` objects (the widget's JSON). */
export function parseClaims(items: readonly unknown[]): OwnClaim[] {
  const claims: OwnClaim[] = [];
  for (const item of items.slice(0, MAX_CLAIMS)) {
    const text = typeof item === 'string' ? item
      : item !== null && typeof item === 'object' ? `${(item as { id?: unknown }).id}.${(item as { token?: unknown }).token}` : '';
    const m = CLAIM.exec(text);
    if (m) claims.push({ id: Number(m[1]), token: m[2]! });
  }
  return claims;
}

/** Adds the new comment's claim to the reader's cookie (newest first), scoped to Backtalk's own path. */
export function rememberOwn(req: Request, res: Response, claim: OwnClaim, publicUrl: string): void {
  res.append('Set-Cookie', ownClaimsCookie(req.get('cookie'), claim, publicUrl));
}

/**
 * The Set-Cookie value rememberOwn() sends, from the request's Cookie header: written out here, in the
 * form (attribute order, Expires) Express's res.cookie() gave it, so the POST /comments lane
 * (comment-lane.ts) and the Express route send the same header.
 */
export function ownClaimsCookie(cookieHeader: string | undefined, claim: OwnClaim, publicUrl: string): string {
  const kept = claimsInCookie(cookieHeader).filter((c) => c.id !== claim.id);
  const value = [claim, ...kept].slice(0, MAX_CLAIMS).map((c) => `${c.id}.${c.token}`).join('~');
  const url = new URL(publicUrl);
  const path = url.pathname.replace(/\/*$/, '/');
  const expires = new Date(Date.now() + MAX_AGE_MS).toUTCString();
  // Lax: sent on the top-level GET of the redirect to /thread, never on another site's subrequests.
  return `${COOKIE}=${value}; Max-Age=${MAX_AGE_MS / 1000}; Path=${path}; Expires=${expires}; HttpOnly${url.protocol === 'https:' ? '; Secure' : ''}; SameSite=Lax`;
}
