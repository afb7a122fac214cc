/**
 * Wall-clock times in a named IANA time zone, for formats that store local time next to UTC
 * (WordPress's `post_date` and `post_date_gmt`), with the zone's daylight-saving rules from Intl.
 */

/** True when `name` is an IANA time zone this runtime knows (`Asia/Novosibirsk`, `UTC`, …). */
export function isTimeZone(name: string): boolean {
  // UTC (the default) and canonical names are answered without making a DateTimeFormat: the first one
  // in the process pages in ~6 MiB of ICU locale data from the node binary, which a server checking
  // its configuration at start-up need not hold. Aliases and other spellings take the full check.
  if (name === 'UTC' || Intl.supportedValuesOf('timeZone').includes(name)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const formats = new Map<string, Intl.DateTimeFormat>();

function formatIn(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formats.set(timeZone, format);
  }
  return format;
}

/** The wall-clock fields of instant `d` in `timeZone`, as a UTC timestamp with those fields (seconds precision). */
function wallClockMs(d: Date, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatIn(timeZone).formatToParts(d)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
}

/** `YYYY-MM-DD HH:MM:SS` of `d` in `timeZone` (MySQL's DATETIME, as WordPress writes it). */
export function localDateTime(d: Date, timeZone: string): string {
  return new Date(wallClockMs(d, timeZone)).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * The instant whose wall-clock time in `timeZone` is `wall` (given as a UTC timestamp with those
 * fields). A time skipped by a daylight-saving jump maps to the instant after the jump; a time that
 * occurs twice, to the first.
 */
export function fromLocalDateTime(wall: number, timeZone: string): Date {
  // Two rounds find the offset in force at the instant itself, also right after a transition.
  let instant = wall - (wallClockMs(new Date(wall), timeZone) - wall);
  instant = wall - (wallClockMs(new Date(instant), timeZone) - instant);
  return new Date(instant);
}
