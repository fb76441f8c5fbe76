/**
 * The recipient's country: the market a message is priced in (WhatsApp's rates depend on the
 * country code of the recipient's number, Viber's on the subscriber's country) and the
 * jurisdiction whose law the policy considers besides the tenant's.
 * @module
 */
import { getTimezonesForCountry } from 'countries-and-timezones';
import { isValidTimeZone, phoneNumberCountry, type Address, type Contact } from '@switchboard/core';

/**
 * Channels whose customer id is the customer's phone number in international format without the
 * leading `+` (WhatsApp's `wa_id`). On the others a customer id says nothing about a country.
 */
export const PHONE_NUMBER_CHANNELS: ReadonlySet<string> = new Set(['whatsapp']);

const ALPHA2 = /^[A-Z]{2}$/;

/**
 * The country of an international phone number (core's libphonenumber-js reading, the same the
 * engine uses for WhatsApp's US marketing pause).
 * @param number - digits in international format, with or without `+` (spaces, dashes and parentheses allowed)
 * @returns the ISO 3166-1 alpha-2 code, or undefined when it is not a possible number of a country
 * @example
 * phoneCountry('4930901820') // 'DE'
 * phoneCountry('+1 212 555 0100') // 'US'
 */
export function phoneCountry(number: string): string | undefined {
  return phoneNumberCountry(number.trim());
}

/**
 * The country a contact's profile reports (Viber sends the user's country with every message and
 * subscription: `sender.country`, kept as `profile.country`).
 * @param contact - the contact, if any
 * @returns an ISO 3166-1 alpha-2 code, upper case, or undefined
 */
export function reportedCountry(contact: Pick<Contact, 'profile'> | undefined): string | undefined {
  const value = contact?.profile.country;
  if (typeof value !== 'string') return undefined;
  const code = value.trim().toUpperCase();
  return ALPHA2.test(code) ? code : undefined;
}

/**
 * The recipient's country: from the number on channels whose ids are phone numbers, else what the
 * platform reported about the contact.
 * @param address - the recipient's address
 * @param contact - the recipient's contact, if known
 * @returns an ISO 3166-1 alpha-2 code, or undefined when nothing says
 */
export function recipientCountry(address: Pick<Address, 'channel' | 'userId'>, contact?: Pick<Contact, 'profile'>): string | undefined {
  if (PHONE_NUMBER_CHANNELS.has(address.channel)) {
    const fromNumber = phoneCountry(address.userId);
    if (fromNumber) return fromNumber;
  }
  return reportedCountry(contact);
}

/**
 * The time zone of a country when the whole country keeps one civil time: every IANA zone the
 * country has (from the maintained `countries-and-timezones` data) shares the same standard and
 * daylight-saving offsets, e.g. Germany's Europe/Berlin and Büsingen's Europe/Zurich. A country
 * spanning several times (the US, Brazil, Australia) has none: the recipient's zone is unknown.
 * @param country - an ISO 3166-1 alpha-2 code
 * @returns the country's first IANA zone, or undefined
 * @example
 * countryTimeZone('DE') // 'Europe/Berlin'
 * countryTimeZone('US') // undefined
 */
export function countryTimeZone(country: string): string | undefined {
  const zones = getTimezonesForCountry(country.toUpperCase()) ?? [];
  const first = zones[0];
  if (first === undefined) return undefined;
  return zones.every((z) => z.utcOffset === first.utcOffset && z.dstOffset === first.dstOffset) ? first.name : undefined;
}

/**
 * The recipient's own time zone, where something says it: the contact's profile `timeZone` (a
 * valid IANA name), else the zone of the recipient's country when that country keeps one civil time.
 * Quiet hours are then kept on the recipient's wall clock rather than the tenant's.
 * @param country - the recipient's country (see {@link recipientCountry}), if known
 * @param contact - the recipient's contact, if known
 * @returns an IANA zone name, or undefined when nothing says
 */
export function recipientTimeZone(country: string | undefined, contact?: Pick<Contact, 'profile'>): string | undefined {
  const own = contact?.profile['timeZone'];
  if (typeof own === 'string' && isValidTimeZone(own)) return own;
  return country === undefined ? undefined : countryTimeZone(country);
}
