import en, { type PluralForms, type Strings } from './en.js';
import ru from './ru.js';
import { format } from './format.js';

export { format };

export type { Strings };

/** Every language Backtalk speaks; adding one is a file beside this one and a line here. */
export const LOCALES: Readonly<Record<string, Strings>> = { en: en as Strings, ru };

/** The best locale for a `lang` attribute or query value (`ru-RU` → ru), English by default. */
export function pickLocale(lang: string | undefined | null): Strings {
  const base = (lang ?? '').toLowerCase().split(/[-_]/)[0] ?? '';
  return LOCALES[base] ?? (en as Strings);
}


/** A plural phrase through Intl.PluralRules of the locale. */
export function plural(strings: Strings, forms: PluralForms, n: number): string {
  const category = new Intl.PluralRules(strings.lang).select(n);
  return format(forms[category] ?? forms.other, { n });
}
