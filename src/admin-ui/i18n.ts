/**
 * The page's texts: the server renders /admin in the reader's language (?lang=, Accept-Language) and
 * hands this script that language's `admin` strings in `data-strings`, so the bundle carries none.
 */
import type { AdminStrings, MailStrings, PluralForms } from '../i18n/en.js';
import { format } from '../i18n/format.js';

export type AdminTexts = AdminStrings & { kinds: MailStrings['kinds'] };

const holder = document.getElementById('backtalk-admin');

export const T = JSON.parse(holder?.dataset.strings || '{}') as AdminTexts;

/** The page's language, for plural rules, dates and the API's error messages. */
export const LANG = document.documentElement.lang || 'en';

export { format };

/** A plural phrase through Intl.PluralRules of the page's language. */
export function plural(forms: PluralForms, n: number): string {
  return format(forms[new Intl.PluralRules(LANG).select(n)] ?? forms.other, { n });
}
