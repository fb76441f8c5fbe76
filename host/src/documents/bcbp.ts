/**
 * The IATA Bar Coded Boarding Pass (BCBP, Resolution 792) data string: what the code on a boarding
 * pass holds and what a gate reader, a security lane or a lounge scanner reads.
 *
 * Only the **mandatory items** are written here (format `M`): 23 unique characters, then per leg
 * 35 fixed characters and the two-hex-digit size of that leg's variable field. An item fills its
 * fixed width exactly — letters left-aligned and padded with spaces, numbers right-aligned with
 * leading zeros:
 *
 * | item | width | example |
 * |---|---|---|
 * | format code | 1 | `M` |
 * | number of legs encoded | 1 | `1` |
 * | passenger name (`SURNAME/GIVEN NAMES`) | 20 | `COSTA/ANA␠␠␠␠␠␠␠␠␠␠␠` |
 * | electronic ticket indicator | 1 | `E` |
 * | operating carrier PNR code | 7 | `K7Q2ZP␠` |
 * | from city airport code | 3 | `BER` |
 * | to city airport code | 3 | `LIS` |
 * | operating carrier designator | 3 | `LM␠` |
 * | flight number (4 digits + optional letter) | 5 | `0417␠` |
 * | date of flight (day of the year) | 3 | `348` |
 * | compartment code | 1 | `Y` |
 * | seat number (3 digits + letter) | 4 | `012A` |
 * | check-in sequence number (4 digits + optional letter) | 5 | `0025␠` |
 * | passenger status | 1 | `1` |
 * | field size of the variable size field (hex) | 2 | `00` |
 *
 * A leg's variable field (the conditional items, from `>` and the version number on, and the
 * airline's own data) and the security data after `^` are carried as they are, not interpreted.
 * @module
 */
import { ValidationError } from '../errors.js';

/** One flight leg's mandatory items, in their natural (unpadded) form. */
export interface BcbpLeg {
  /** Operating carrier PNR (booking reference): 1–7 letters and digits. */
  pnr: string;
  /** Departure airport, IATA three-letter code. */
  from: string;
  /** Arrival airport, IATA three-letter code. */
  to: string;
  /** Operating carrier designator: 2 (IATA) or 3 (ICAO) letters and digits. */
  carrier: string;
  /** Flight number without the carrier: 1–4 digits (no leading zeros) and an optional letter (`417`, `88A`). */
  flightNumber: string;
  /** Date of flight as its day of the year, 1–366 (see {@link dayOfYear}). */
  julianDate: number;
  /** Compartment (cabin class) code, one letter (`Y`, `J`, `F`). */
  compartment: string;
  /** Seat: row 1–999 (no leading zeros) and a letter (`12A`). */
  seat: string;
  /** Check-in sequence number: 0–9999 (no leading zeros) and an optional letter (`25`, `3A`). */
  sequence: string;
  /** Passenger status, one letter or digit (`1`: checked in, boarding pass issued). */
  passengerStatus: string;
  /** The leg's variable size field (conditional and airline items) as it is carried; at most 255 characters. */
  variable?: string;
}

/** A boarding pass's BCBP items. */
export interface BcbpData {
  /** `SURNAME/GIVEN NAMES` in capital Latin letters, at most 20 characters (see {@link bcbpPassengerName}). */
  passengerName: string;
  /** Whether the ticket is an electronic ticket (`E`; a blank otherwise). */
  electronicTicket: boolean;
  /** One to four legs. */
  legs: BcbpLeg[];
  /** The security data after `^` (type, length and data), as it is carried. */
  security?: string;
}

/** Width of the unique mandatory items (format code to electronic ticket indicator). */
export const BCBP_UNIQUE_LENGTH = 23;
/** Width of one leg's repeated mandatory items, its variable field size included. */
export const BCBP_LEG_LENGTH = 37;

const NAME = /^[A-Z](?:[A-Z/ .'-]{0,18}[A-Z/.'-])?$/;
const PNR = /^[A-Z0-9]{1,7}$/;
const AIRPORT = /^[A-Z]{3}$/;
const CARRIER = /^[A-Z0-9]{2,3}$/;
const FLIGHT = /^([1-9][0-9]{0,3})([A-Z]?)$/;
const SEAT = /^([1-9][0-9]{0,2})([A-Z])$/;
const SEQUENCE = /^(0|[1-9][0-9]{0,3})([A-Z]?)$/;
const LETTER = /^[A-Z]$/;
const STATUS = /^[A-Z0-9]$/;
const PRINTABLE = /^[\x20-\x7e]*$/;

