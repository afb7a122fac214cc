/**
 * The one rule for the language of everything a request gets back (contract v1.1, "Language of
 * messages"): `?lang=`, then a `lang` field in the request body (JSON or form; the widget sends it),
 * then Accept-Language, else English. Error messages, pages and mail-link pages all ask this.
 */
import type { Request } from 'express';
import type { Strings } from '../i18n/index.js';
import { pickLocale } from '../i18n/index.js';
import { negotiateLanguage } from '../render/locale.js';

/** The language the request asked for, if it asked for one we speak (a LOCALES key). */
export function requestLanguage(req: Request): string | undefined {
  return languageOf(req.query?.lang, req.body, req.get('accept-language'));
}

/** requestLanguage() from the parts of a request, for a door that has no Express request (comment-lane.ts). */
export function languageOf(queryLang: unknown, body: unknown, acceptLanguage: string | undefined): string | undefined {
  const fromBody = body !== null && typeof body === 'object' ? (body as Record<string, unknown>).lang : undefined;
  return negotiateLanguage([queryLang, fromBody], acceptLanguage);
}

/** The strings to answer the request in: its language, else English. */
export function pickRequestLanguage(req: Request): Strings {
  return pickLocale(requestLanguage(req));
}
