/**
 * Linking a channel address to an existing contact, so consent given or revoked on one channel
 * reaches the contact's other channels (the host finds contacts by address; it never guesses that
 * two addresses are one person).
 * @module
 */
import { addressKey, isSwitchboardError, type Address, type Contact } from '@switchboard/core';
import { ConflictError } from '../errors.js';
import type { ContactStore } from '../stores/stores.js';

/**
 * A contact store that can add an address to a contact (the shape requested of the stores):
 * atomic, and throwing a ConflictError for an address another contact owns.
 */
interface AddressLinkingContactStore extends ContactStore {
  addAddress(tenantId: string, contactId: string, address: Address): Promise<Contact | undefined>;
}

const canLink = (store: ContactStore): store is AddressLinkingContactStore => typeof (store as Partial<AddressLinkingContactStore>).addAddress === 'function';

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
 * @param now - the time of the change
 * @returns linked (the contact as stored) or the owner that holds the address
 */
export async function linkAddress(store: ContactStore, contact: Contact, address: Address, now: Date): Promise<LinkOutcome> {
  const key = addressKey(address);
  if (contact.addresses.some((a) => addressKey(a) === key)) return { linked: true, contact, alreadyLinked: true };
  if (canLink(store)) {
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
  // Without addAddress, "create the owner of this address" is given the contact itself with the
  // address added: the store keeps the contact's id and indexes the new address. An address that
  // already has an owner is answered with that owner and nothing changes.
  const extended: Contact = { ...contact, addresses: [...contact.addresses, address], updatedAt: now };
  let result: { contact: Contact; created: boolean };
  try {
    result = await store.findOrCreateByAddress(contact.tenantId, address, () => extended);
  } catch (error) {
    throw new ConflictError(`this contact store cannot add an address to an existing contact (${(error as Error).message})`);
  }
  if (result.contact.id !== contact.id) return { linked: false, reason: 'owned-by-another-contact', ownerId: result.contact.id };
  return { linked: true, contact: result.contact, alreadyLinked: false };
}
