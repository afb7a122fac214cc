/**
 * HTTP caching of the public reads (GET /api/comments, /api/counts, the widget's thread page):
 * ETags made from the store's per-thread version (bumped by triggers on every public change to a
 * thread or its approved comments, whoever writes, and never by held or spam ones: schema step
 * 7 → 8), so a conditional request is answered 304 after one indexed
 * lookup and no comment reads; and a small in-process cache of rendered bodies keyed by the same
 * version, so an unchanged thread is not read and serialized again for every reader.
 */
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import type { EncodedBody } from '../encoded-body.js';

/**
 * For a CDN or proxy in front: browsers always revalidate (max-age=0, cheap with the ETag); a shared
 * cache may serve its copy for 30 s and, while it revalidates in the background, a stale one for 30 s
 * more. So a new, edited, deleted or moderated comment shows everywhere within 60 s at worst (at
 * once without a CDN, since every browser request is revalidated here). See docs/benchmarks.md.
 */
export const PUBLIC_CACHE_CONTROL = 'public, max-age=0, s-maxage=30, stale-while-revalidate=30';

/** A weak ETag over the given parts (weak: a proxy may recompress the body). */
export function etagOf(...parts: string[]): string {
  return `W/"${createHash('sha1').update(parts.join('\n')).digest('base64url').slice(0, 22)}"`;
}

/**
 * Sets the caching headers and answers 304 (no body) when the request's If-None-Match matches;
 * returns true when it did, so the caller stops there.
 */
export function notModified(req: Request, res: Response, etag: string): boolean {
  res.setHeader('Cache-Control', PUBLIC_CACHE_CONTROL);
  res.setHeader('ETag', etag);
  if (!ifNoneMatchHits(req.get('if-none-match'), etag)) return false;
  res.status(304).end();
  return true;
}

/**
 * RFC 9110 §13.1.2: `*` or any listed entity tag equal to ours under weak comparison. Not req.fresh:
 * that refuses whenever the request says `Cache-Control: no-cache`, which is exactly what a CDN (and
 * fetch()) sends when revalidating, and a revalidation must still be answered 304.
 */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const ours = opaque(etag);
  for (const tag of header.split(',')) {
    if (opaque(tag.trim()) === ours) return true;
  }
  return false;
}

const opaque = (tag: string): string => (tag.startsWith('W/') ? tag.slice(2) : tag);

interface Entry {
  validator: string;
  body: EncodedBody;
}

/**
 * Rendered bodies (with their compressed variants, see ../encoded-body.ts) by key, least recently
 * used evicted past `maxBytes`. An entry is only used when its validator (the ETag, or the thread
 * version it was rendered from) equals the current one, so it can never be stale; an old one is
 * simply replaced.
 */
export class BodyCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string, validator: string): EncodedBody | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.validator !== validator) return undefined;
    // Map keeps insertion order: re-inserting marks the entry as the most recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.body;
  }

  /**
   * Stores the body and returns the one to use: the body already stored for the same key and
   * validator when two readers rendered the same version at once, so that its compressed variants
   * are made once, not once per reader.
   */
  keep(key: string, validator: string, body: EncodedBody): EncodedBody {
    const existing = this.get(key, validator);
    if (existing) return existing;
    const size = body.reservedBytes + key.length * 2;
    if (size > this.maxBytes / 4) return body; // one huge thread must not push everything else out
    this.delete(key);
    this.entries.set(key, { validator, body });
    this.bytes += size;
    for (const [oldKey] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.delete(oldKey);
    }
    return body;
  }

  private delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.body.reservedBytes + key.length * 2;
  }
}
