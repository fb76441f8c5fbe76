import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { BCBP_LEG_LENGTH, BCBP_UNIQUE_LENGTH, bcbpNameProblem, bcbpPassengerName, dayOfYear, encodeBcbp, parseBcbp, type BcbpData, type BcbpLeg } from './bcbp.js';

const printable = (min: number, max: number): fc.Arbitrary<string> => fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: min, maxLength: max });

const legArb: fc.Arbitrary<BcbpLeg> = fc.record({
  pnr: fc.stringMatching(/^[A-Z0-9]{1,7}$/),
  from: fc.stringMatching(/^[A-Z]{3}$/),
  to: fc.stringMatching(/^[A-Z]{3}$/),
  carrier: fc.stringMatching(/^[A-Z0-9]{2,3}$/),
  flightNumber: fc.stringMatching(/^[1-9][0-9]{0,3}[A-Z]?$/),
  julianDate: fc.integer({ min: 1, max: 366 }),
  compartment: fc.stringMatching(/^[A-Z]$/),
  seat: fc.stringMatching(/^[1-9][0-9]{0,2}[A-Z]$/),
  sequence: fc.stringMatching(/^(?:0|[1-9][0-9]{0,3})[A-Z]?$/),
  passengerStatus: fc.stringMatching(/^[A-Z0-9]$/),
  variable: fc.option(printable(1, 255), { nil: undefined }),
}, { requiredKeys: ['pnr', 'from', 'to', 'carrier', 'flightNumber', 'julianDate', 'compartment', 'seat', 'sequence', 'passengerStatus'] });

const passArb: fc.Arbitrary<BcbpData> = fc.record({
  passengerName: fc.stringMatching(/^[A-Z](?:[A-Z/ .'-]{0,18}[A-Z/.'-])?$/),
  electronicTicket: fc.boolean(),
  legs: fc.array(legArb, { minLength: 1, maxLength: 4 }),
  security: fc.option(printable(0, 512), { nil: undefined }),
}, { requiredKeys: ['passengerName', 'electronicTicket', 'legs'] });

/** Parses, and says whether it threw only the typed error. */
function parseOrTypedError(text: string): { ok: true; value: BcbpData } | { ok: false } {
  try {
    return { ok: true, value: parseBcbp(text) };
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe('VALIDATION_FAILED');
    expect(String((error as ValidationError).details?.field)).toMatch(/^bcbp/);
    return { ok: false };
  }
}