function check(ok: boolean, field: string, message: string): void {
  if (!ok) throw new ValidationError(field, message);
}

/**
 * Writes the BCBP string of a boarding pass.
 * @param pass - the items, in their natural form
 * @returns the data string: 60 characters for one leg without variable items
 * @throws ValidationError naming the first item that does not fit its format (`bcbp.legs[0].seat`)
 * @example encodeBcbp({ passengerName: 'COSTA/ANA', electronicTicket: true, legs: [{ pnr: 'K7Q2ZP', from: 'BER', to: 'LIS', carrier: 'LM', flightNumber: '417', julianDate: 348, compartment: 'Y', seat: '12A', sequence: '25', passengerStatus: '1' }] })
 * // 'M1COSTA/ANA           EK7Q2ZP BERLISLM 0417 348Y012A0025 100'
 */
export function encodeBcbp(pass: BcbpData): string {
  check(NAME.test(pass.passengerName), 'bcbp.passengerName', 'must be 1–20 capital Latin letters, spaces, / . \' or -, starting with a letter and not ending with a space');
  check(pass.legs.length >= 1 && pass.legs.length <= 4, 'bcbp.legs', 'must hold 1 to 4 legs');
  let out = `M${pass.legs.length}${pass.passengerName.padEnd(20, ' ')}${pass.electronicTicket ? 'E' : ' '}`;
  pass.legs.forEach((leg, i) => {
    const at = `bcbp.legs[${i}]`;
    check(PNR.test(leg.pnr), `${at}.pnr`, 'must be 1–7 capital letters and digits');
    check(AIRPORT.test(leg.from), `${at}.from`, 'must be a three-letter airport code');
    check(AIRPORT.test(leg.to), `${at}.to`, 'must be a three-letter airport code');
    check(CARRIER.test(leg.carrier), `${at}.carrier`, 'must be a 2- or 3-character airline designator');
    const flight = FLIGHT.exec(leg.flightNumber);
    check(flight !== null, `${at}.flightNumber`, 'must be 1–4 digits without leading zeros and an optional letter');
    check(Number.isInteger(leg.julianDate) && leg.julianDate >= 1 && leg.julianDate <= 366, `${at}.julianDate`, 'must be a day of the year, 1–366');
    check(LETTER.test(leg.compartment), `${at}.compartment`, 'must be one capital letter');
    const seat = SEAT.exec(leg.seat);
    check(seat !== null, `${at}.seat`, 'must be a row 1–999 without leading zeros and a letter');
    const sequence = SEQUENCE.exec(leg.sequence);
    check(sequence !== null, `${at}.sequence`, 'must be 0–9999 without leading zeros and an optional letter');
    check(STATUS.test(leg.passengerStatus), `${at}.passengerStatus`, 'must be one capital letter or digit');
    const variable = leg.variable ?? '';
    check(variable.length <= 255 && PRINTABLE.test(variable), `${at}.variable`, 'must be at most 255 printable ASCII characters');
    out += leg.pnr.padEnd(7, ' ') + leg.from + leg.to + leg.carrier.padEnd(3, ' ')
      + flight![1]!.padStart(4, '0') + (flight![2] || ' ')
      + String(leg.julianDate).padStart(3, '0') + leg.compartment
      + seat![1]!.padStart(3, '0') + seat![2]!
      + sequence![1]!.padStart(4, '0') + (sequence![2] || ' ')
      + leg.passengerStatus
      + variable.length.toString(16).toUpperCase().padStart(2, '0') + variable;
  });
  if (pass.security !== undefined) {
    check(PRINTABLE.test(pass.security) && pass.security.length <= 512, 'bcbp.security', 'must be at most 512 printable ASCII characters');
    out += `^${pass.security}`;
  }
  return out;
}

/**
 * Reads a BCBP string (what a scanner returns) back into its items. Strict: every fixed-width item
 * must have exactly its format, so a string this accepts is the one {@link encodeBcbp} writes for
 * what it returns.
 * @param text - the data string
 * @returns the items, in their natural form
 * @throws ValidationError naming the first item that is not in its format (`bcbp.legs[0].flightNumber`)
 */
