/**
 * A rendered response body with its compressed variants (issue 15.4). Each variant is made at most
 * once, the first time a client asks for it, and lives as long as the body does: the caches keep one
 * EncodedBody per (view, thread version), so a thread is compressed once per change, not per read.
 */
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Request, Response } from 'express';
import { negotiateCoding, type ContentCoding } from './content-coding.js';

/**
 * Brotli quality 5: on the JSON of 100 comments (~40 KB) faster than gzip -6 and a fifth smaller;
 * qualities 9 and 11 took 50–120 ms on the same body for 3–15 % less, too long to hold a thread-pool
 * slot even once per version. Figures in docs/benchmarks.md ("Compressed reads").
 */
export const BROTLI_QUALITY = 5;
export const GZIP_LEVEL = 6;

export type CompressedCoding = Exclude<ContentCoding, 'identity'>;

/** Told of every compression actually run (the metrics count them, and tests read that count). */
export type CompressionHook = (view: string, coding: CompressedCoding) => void;

const ETAG_SUFFIX: Record<CompressedCoding, string> = { br: '-br', gzip: '-gz' };

/**
 * The ETag of one coding of a representation: identity keeps the plain tag, a compressed variant gets a
 * suffix inside the quotes. Distinct tags per coding (RFC 9110 §8.8.3.3 shows the same for gzip): a
 * cache that stored both variants learns from a 304's ETag which one it may reuse.
 */
export function codedEtag(etag: string, coding: ContentCoding): string {
  return coding === 'identity' ? etag : `${etag.slice(0, -1)}${ETAG_SUFFIX[coding]}"`;
}

export class EncodedBody {
  private readonly done = new Map<CompressedCoding, Buffer>();
  private readonly pending = new Map<CompressedCoding, Promise<Buffer>>();

  /**
   * @param identity the uncompressed body
   * @param etag its (identity) ETag; codedEtag gives the others
   * @param view what it is a body of, for the compression counter (comments, counts, thread, feed)
   */
  constructor(readonly identity: Buffer, readonly etag: string, private readonly view: string, private readonly onCompress?: CompressionHook) {}

  /** The body in this coding if it is already made (synchronous: the node:http fast lane uses it). */
  ready(coding: ContentCoding): Buffer | undefined {
    return coding === 'identity' ? this.identity : this.done.get(coding);
  }

  /** The body in this coding, compressing it now (on the thread pool, once) if nobody asked before. */
  encoded(coding: ContentCoding): Buffer | Promise<Buffer> {
    if (coding === 'identity') return this.identity;
    const made = this.done.get(coding);
    if (made) return made;
    let pending = this.pending.get(coding);
    if (!pending) {
      this.onCompress?.(this.view, coding);
      pending = compress(this.identity, coding).then((buf) => {
        this.done.set(coding, buf);
        this.pending.delete(coding);
        return buf;
      });
      // A failed compression (out of memory) is not remembered: the next reader tries again.
      pending.catch(() => this.pending.delete(coding));
      this.pending.set(coding, pending);
    }
    return pending;
  }

  /** Bytes to account for in a cache: the identity body plus room for its two compressed variants. */
  get reservedBytes(): number {
    // A compressed variant of text is far smaller than the original; twice the original bounds both.
    return this.identity.length * 2;
  }
}

function compress(body: Buffer, coding: CompressedCoding): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, out: Buffer) => (err ? reject(err) : resolve(out));
    if (coding === 'gzip') {
      gzip(body, { level: GZIP_LEVEL }, done);
    } else {
      brotliCompress(body, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
        },
      }, done);
    }
  });
}

/**
 * The coding this request gets and the ETag that goes with it; sets `Vary: Accept-Encoding`, which
 * every answer of a compressed view carries, 304s and identity answers included (a shared cache must
 * not hand a br body to a client that did not ask for one).
 */
export function negotiate(req: Request, res: Response, etag: string): { coding: ContentCoding; etag: string } {
  res.vary('Accept-Encoding');
  const coding = negotiateCoding(req.headers['accept-encoding']);
  return { coding, etag: codedEtag(etag, coding) };
}

/** Sends the body in the coding, with Content-Type, Content-Encoding and Content-Length (other headers are the caller's). */
export async function sendEncoded(res: Response, body: EncodedBody, coding: ContentCoding, contentType: string): Promise<void> {
  const bytes = await body.encoded(coding);
  res.setHeader('Content-Type', contentType);
  if (coding !== 'identity') res.setHeader('Content-Encoding', coding);
  res.setHeader('Content-Length', bytes.length);
  res.end(bytes);
}