describe('the IATA Resolution 792 mandatory items', () => {
  it('reads the mandatory items of the resolution\'s own example pass (Attachment B, example 1) and writes them back unchanged', () => {
    const example = 'M1DESMARAIS/LUC       EABC123 YULFRAAC 0834 326J001A0025 100';
    const parsed = parseBcbp(example);
    expect(parsed).toEqual({
      passengerName: 'DESMARAIS/LUC', electronicTicket: true,
      legs: [{ pnr: 'ABC123', from: 'YUL', to: 'FRA', carrier: 'AC', flightNumber: '834', julianDate: 326, compartment: 'J', seat: '1A', sequence: '25', passengerStatus: '1' }],
    });
    expect(encodeBcbp(parsed)).toBe(example);
  });

  it('writes a boarding pass as 60 fixed-width characters: letters left-aligned with blanks, numbers right-aligned with zeros', () => {
    const text = encodeBcbp({
      passengerName: 'COSTA/ANA', electronicTicket: true,
      legs: [{ pnr: 'K7Q2ZP', from: 'BER', to: 'LIS', carrier: 'LM', flightNumber: '417', julianDate: 348, compartment: 'Y', seat: '12A', sequence: '25', passengerStatus: '1' }],
    });
    expect(text).toBe('M1COSTA/ANA           EK7Q2ZP BERLISLM 0417 348Y012A0025 100');
    expect(text).toHaveLength(60);
  });

  it('property: every pass round-trips, and every item sits at its fixed offset with its fixed width', () => {
    fc.assert(fc.property(passArb, (pass) => {
      const text = encodeBcbp(pass);
      expect(parseBcbp(text)).toEqual(pass);
      expect(text.length).toBe(BCBP_UNIQUE_LENGTH + pass.legs.reduce((n, l) => n + BCBP_LEG_LENGTH + (l.variable?.length ?? 0), 0) + (pass.security === undefined ? 0 : 1 + pass.security.length));
      expect(text.slice(0, 2)).toBe(`M${pass.legs.length}`);
      expect(text.slice(2, 22)).toBe(pass.passengerName.padEnd(20));
      expect(text[22]).toBe(pass.electronicTicket ? 'E' : ' ');
      let at = BCBP_UNIQUE_LENGTH;
      for (const leg of pass.legs) {
        const item = (offset: number, width: number): string => text.slice(at + offset, at + offset + width);
        expect(item(0, 7)).toBe(leg.pnr.padEnd(7));
        expect(item(7, 6)).toBe(leg.from + leg.to);
        expect(item(13, 3)).toBe(leg.carrier.padEnd(3));
        expect(item(16, 5)).toMatch(/^\d{4}[A-Z ]$/);
        expect(Number(item(16, 4))).toBe(parseInt(leg.flightNumber, 10));
        expect(item(21, 3)).toBe(String(leg.julianDate).padStart(3, '0'));
        expect(item(24, 1)).toBe(leg.compartment);
        expect(item(25, 4)).toBe(leg.seat.slice(0, -1).padStart(3, '0') + leg.seat.slice(-1));
        expect(Number(item(29, 4))).toBe(parseInt(leg.sequence, 10));
        expect(item(34, 1)).toBe(leg.passengerStatus);
        expect(parseInt(item(35, 2), 16)).toBe(leg.variable?.length ?? 0);
        at += BCBP_LEG_LENGTH + (leg.variable?.length ?? 0);
      }
    }), { numRuns: 300 });
  });

  it('property: whatever the parser accepts is canonical — writing it back gives the same string (one character changed anywhere)', () => {
    fc.assert(fc.property(passArb, fc.nat(), fc.integer({ min: 0x20, max: 0x7e }), (pass, index, code) => {
      const text = encodeBcbp(pass);
      const i = index % text.length;
      const changed = text.slice(0, i) + String.fromCharCode(code) + text.slice(i + 1);
      const result = parseOrTypedError(changed);
      if (result.ok) expect(encodeBcbp(result.value)).toBe(changed);
    }), { numRuns: 1000 });
  });

  it('property: the parser throws nothing but its typed error naming a bcbp field, on any string or any cut of a valid one', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 120 }), printable(55, 70)), (text) => { parseOrTypedError(text); }), { numRuns: 500 });
    fc.assert(fc.property(passArb, fc.nat(), (pass, cut) => {
      const text = encodeBcbp(pass);
      const result = parseOrTypedError(text.slice(0, cut % text.length));
      if (result.ok) expect(encodeBcbp(result.value)).toBe(text.slice(0, cut % text.length));
    }), { numRuns: 300 });
  });

  it('property: the encoder refuses an item out of its format with the typed error naming it, never writes a misaligned string', () => {
    const fields = ['pnr', 'from', 'to', 'carrier', 'flightNumber', 'compartment', 'seat', 'sequence', 'passengerStatus'] as const;
    fc.assert(fc.property(passArb, fc.constantFrom(...fields), fc.string({ maxLength: 9 }), (pass, field, value) => {
      const leg = { ...pass.legs[0]!, [field]: value };
      let text: string | undefined;
      try {
        text = encodeBcbp({ ...pass, legs: [leg, ...pass.legs.slice(1)] });
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).details?.field).toBe(`bcbp.legs[0].${field}`);
        return;
      }
      // accepted: the value was in format, so the string still parses back to it
      expect(parseBcbp(text).legs[0]![field]).toBe(value);
    }), { numRuns: 500 });
    expect(() => encodeBcbp({ passengerName: 'COSTA/ANA ', electronicTicket: true, legs: [] })).toThrow(/bcbp.passengerName/);
    expect(() => encodeBcbp({ passengerName: 'COSTA/ANA', electronicTicket: true, legs: [] })).toThrow(/bcbp.legs/);
  });
});