export function parseBcbp(text: string): BcbpData {
  check(typeof text === 'string' && PRINTABLE.test(text), 'bcbp', 'must be printable ASCII');
  check(text.length >= BCBP_UNIQUE_LENGTH + BCBP_LEG_LENGTH, 'bcbp', `is ${text.length} characters; the mandatory items alone take ${BCBP_UNIQUE_LENGTH + BCBP_LEG_LENGTH}`);
  check(text[0] === 'M', 'bcbp.formatCode', 'must be M');
  const count = Number(text[1]);
  check(/^[1-4]$/.test(text[1]!), 'bcbp.legs', 'the number of legs must be 1 to 4');
  const name = text.slice(2, 22).trimEnd();
  check(NAME.test(name), 'bcbp.passengerName', 'must be capital Latin letters, spaces, / . \' or -, left-aligned');
  const indicator = text[22]!;
  check(indicator === 'E' || indicator === ' ', 'bcbp.electronicTicket', 'must be E or a blank');
  const legs: BcbpLeg[] = [];
  let pos = BCBP_UNIQUE_LENGTH;
  for (let i = 0; i < count; i++) {
    const at = `bcbp.legs[${i}]`;
    check(text.length >= pos + BCBP_LEG_LENGTH, at, 'is cut short');
    const item = (offset: number, width: number): string => text.slice(pos + offset, pos + offset + width);
    const pnr = padded(item(0, 7), PNR, `${at}.pnr`, 'must be 1–7 capital letters and digits, left-aligned');
    const from = item(7, 3);
    check(AIRPORT.test(from), `${at}.from`, 'must be a three-letter airport code');
    const to = item(10, 3);
    check(AIRPORT.test(to), `${at}.to`, 'must be a three-letter airport code');
    const carrier = padded(item(13, 3), CARRIER, `${at}.carrier`, 'must be a 2- or 3-character airline designator, left-aligned');
    const flightNumber = numberWithSuffix(item(16, 5), 4, 1, `${at}.flightNumber`);
    const julian = item(21, 3);
    check(/^[0-9]{3}$/.test(julian) && Number(julian) >= 1 && Number(julian) <= 366, `${at}.julianDate`, 'must be a day of the year, 001–366');
    const compartment = item(24, 1);
    check(LETTER.test(compartment), `${at}.compartment`, 'must be one capital letter');
    const seatText = item(25, 4);
    check(/^[0-9]{3}[A-Z]$/.test(seatText) && seatText.slice(0, 3) !== '000', `${at}.seat`, 'must be a row 001–999 and a letter');
    const sequence = numberWithSuffix(item(29, 5), 4, 0, `${at}.sequence`);
    const passengerStatus = item(34, 1);
    check(STATUS.test(passengerStatus), `${at}.passengerStatus`, 'must be one capital letter or digit');
    const sizeText = item(35, 2);
    check(/^[0-9A-F]{2}$/.test(sizeText), `${at}.variable`, 'its size must be two upper-case hexadecimal digits');
    const size = parseInt(sizeText, 16);
    pos += BCBP_LEG_LENGTH;
    check(text.length >= pos + size, `${at}.variable`, `announces ${size} characters but ${text.length - pos} follow`);
    const variable = text.slice(pos, pos + size);
    pos += size;
    legs.push({
      pnr, from, to, carrier, flightNumber, julianDate: Number(julian), compartment,
      seat: `${Number(seatText.slice(0, 3))}${seatText[3]!}`, sequence, passengerStatus,
      ...(size > 0 ? { variable } : {}),
    });
  }
  const rest = text.slice(pos);
  check(rest === '' || (rest.startsWith('^') && rest.length <= 513), 'bcbp.security', 'after the legs only the security data may follow, starting with ^');
  return { passengerName: name, electronicTicket: indicator === 'E', legs, ...(rest ? { security: rest.slice(1) } : {}) };
}

/** A left-aligned item padded with spaces: the value, refused when it has inner or leading blanks. */
function padded(item: string, format: RegExp, field: string, message: string): string {
  const value = item.trimEnd();
  check(format.test(value), field, message);
  return value;
}

