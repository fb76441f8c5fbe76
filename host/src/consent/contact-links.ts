/**
 * Linking a channel address to an existing contact, so consent given or revoked on one channel
 * reaches the contact's other channels (the host finds contacts by address; it never guesses that
 * two addresses are one person).
 * @module
 */
import { addressKey, isSwitchboardError, type Address, type Contact } from '@switchboard/core';
import { ConflictError } from '../errors.js';
import type { ContactStore } from '../stores/stores.js';

/** The outcome of a link. */
export type LinkOutcome =
  | { linked: true; contact: Contact; alreadyLinked: boolean }
  | { linked: false; reason: 'owned-by-another-contact'; ownerId: string };

/**
 * Links an address to a contact. An address belongs to one contact per tenant: an address another
 * contact already owns is not moved (that would merge two people on a guess).
 * @param store - the contact store
 * @param contact - the contact to extend
 * @param address - the new address
 * @returns linked (the contact as stored) or the owner that holds the address
 */
export async function linkAddress(store: ContactStore, contact: Contact, address: Address): Promise<LinkOutcome> {
  const key = addressKey(address);
  if (contact.addresses.some((a) => addressKey(a) === key)) return { linked: true, contact, alreadyLinked: true };
  // the store's own method is atomic; it refuses (throws) an address another contact owns
  let updated: Contact | undefined;
  try {
    updated = await store.addAddress(contact.tenantId, contact.id, address);
  } catch (error) {
    if (!isSwitchboardError(error) || error.code !== 'CONFLICT') throw error;
    const owner = (error.details as { contactId?: unknown } | undefined)?.contactId;
    return { linked: false, reason: 'owned-by-another-contact', ownerId: typeof owner === 'string' ? owner : '(unknown)' };
  }
  if (updated) return { linked: true, contact: updated, alreadyLinked: false };
  throw new ConflictError(`contact ${contact.id} no longer exists`);
}
