/**
 * A customer's id on a channel, as the platform writes it, from what an integrator gives.
 * @module
 */
import { parsePhoneNumber } from '@switchboard/core';

/**
 * The customer's id on a channel as the platform writes it. On WhatsApp the id is the phone number
 * (the `wa_id`: international digits without `+`), so a number written any way people write it —
 * `+49 151 1234 5678`, `0151 12345678` in the tenant's country, `4915112345678` — becomes the id
 * the platform's webhooks carry, and the contact is found by it. Other channels' ids are opaque and
 * kept as given.
 * @param channel - the channel
 * @param userId - the id as given
 * @param options - the country a national number is read in (the tenant's), the field to name in an error
 * @returns the platform's form of the id
 * @throws PhoneNumberError (400) for a WhatsApp id that cannot be a phone number
 */
export function channelUserId(channel: string, userId: string, options: { defaultCountry?: string; field?: string } = {}): string {
  if (channel !== 'whatsapp') return userId;
  return parsePhoneNumber(userId, { assumeInternational: true, ...options }).digits;
}
