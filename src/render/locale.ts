/** Picks the language of a server-rendered page: an explicit `lang`, else the browser's Accept-Language. */
import { LOCALES, pickLocale, type Strings } from '../i18n/index.js';

/** RFC 9110 §12.5.4: language ranges with optional q-values; the best one we speak wins. */
export function negotiateLocale(lang: unknown, acceptLanguage: string | undefined): Strings {
  if (typeof lang === 'string' && lang.trim() !== '') return pickLocale(lang);
  const ranges = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [range = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { base: range.toLowerCase().split('-')[0] ?? '', q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.base !== '' && r.q > 0 && Object.hasOwn(LOCALES, r.base))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return pickLocale(ranges[0]?.base);
}