describe('the BCBP passenger name', () => {
  it('is SURNAME/GIVEN NAMES in Latin capitals: accents dropped, special letters spelled out, apostrophes dropped, cut to 20', () => {
    expect(bcbpPassengerName('Costa', 'Ana')).toBe('COSTA/ANA');
    expect(bcbpPassengerName('Aydın', 'Kemal')).toBe('AYDIN/KEMAL');
    expect(bcbpPassengerName('Müller-Lüdenscheidt', 'Jürgen')).toBe('MULLER-LUDENSCHEIDT/');
    expect(bcbpPassengerName('Strauß', 'Øystein')).toBe('STRAUSS/OYSTEIN');
    expect(bcbpPassengerName("O'Brien", 'Seán Óg')).toBe('OBRIEN/SEAN OG');
    expect(bcbpPassengerName('van der Berg', 'Johanna')).toBe('VAN DER BERG/JOHANNA');
  });

  it('refuses a name with no Latin form, naming the part', () => {
    expect(() => bcbpPassengerName('Иванов', 'Ivan')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED', details: expect.objectContaining({ field: 'passenger.surname' }) }));
    expect(() => bcbpPassengerName('Li', '明')).toThrow(expect.objectContaining({ details: expect.objectContaining({ field: 'passenger.givenName' }) }));
    expect(bcbpNameProblem('- -')).toBe('must hold at least one letter');
    expect(bcbpNameProblem('Ana')).toBeUndefined();
  });

  it('property: any two strings give a name the encoder takes (or the typed error naming the part); plain Latin names are only capitalised', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), fc.string({ unit: 'grapheme', maxLength: 30 }), (surname, given) => {
      let name: string;
      try {
        name = bcbpPassengerName(surname, given);
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        expect(['passenger.surname', 'passenger.givenName']).toContain((error as ValidationError).details?.field);
        expect(bcbpNameProblem(surname) ?? bcbpNameProblem(given)).toBeDefined();
        return;
      }
      expect(name.length).toBeLessThanOrEqual(20);
      expect(parseBcbp(encodeBcbp({ passengerName: name, electronicTicket: true, legs: [{ pnr: 'A', from: 'AAA', to: 'BBB', carrier: 'XX', flightNumber: '1', julianDate: 1, compartment: 'Y', seat: '1A', sequence: '1', passengerStatus: '1' }] })).passengerName).toBe(name);
    }), { numRuns: 500 });
    fc.assert(fc.property(fc.stringMatching(/^[A-Za-z]{1,12}$/), fc.stringMatching(/^[A-Za-z]{1,12}$/), (surname, given) => {
      expect(bcbpPassengerName(surname, given)).toBe(`${surname.toUpperCase()}/${given.toUpperCase()}`.slice(0, 20));
    }));
  });
});

describe('the date of flight (day of the year)', () => {
  it('counts from 1 January, with 29 February in leap years only', () => {
    expect(dayOfYear('2026-01-01')).toBe(1);
    expect(dayOfYear('2026-12-14')).toBe(348);
    expect(dayOfYear('2028-12-31')).toBe(366);
    expect(dayOfYear('2000-03-01')).toBe(61);
    expect(dayOfYear('2100-03-01')).toBe(60);
    for (const bad of ['2026-02-29', '2026-13-01', '2026-04-31', '2026-00-10', '14.12.2026', '2026-1-1']) expect(() => dayOfYear(bad)).toThrow(RangeError);
  });

  it('property: agrees with the calendar — the next day is one more, and 1 January follows the year\'s last day', () => {
    fc.assert(fc.property(fc.date({ min: new Date(Date.UTC(1900, 0, 1)), max: new Date(Date.UTC(2199, 11, 30)), noInvalidDate: true }), (d) => {
      const iso = (x: Date): string => x.toISOString().slice(0, 10);
      const next = new Date(d.getTime() + 86_400_000);
      const today = dayOfYear(iso(d));
      expect(dayOfYear(iso(next))).toBe(next.getUTCFullYear() === d.getUTCFullYear() ? today + 1 : 1);
      if (next.getUTCFullYear() !== d.getUTCFullYear()) {
        const y = d.getUTCFullYear();
        expect(today).toBe(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 366 : 365);
      }
    }), { numRuns: 500 });
  });
});
