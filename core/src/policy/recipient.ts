/**
 * What the policy reads about a recipient from their address: the country of a phone number
 * (libphonenumber-js, so +1 with a Canadian area code is Canada, not the United States), and the
 * local wall-clock time in an IANA time zone (luxon, so daylight-saving transitions are right).
 * Luxon stays inside this module: no public type mentions it.
 * @module
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { DateTime, IANAZone } from 'luxon';

/**
 * The country of a phone number, from its calling code and, where a code is shared (+1, +7,
 * +44, ...), its leading digits.
 * @param phone - an E.164 number with or without `+`, or a platform id made of its digits (WhatsApp's wa_id)
 * @returns the ISO 3166-1 alpha-2 country, or undefined when the value is not a possible phone number
 * @example
 * phoneNumberCountry('14155550123') // 'US'
 * phoneNumberCountry('+1 416 555 0123') // 'CA'
 */
export function phoneNumberCountry(phone: string): string | undefined {
  const compact = phone.replace(/[\s().-]/g, '');
  if (!/^\+?\d{4,17}$/.test(compact)) return undefined;
  const parsed = parsePhoneNumberFromString(compact.startsWith('+') ? compact : `+${compact}`);
  if (!parsed || !parsed.isPossible()) return undefined;
  return parsed.country;
}

/**
 * Whether a string names a time zone of the IANA database (`Europe/Berlin`, `America/New_York`, `UTC`).
 * @param zone - the candidate
 * @returns true when it is a valid IANA zone
 */
export function isValidTimeZone(zone: string): boolean {
  return typeof zone === 'string' && zone.length > 0 && zone.length <= 64 && IANAZone.isValidZone(zone);
}

/**
 * The minute of the day (0–1439) on the wall clock of a time zone at an instant.
 * @param at - epoch milliseconds
 * @param zone - an IANA time zone
 * @returns minutes since local midnight
 * @throws RangeError when the zone is not an IANA time zone
 */
export function localMinuteOfDay(at: number, zone: string): number {
  if (!isValidTimeZone(zone)) throw new RangeError(`not an IANA time zone: ${zone}`);
  const local = DateTime.fromMillis(at, { zone });
  return local.hour * 60 + local.minute;
}
