/**
 * The `boarding-pass` template: an airline's boarding pass, with the IATA BCBP code a gate reader
 * scans (Aztec by default, the symbology of mobile boarding passes; PDF417 for paper).
 * @module
 */
import { z } from 'zod';
import { bcbpNameProblem, bcbpPassengerName, dayOfYear, encodeBcbp } from '../bcbp.js';
import { defineDocumentTemplate, documentText } from '../document-template.js';
import { formatCalendarDate } from '../format.js';

const AirportSchema = z.strictObject({
  /** IATA airport code. */
  code: z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter IATA airport code in capitals'),
  /** The city, as printed under the code. */
  city: documentText(40).optional(),
});

const TimeSchema = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day HH:MM (24 h)');

function isRealDate(date: string): boolean {
  try { dayOfYear(date); return true; } catch { return false; }
}

/** The data of a boarding pass (one passenger, one flight). */
export const BoardingPassSchema = z.strictObject({
  airline: z.strictObject({
    /** The airline's name, printed under the title. */
    name: documentText(60),
    /** Its IATA (2) or ICAO (3) designator: the operating carrier. */
    designator: z.string().regex(/^[A-Z0-9]{2,3}$/, 'must be a 2- or 3-character airline designator in capitals'),
  }),
  /** Flight number without the designator: 1–4 digits without leading zeros, an optional letter. */
  flightNumber: z.string().regex(/^[1-9]\d{0,3}[A-Z]?$/, 'must be 1–4 digits without leading zeros and an optional capital letter'),
  /** The passenger as on the ticket; the code carries the name in Latin capitals. */
  passenger: z.strictObject({ surname: documentText(64), givenName: documentText(64) }),
  from: AirportSchema,
  to: AirportSchema,
  /** Date of the flight at the departure airport, `YYYY-MM-DD`. */
  date: z.string().refine(isRealDate, 'must be a real date YYYY-MM-DD'),
  /** Local departure time at the departure airport. */
  departureTime: TimeSchema.optional(),
  /** Local boarding time. */
  boardingTime: TimeSchema,
  gate: z.string().regex(/^[A-Z0-9-]{1,6}$/, 'must be 1–6 capital letters, digits or hyphens'),
  /** Seat: row and letter (`12A`). */
  seat: z.string().regex(/^[1-9]\d{0,2}[A-Z]$/, 'must be a row 1–999 and a capital letter (12A)'),
  /** Check-in sequence number. */
  sequence: z.number().int().min(1).max(9999),
  /** The booking reference (PNR) of the operating carrier. */
  pnr: z.string().regex(/^[A-Z0-9]{5,7}$/, 'must be 5–7 capital letters and digits'),
  /** Compartment code (`Y` economy, `J` business, `F` first). */
  cabin: z.string().regex(/^[A-Z]$/, 'must be one capital letter').default('Y'),
  /** The symbology of the code: `aztec` (phones, the default) or `pdf417` (paper). */
  barcode: z.enum(['aztec', 'pdf417']).default('aztec'),
}).superRefine((pass, ctx) => {
  for (const part of ['surname', 'givenName'] as const) {
    // zod runs this check after format problems too (never after a wrong type): the parts are strings here
    const problem = bcbpNameProblem(pass.passenger[part]);
    if (problem) ctx.addIssue({ code: 'custom', path: ['passenger', part], message: problem });
  }
  if (pass.from.code === pass.to.code) ctx.addIssue({ code: 'custom', path: ['to', 'code'], message: 'must differ from the departure airport' });
});

/** A parsed boarding pass. */
export type BoardingPassData = z.output<typeof BoardingPassSchema>;

/**
 * The BCBP string of a boarding pass: its mandatory items, one leg, passenger checked in (status
 * `1`), electronic ticket.
 * @param pass - the parsed data
 * @returns the 60-character data string the code holds
 */
export function boardingPassBcbp(pass: BoardingPassData): string {
  return encodeBcbp({
    passengerName: bcbpPassengerName(pass.passenger.surname, pass.passenger.givenName),
    electronicTicket: true,
    legs: [{
      pnr: pass.pnr, from: pass.from.code, to: pass.to.code, carrier: pass.airline.designator, flightNumber: pass.flightNumber,
      julianDate: dayOfYear(pass.date), compartment: pass.cabin, seat: pass.seat, sequence: String(pass.sequence), passengerStatus: '1',
    }],
  });
}

/** The `boarding-pass` template. */
export const boardingPassTemplate = defineDocumentTemplate({
  name: 'boarding-pass',
  description: 'An airline boarding pass with its IATA BCBP code (Aztec or PDF417)',
  schema: BoardingPassSchema,
  pageSize: 'A5',
  title: (p) => `Boarding pass ${p.airline.designator} ${p.flightNumber} ${p.from.code}–${p.to.code}`,
  filename: (p) => `Boarding pass ${p.airline.designator}${p.flightNumber} ${p.pnr}.pdf`,
  render({ data: p, contact, at, layout }) {
    layout.title('Boarding pass', p.airline.name);
    layout.paragraph(`${p.passenger.givenName} ${p.passenger.surname}`, { size: 18, bold: true });
    layout.paragraph(`${p.from.code} – ${p.to.code}`, { size: 30, bold: true });
    if (p.from.city || p.to.city) layout.paragraph(`${p.from.city ?? p.from.code} – ${p.to.city ?? p.to.code}`, { muted: true });
    layout.space(6).keyValues([
      ['Flight', `${p.airline.designator} ${p.flightNumber}`],
      ['Date', formatCalendarDate(p.date, contact.locale)],
      ...(p.departureTime ? [['Departure', p.departureTime] as const] : []),
      ['Boarding', p.boardingTime],
      ['Gate', p.gate],
      ['Seat', p.seat],
      ['Booking reference', p.pnr],
      ['Sequence', String(p.sequence).padStart(3, '0')],
    ], { columns: 3 });
    layout.barcode({ symbology: p.barcode, text: boardingPassBcbp(p) }, { caption: 'Scan this code at security and at the gate' });
    layout.footer(`Issued ${layout.dateTime(at)}`);
  },
});
