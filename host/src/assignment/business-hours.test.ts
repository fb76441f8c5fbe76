import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isIsoDate, isOpenAt, localTime, parseRange, WEEKDAYS, type BusinessHours } from './business-hours.js';

const ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/Santiago', 'Pacific/Chatham', 'UTC'];
// 2020-01-01 to 2030-01-01: every DST transition of those zones in a decade
const instant = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) });

/** The zone's UTC offset at an instant in minutes, read from Intl's `longOffset` name (independent of the wall-clock parts). */
function offsetMinutes(at: number, timeZone: string): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(new Date(at)).find((p) => p.type === 'timeZoneName')!.value;
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

const range = fc.tuple(fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 1, max: 1440 }))
  .filter(([s, e]) => e > s)
  .map(([s, e]) => `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}-${e === 1440 ? '24:00' : `${String(Math.floor(e / 60)).padStart(2, '0')}:${String(e % 60).padStart(2, '0')}`}`);
const weekly = fc.dictionary(fc.constantFrom(...WEEKDAYS), fc.array(range, { maxLength: 3 }));

describe('business hours', () => {
  it('reads the wall clock as the zone\'s offset says, across every DST transition (property)', () => {
    fc.assert(fc.property(instant, fc.constantFrom(...ZONES), (at, zone) => {
      const shifted = new Date(at + offsetMinutes(at, zone) * 60_000);
      const local = localTime(at, zone);
      expect(local.date).toBe(shifted.toISOString().slice(0, 10));
      expect(local.minute).toBe(shifted.getUTCHours() * 60 + shifted.getUTCMinutes());
      expect(local.weekday).toBe(WEEKDAYS[(shifted.getUTCDay() + 6) % 7]);
    }), { numRuns: 2000 });
  });

  it('is open exactly when the local minute falls in a range of that weekday and the date is no holiday (property)', () => {
    fc.assert(fc.property(instant, fc.constantFrom(...ZONES), weekly, fc.boolean(), (at, zone, w, holiday) => {
      const shifted = new Date(at + offsetMinutes(at, zone) * 60_000);
      const date = shifted.toISOString().slice(0, 10);
      const hours: BusinessHours = { timeZone: zone, weekly: w, holidays: holiday ? [date] : ['1999-01-01'] };
      const minute = shifted.getUTCHours() * 60 + shifted.getUTCMinutes();
      const day = WEEKDAYS[(shifted.getUTCDay() + 6) % 7]!;
      const expected = !holiday && (w[day] ?? []).some((r) => { const p = parseRange(r)!; return minute >= p.start && minute < p.end; });
      expect(isOpenAt(hours, at)).toBe(expected);
    }), { numRuns: 2000 });
  });

  it('a round-the-clock schedule is open at every instant, DST nights included (property)', () => {
    const always = Object.fromEntries(WEEKDAYS.map((d) => [d, ['00:00-24:00']]));
    fc.assert(fc.property(instant, fc.constantFrom(...ZONES), (at, zone) => isOpenAt({ timeZone: zone, weekly: always }, at)), { numRuns: 1000 });
  });

  it('follows the spring-forward and fall-back nights of Berlin', () => {
    const sunday = { timeZone: 'Europe/Berlin', weekly: { sun: ['02:30-03:30'] } };
    // 2026-03-29: 02:00 CET jumps to 03:00 CEST — 00:59Z is 01:59 local, 01:00Z is 03:00 local
    expect(isOpenAt(sunday, Date.UTC(2026, 2, 29, 0, 59))).toBe(false);
    expect(isOpenAt(sunday, Date.UTC(2026, 2, 29, 1, 0))).toBe(true);
    expect(isOpenAt(sunday, Date.UTC(2026, 2, 29, 1, 30))).toBe(false);
    // 2026-10-25: 02:30 local happens twice (00:30Z CEST and 01:30Z CET) — open both times
    expect(isOpenAt(sunday, Date.UTC(2026, 9, 25, 0, 30))).toBe(true);
    expect(isOpenAt(sunday, Date.UTC(2026, 9, 25, 1, 30))).toBe(true);
    expect(isOpenAt(sunday, Date.UTC(2026, 9, 25, 2, 30))).toBe(false);
  });

  it('reads ranges and dates strictly (property)', () => {
    fc.assert(fc.property(range, (r) => parseRange(r) !== undefined));
    expect(parseRange('18:00-09:00')).toBeUndefined();
    expect(parseRange('9:00-17:00')).toBeUndefined();
    expect(parseRange('00:00-24:00')).toEqual({ start: 0, end: 1440 });
    fc.assert(fc.property(fc.string(), (s) => { parseRange(s); isIsoDate(s); }));
    expect(isIsoDate('2026-12-25')).toBe(true);
    expect(isIsoDate('2026-02-30')).toBe(false);
  });
});
