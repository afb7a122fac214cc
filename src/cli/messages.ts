/**
 * The CLI's messages in the operator's language (the `cli` section of src/i18n, chosen by the
 * locale variables), with every count through Intl.PluralRules: "1 comment", "5 комментариев".
 */
import { format, pickLocale, plural, type Strings } from '../i18n/index.js';

export type CliStrings = Strings['cli'];

/** The operator's language, by the POSIX precedence of the locale variables ("de_DE.UTF-8" → de; "C" → English). */
export function cliLocale(env: Record<string, string | undefined> = process.env): Strings {
  const name = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return pickLocale(name);
}

/** `n` with the noun of `forms`, in the locale's plural form ("1 comment", "5 комментариев"). */
export function count(t: Strings, forms: keyof CliStrings, n: number): string {
  const phrase = t.cli[forms];
  if (typeof phrase === 'string') throw new Error(`cli.${String(forms)} is not a plural phrase`);
  return plural(t, phrase, n);
}

/** A sentence of `t.cli` with its placeholders filled. */
export function say(t: Strings, key: keyof CliStrings, values: Record<string, string | number>): string {
  const text = t.cli[key];
  if (typeof text !== 'string') throw new Error(`cli.${String(key)} is a plural phrase`);
  return format(text, values);
}

