import { hash, randomFillSync, timingSafeEqual } from 'node:crypto';

const TOKEN_BYTES = 32;
/**
 * Random bytes are drawn from the CSPRNG in blocks, one call per 32 tokens instead of one per token
 * (each call cost about as much as the whole token; node's randomUUID caches its entropy the same
 * way). Every byte is handed out once; the block is allocated on first use.
 */
const POOL_BYTES = TOKEN_BYTES * 32;
let pool: Buffer | undefined;
let used = POOL_BYTES;

/** A random URL-safe token with 256 bits of entropy. */
export function newToken(): string {
  if (used + TOKEN_BYTES > POOL_BYTES || !pool) {
    pool ??= Buffer.allocUnsafeSlow(POOL_BYTES);
    randomFillSync(pool);
    used = 0;
  }
  const token = pool.toString('base64url', used, used + TOKEN_BYTES);
  used += TOKEN_BYTES;
  return token;
}

export function sha256Hex(value: string): string {
  return hash('sha256', value, 'hex');
}

/** Compares a presented secret with a stored SHA-256 hash in constant time. */
export function matchesHash(presented: string, storedHashHex: string): boolean {
  return sameBytes(Buffer.from(sha256Hex(presented), 'hex'), Buffer.from(storedHashHex, 'hex'));
}

/** Byte equality in constant time (for MACs and hashes); different lengths are simply unequal. */
export function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
