/**
 * A thread as the public API lists it and every stored row as the admin API lists it, for the
 * linkback tests (TrackBack and Pingback check the same rows), and the text a reader sees in a row.
 */
import assert from 'node:assert/strict';

import { POST, type TestServer } from './test-server.js';

export interface PublicItem {
  id: number;
  type: string;
  author: string;
  url: string;
  body_html: string;
  source: string | null;
  title: string | null;
}

export interface AdminItem extends PublicItem {
  status: string;
  target: string;
}

export async function publicItems(server: TestServer, target: string = POST): Promise<PublicItem[]> {
  const res = await server.request(`/api/comments?target=${encodeURIComponent(target)}`);
  assert.equal(res.status, 200, `GET /api/comments answered ${res.status}`);
  return ((await res.json()) as { comments: PublicItem[] }).comments;
}

export async function adminItems(server: TestServer, status: string): Promise<AdminItem[]> {
  const res = await server.admin(`/api/admin/comments?status=${status}&limit=500`);
  assert.equal(res.status, 200, `admin list ${status} answered ${res.status}`);
  return ((await res.json()) as { comments: AdminItem[] }).comments;
}

/** Every stored row, whatever its status. */
export async function allRows(server: TestServer): Promise<AdminItem[]> {
  const rows: AdminItem[] = [];
  for (const status of ['approved', 'pending', 'spam', 'trash']) rows.push(...(await adminItems(server, status)));
  return rows;
}

/** The text a reader sees in `body_html`: tags removed, entities decoded. */
export function textOf(html: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', hellip: '…' };
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&(?:#x([\dA-Fa-f]+)|#(\d+)|([a-z]+));/g, (all, hex?: string, dec?: string, name?: string) =>
      hex ? String.fromCodePoint(parseInt(hex, 16)) : dec ? String.fromCodePoint(Number(dec)) : (named[name!] ?? all),
    )
    .trim();
}

/** A lone UTF-16 surrogate: what a cut through the middle of an emoji leaves. */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
