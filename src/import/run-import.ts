/**
 * Imports one file into the store as a single transaction: every record is read, cleaned and
 * inserted, and only a file read to its end without error is committed. Nothing is spam-checked
 * and nobody is notified: these comments were moderated where they came from.
 */
import { stat } from 'node:fs/promises';
import type { ImportCounts, Store, TransferComment, TransferThread } from '../store/repository.js';
import { readDisqus } from './disqus.js';
import { readIsso } from './isso.js';
import { readJsonExport } from './json.js';
import { ImportError, type ImportRecord } from './record.js';
import { placeOnSites } from './site-mapping.js';
import { readWxr } from './wxr.js';

export const IMPORT_FORMATS = ['wxr', 'disqus', 'isso', 'json'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface ImportRequest {
  format: ImportFormat;
  file: string;
  /** Origin Isso's thread paths are resolved against. */
  site: string;
  keepIp: boolean;
  /**
   * BACKTALK_SITES: a file with posts on none of them is refused (site-mapping.ts). Undefined skips
   * the check, for tools that fill a store no server reads.
   */
  sites?: readonly string[];
  /** Origin → configured site origin (`--map-origin`), applied before that check. */
  originMap?: ReadonlyMap<string, string>;
  /** BACKTALK_TIMEZONE: the zone of WXR local times when a file lacks the `_gmt` ones. */
  timeZone?: string;
  /** Reads and inserts everything, then rolls back: the counts say what a real import would add. */
  dryRun?: boolean;
  /** `done` out of `total`: bytes for files, rows for Isso. */
  onProgress?: (done: number, total: number) => void;
}

export async function importFile(store: Store, request: ImportRequest): Promise<ImportCounts> {
  let size: number;
  try {
    size = (await stat(request.file)).size;
  } catch (err) {
    throw new ImportError(request.file, `cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const options = { keepIp: request.keepIp, timeZone: request.timeZone ?? 'UTC' };
  const placement = request.sites ? placeOnSites(request.sites, request.originMap) : undefined;
  const bytes = (n: number) => request.onProgress?.(n, size);
  const reader: AsyncIterable<ImportRecord[]> = {
    wxr: () => readWxr(request.file, options, bytes),
    disqus: () => readDisqus(request.file, options, bytes),
    isso: () => readIsso(request.file, request.site, options, request.onProgress),
    json: () => readJsonExport(request.file, bytes),
  }[request.format]();

  const session = await store.transfer.beginImport();
  const totals: ImportCounts = { threads: 0, comments: 0, skipped: 0 };
  try {
    for await (const records of reader) {
      const threads: TransferThread[] = [];
      const comments: TransferComment[] = [];
      for (const r of records) {
        const target = placement ? placement.place(r.type === 'thread' ? r.thread.target : r.comment.target) : (r.type === 'thread' ? r.thread.target : r.comment.target);
        if (target === undefined) continue;
        if (r.type === 'thread') threads.push({ ...r.thread, target });
        else comments.push({ ...r.comment, target });
      }
      const counts = await session.importBatch({ threads, comments });
      totals.threads += counts.threads;
      totals.comments += counts.comments;
      totals.skipped += counts.skipped;
    }
    // Read to the end first, so the refusal names every origin the file has.
    placement?.check(request.file);
    if (request.dryRun) {
      await session.rollback();
      return totals;
    }
    return await session.commit();
  } catch (err) {
    await session.rollback();
    throw err;
  }
}
