import en, { type MailStrings, type MessageKey, type PageStrings, type PluralForms, type Strings } from './en.js';
import ar from './ar.js';
import cs from './cs.js';
import de from './de.js';
import es from './es.js';
import fr from './fr.js';
import he from './he.js';
import it from './it.js';
import ja from './ja.js';
import nl from './nl.js';
import pl from './pl.js';
import pt from './pt.js';
import ru from './ru.js';
import sv from './sv.js';
import tr from './tr.js';
import uk from './uk.js';
import zh from './zh.js';
import { format } from './format.js';

export { format };

export type { MailStrings, MessageKey, PageStrings, PluralForms, Strings };

/** Every language Backtalk speaks; adding one is a file beside this one and a line here. */
export const LOCALES: Readonly<Record<string, Strings>> = { en, ar, cs, de, es, fr, he, it, ja, nl, pl, pt, ru, sv, tr, uk, zh };

export const ENGLISH: Strings = en;

/** The best locale for a `lang` attribute or query value (`ru-RU` → ru), English by default. */
export function pickLocale(lang: string | undefined | null): Strings {
  const base = (lang ?? '').toLowerCase().split(/[-_]/)[0] ?? '';
  return Object.hasOwn(LOCALES, base) ? LOCALES[base]! : en;
}

/** A plural phrase through Intl.PluralRules of the locale. */
export function plural(strings: Strings, forms: PluralForms, n: number): string {
  const category = new Intl.PluralRules(strings.lang).select(n);
  return format(forms[category] ?? forms.other, { n });
}
