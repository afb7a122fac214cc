/** Picks the language of a server-rendered page or message: explicit choices first, then Accept-Language. */
import { LOCALES, pickLocale, type Strings } from '../i18n/index.js';

/** The base language of a tag we speak (`pt-BR` → pt), else undefined. */
function supported(lang: unknown): string | undefined {
  if (typeof lang !== 'string') return undefined;
  const base = lang.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return Object.hasOwn(LOCALES, base) ? base : undefined;
}

/** RFC 9110 §12.5.4: language ranges with optional q-values; the best one we speak wins. */
function fromAcceptLanguage(acceptLanguage: string | undefined): string | undefined {
  const ranges = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [range = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { base: supported(range), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.base !== undefined && r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranges[0]?.base;
}

/**
 * The first of `explicit` (e.g. `?lang=`, then a body field) that names a language we speak, else the
 * browser's Accept-Language; undefined when nothing asked for a language we have. An unknown explicit
 * value falls through rather than forcing English on a browser that asks for a language we have.
 */
export function negotiateLanguage(explicit: unknown, acceptLanguage: string | undefined): string | undefined {
  const choices: readonly unknown[] = Array.isArray(explicit) ? explicit : [explicit];
  for (const choice of choices) {
    const base = supported(choice);
    if (base) return base;
  }
  return fromAcceptLanguage(acceptLanguage);
}

/** negotiateLanguage's answer as strings, English when nothing matched. */
export function negotiateLocale(explicit: unknown, acceptLanguage: string | undefined): Strings {
  return pickLocale(negotiateLanguage(explicit, acceptLanguage));
}
