/**
 * Admin sign-in sessions for the moderation page: a signed, stateless cookie value
 * `EXPIRES.NONCE.MAC`, where MAC = HMAC-SHA256(key, GENERATION.EXPIRES.NONCE) and key =
 * HMAC-SHA256(secret, admin token hash). So a session ends when it expires, when the owner signs out
 * everywhere (a new random GENERATION in the settings table), and when the admin token is rotated
 * (`backtalk admin-token`): nothing per session is stored, and every instance on one database agrees.
 *
 * The CSRF token of a session is HMAC(key, "csrf." + NONCE): the page reads it from
 * `GET /api/admin/session` (same origin only; no CORS is granted there) and sends it in a header.
 */
import { createHmac } from 'node:crypto';
import type { Clock } from '../lib/clock.js';
import { newToken, sameBytes } from '../lib/tokens.js';
import type { SettingsRepository } from '../store/repository.js';

export const SESSION_COOKIE = 'backtalk_admin';
export const CSRF_HEADER = 'x-backtalk-csrf';
const GENERATION_KEY = 'admin_session_generation';
/** A generation changed by another instance takes effect here within this long. */
const GENERATION_TTL_MS = 5000;

export interface AdminSession {
  csrf: string;
  expires: Date;
}

export interface AdminSessions {
  readonly maxAgeSeconds: number;
  /** A new session: the cookie value, and what the page needs to know of it. */
  issue(): Promise<AdminSession & { value: string }>;
  /** The session a cookie value stands for, or undefined (malformed, forged, expired, revoked, token rotated). */
  check(value: string): Promise<AdminSession | undefined>;
  /** Ends every session in every browser ("sign out everywhere"). */
  revokeAll(): Promise<void>;
}

export function createAdminSessions(options: {
  secret: string;
  settings: SettingsRepository;
  adminTokenHash: () => Promise<string>;
  clock: Clock;
  maxAgeSeconds: number;
}): AdminSessions {
  const { settings, clock, maxAgeSeconds } = options;
  let generation: string | undefined;
  let generationReadAt = 0;

  async function currentGeneration(): Promise<string> {
    if (generation === undefined || Date.now() - generationReadAt > GENERATION_TTL_MS) {
      generationReadAt = Date.now();
      generation = (await settings.get(GENERATION_KEY)) ?? (await settings.setIfAbsent(GENERATION_KEY, newToken()));
    }
    return generation;
  }

  async function keyNow(): Promise<Buffer> {
    return createHmac('sha256', options.secret).update(await options.adminTokenHash()).digest();
  }

  const mac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest('base64url');

  async function sign(expires: number, nonce: string): Promise<{ mac: string; csrf: string }> {
    const key = await keyNow();
    return { mac: mac(key, `${await currentGeneration()}.${expires}.${nonce}`), csrf: mac(key, `csrf.${nonce}`) };
  }

  return {
    maxAgeSeconds,
    async issue() {
      const expires = Math.floor(clock.now().getTime() / 1000) + maxAgeSeconds;
      const nonce = newToken();
      const signed = await sign(expires, nonce);
      return { value: `${expires}.${nonce}.${signed.mac}`, csrf: signed.csrf, expires: new Date(expires * 1000) };
    },
    async check(value) {
      const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{43})$/.exec(value);
      if (!match) return undefined;
      const expires = Number(match[1]);
      if (expires * 1000 <= clock.now().getTime()) return undefined;
      const signed = await sign(expires, match[2]!);
      if (!sameBytes(Buffer.from(signed.mac), Buffer.from(match[3]!))) return undefined;
      return { csrf: signed.csrf, expires: new Date(expires * 1000) };
    },
    async revokeAll() {
      generation = newToken();
      generationReadAt = Date.now();
      await settings.set(GENERATION_KEY, generation);
    },
  };
}

/** The value of cookie `name` in a Cookie header, if present once or more (the first wins). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Constant-time comparison of a presented CSRF token with the session's. */
export function csrfMatches(presented: string | undefined, session: AdminSession): boolean {
  return presented !== undefined && sameBytes(Buffer.from(presented), Buffer.from(session.csrf));
}
