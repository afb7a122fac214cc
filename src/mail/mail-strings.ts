/**
 * Mail texts: the `mail` section of each language in src/i18n (server-side only: the widget bundle
 * takes just the plural forms of "N comments" from there). A mail is written in the language of the
 * comment it is about; BACKTALK_MAIL_LANG is the fallback for linkbacks and comments stored before
 * languages were recorded.
 */
import { LOCALES, pickLocale, type MailStrings } from '../i18n/index.js';

export type { MailStrings };

/** The languages mails can be written in (every language Backtalk speaks). */
export const MAIL_LANGS: Readonly<Record<string, MailStrings>> = Object.fromEntries(
  Object.entries(LOCALES).map(([lang, strings]) => [lang, strings.mail]),
);

export function mailStrings(lang: string | null | undefined): MailStrings {
  return pickLocale(lang).mail;
}

/** The language and writing direction of a mail written with `s` (for the HTML part's <html lang dir>). */
export function mailLocale(s: MailStrings): { lang: string; dir: 'ltr' | 'rtl' } {
  const locale = Object.values(LOCALES).find((l) => l.mail === s);
  return locale ? { lang: locale.lang, dir: locale.dir } : { lang: 'en', dir: 'ltr' };
}
