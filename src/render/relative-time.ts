/** "3 hours ago" through Intl.RelativeTimeFormat, in the reader's language. Pure. */

const UNITS: ReadonlyArray<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

// Building an Intl formatter costs far more than using one; a thread page formats hundreds of dates.
const relativeFormats = new Map<string, Intl.RelativeTimeFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();

function cached<T>(map: Map<string, T>, lang: string, make: () => T): T {
  let value = map.get(lang);
  if (value === undefined) map.set(lang, (value = make()));
  return value;
}

/** The largest unit that fits, rounded down, so "59 minutes ago" never shows as "1 hour ago". */
export function relativeTime(when: Date, now: Date, lang: string): string {
  const seconds = Math.round((when.getTime() - now.getTime()) / 1000);
  const format = cached(relativeFormats, lang, () => new Intl.RelativeTimeFormat(lang, { numeric: 'auto' }));
  const abs = Math.abs(seconds);
  for (const [unit, size] of UNITS) {
    if (abs >= size || unit === 'second') {
      const value = Math.trunc(seconds / size);
      return format.format(value === 0 ? 0 : value, unit);
    }
  }
  return format.format(0, 'second');
}

/** An absolute date for the `title` tooltip. */
export function absoluteTime(when: Date, lang: string): string {
  const format = cached(dateFormats, lang, () => new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }));
  return format.format(when) + ' UTC';
}
