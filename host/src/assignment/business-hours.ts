/**
 * Business hours of a queue: weekly opening ranges in an IANA time zone, and holidays (whole local
 * dates closed). Computed with the runtime's own time-zone data (Intl), so daylight-saving changes
 * follow the zone's rules: a local time that does not exist (the hour skipped in spring) is never
 * reached, and a local time that happens twice (the hour repeated in autumn) is open both times when
 * its range covers it.
 * @module
 */

/** The days of the week, Monday first, as the config spells them. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
/** A day of the week. */
export type Weekday = (typeof WEEKDAYS)[number];

/** A queue's hours: `weekly.mon = ['09:00-12:30', '13:30-18:00']`, local to `timeZone`. */
export interface BusinessHours {
  /** IANA time zone (`Europe/Berlin`). */
  timeZone: string;
  /** Opening ranges per day, `HH:MM-HH:MM` (the end may be `24:00`; a day not listed is closed). */
  weekly: Partial<Record<Weekday, readonly string[]>>;
  /** Local dates (`YYYY-MM-DD`) closed all day. */
  holidays?: readonly string[];
}

/** A wall-clock moment in a zone. */
export interface LocalTime {
  /** `YYYY-MM-DD` */
  date: string;
  weekday: Weekday;
  /** Minutes since local midnight, 0–1439. */
  minute: number;
}

/** `HH:MM-HH:MM` with the end after the start (`24:00` allowed as an end). */
export const RANGE_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)-(([01]\d|2[0-3]):([0-5]\d)|24:00)$/;

/**
 * Reads an opening range.
 * @param range - `HH:MM-HH:MM`
 * @returns start and end in minutes since midnight, or undefined when malformed or empty
 */
export function parseRange(range: string): { start: number; end: number } | undefined {
  const m = RANGE_PATTERN.exec(range);
  if (!m) return undefined;
  const start = Number(m[1]) * 60 + Number(m[2]);
  const end = m[3] === '24:00' ? 1440 : Number(m[4]) * 60 + Number(m[5]);
  return end > start ? { start, end } : undefined;
}

/**
 * Whether a string is a real calendar date `YYYY-MM-DD`.
 * @param s - the string
 * @returns true for e.g. `2026-12-25`, false for `2026-02-30`
 */
export function isIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const SHORT_DAYS: Record<string, Weekday> = { Mon: 'mon', Tue: 'tue', Wed: 'wed', Thu: 'thu', Fri: 'fri', Sat: 'sat', Sun: 'sun' };

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * The wall-clock date, weekday and minute of an instant in a zone.
 * @param instant - ms since the epoch
 * @param timeZone - IANA time zone
 * @returns the local time
 * @throws RangeError when the zone is unknown
 */
export function localTime(instant: number, timeZone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(instant))) parts[p.type] = p.value;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: SHORT_DAYS[parts.weekday!]!,
    minute: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

/**
 * Whether a queue is open at an instant.
 * @param hours - the queue's hours
 * @param instant - ms since the epoch
 * @returns true inside a weekly range on a day that is not a holiday
 */
export function isOpenAt(hours: BusinessHours, instant: number): boolean {
  const local = localTime(instant, hours.timeZone);
  if (hours.holidays?.includes(local.date)) return false;
  return (hours.weekly[local.weekday] ?? []).some((r) => {
    const range = parseRange(r);
    return range !== undefined && local.minute >= range.start && local.minute < range.end;
  });
}