/** `0417␠` → `417`, `0003A` → `3A`: digits with leading zeros and an optional letter (or blank). */
function numberWithSuffix(item: string, digits: number, min: number, field: string): string {
  const ok = new RegExp(`^[0-9]{${digits}}[A-Z ]$`).test(item) && Number(item.slice(0, digits)) >= min;
  check(ok, field, `must be ${digits} digits (at least ${min}) and a letter or a blank`);
  return `${Number(item.slice(0, digits))}${item[digits] === ' ' ? '' : item[digits]!}`;
}

/** Letters with no decomposition into a base letter and marks, written as a boarding pass writes them. */
const LATIN_SPECIAL: Readonly<Record<string, string>> = {
  ß: 'SS', ẞ: 'SS', Æ: 'AE', æ: 'AE', Œ: 'OE', œ: 'OE', Ø: 'O', ø: 'O', Ł: 'L', ł: 'L', Đ: 'D', đ: 'D', Ð: 'D', ð: 'D',
  Þ: 'TH', þ: 'TH', ı: 'I', Ħ: 'H', ħ: 'H', Ŧ: 'T', ŧ: 'T', Ŀ: 'L', ŀ: 'L', ĸ: 'K', Ŋ: 'NG', ŋ: 'NG',
};

/**
 * A name part in the letters a BCBP carries: accents dropped (`Aydın` → `AYDIN`, `Müller` →
 * `MULLER`, `Øster` → `OSTER`), capitals, hyphens and spaces kept, apostrophes and dots dropped
 * (`O'Brien` → `OBRIEN`, as ticketing systems write it).
 * @param part - a surname or given names as the passenger writes them
 * @returns the Latin form, or why there is none
 */
function latinNamePart(part: string): { latin: string } | { problem: string } {
  let out = '';
  for (const ch of part.normalize('NFD')) {
    if (/\p{M}/u.test(ch) || ch === "'" || ch === '’' || ch === '.') continue;
    if (/[A-Za-z]/.test(ch)) out += ch.toUpperCase();
    else if (LATIN_SPECIAL[ch] !== undefined) out += LATIN_SPECIAL[ch];
    else if (ch === '-') out += '-';
    else if (/\s/u.test(ch)) out += ' ';
    else return { problem: `has "${ch}", which a boarding pass barcode cannot carry: give the name as written on the ticket, in Latin letters` };
  }
  out = out.replace(/ +/g, ' ').replace(/^[ -]+|[ -]+$/g, '');
  return /[A-Z]/.test(out) ? { latin: out } : { problem: 'must hold at least one letter' };
}

/**
 * Why a name part cannot be written in a BCBP, if it cannot.
 * @param part - a surname or given names
 * @returns the reason, or undefined when it can be written
 */
export function bcbpNameProblem(part: string): string | undefined {
  const result = latinNamePart(part);
  return 'problem' in result ? result.problem : undefined;
}

/**
 * The BCBP passenger name of a passenger: `SURNAME/GIVEN NAMES` in capital Latin letters, cut to the
 * 20 characters the item holds (as airlines cut it: the given names lose their end first).
 * @param surname - the family name, as on the ticket
 * @param givenName - the given names, as on the ticket
 * @returns e.g. `COSTA/ANA`, `AYDIN/KEMAL`, `VAN DER BERG/JOHANNA`
 * @throws ValidationError naming `passenger.surname` or `passenger.givenName` when it has no Latin form
 */
export function bcbpPassengerName(surname: string, givenName: string): string {
  const family = latinNamePart(surname);
  if ('problem' in family) throw new ValidationError('passenger.surname', family.problem);
  const given = latinNamePart(givenName);
  if ('problem' in given) throw new ValidationError('passenger.givenName', given.problem);
  return `${family.latin}/${given.latin}`.slice(0, 20).trimEnd();
}

/** Days before the first of each month in a common year. */
const DAYS_BEFORE_MONTH = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334] as const;

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/**
 * The day of the year of a calendar date: what the BCBP's "date of flight" holds.
 * @param date - `YYYY-MM-DD`, a real date of the Gregorian calendar
 * @returns 1 for 1 January, up to 366 for 31 December of a leap year
 * @throws RangeError for a string that is not a real date
 */
export function dayOfYear(date: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const leap = isLeapYear(y);
  const length = m === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
  if (m < 1 || m > 12 || d < 1 || d > length) throw new RangeError(`not a real date: ${date}`);
  return DAYS_BEFORE_MONTH[m - 1]! + (leap && m > 2 ? 1 : 0) + d;
}
