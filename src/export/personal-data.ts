/**
 * A subject-access answer: everything stored about one e-mail address, as JSON. Shared by the CLI
 * (`backtalk personal-data export`) and the admin API (`GET /api/admin/personal-data`).
 */
import type { PersonalData } from '../store/repository.js';

export function personalDataJson(data: PersonalData): Record<string, unknown> {
  return {
    email: data.email,
    exported: new Date().toISOString(),
    comments: data.comments.map((c) => ({
      id: c.id, target: c.target, parent: c.parent, type: c.kind, status: c.status, author: c.author, email: c.email,
      url: c.url, body_raw: c.bodyRaw, body_html: c.bodyHtml, source: c.source, title: c.title, ip: c.ip,
      user_agent: c.userAgent, deleted: c.deleted, created: c.created.toISOString(), edited: c.edited?.toISOString() ?? null,
    })),
    subscriptions: data.subscriptions.map((s) => ({ target: s.target, confirmed: s.confirmed, created: s.created.toISOString() })),
  };
}

export const ERASE_MODES = ['anonymize', 'remove'] as const;
