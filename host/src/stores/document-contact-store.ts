/**
 * Contacts on the storage driver. An address belongs to one contact per tenant: each address a
 * contact owns is a claim in a second collection with a unique index on (tenant, address).
 *
 * A new contact is inserted first, marked pending, and then claims its addresses; a claim whose
 * contact does not exist is therefore stale (the contact was deleted, or a crash came between) and
 * is taken over. A contact that lost the race for its address is deleted again. What a crash can
 * leave behind: a pending contact that owns nothing, which no read returns (ids are random, and
 * lists skip pending contacts), or a pending contact that owns its addresses, which the next
 * lookup of one of them completes.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { Address, Contact } from '@switchboard/core';
import type { Collection, CollectionSpec, StorageDriver } from './driver.js';
import { withoutHidden, type DocumentStoreOptions } from './document-support.js';
import { pageOf, type ContactFields, type ContactStore, type Page } from './stores.js';
import { ConflictError } from '../errors.js';

/** A contact as stored: `pending` until its addresses are claimed, `rev` counts changes (compare-and-set). */
type StoredContact = Contact & { pending?: boolean; rev?: number };
const HIDDEN = ['pending', 'rev'] as const;

/** That an address belongs to a contact. */
interface AddressClaim {
  id: string;
  tenantId: string;
  channel: string;
  accountId: string;
  userId: string;
  contactId: string;
}

const sameAddress = (a: Address, b: Address): boolean => a.channel === b.channel && a.accountId === b.accountId && a.userId === b.userId;

/** {@link ContactStore} over any {@link StorageDriver}. */
export class DocumentContactStore implements ContactStore {
  /** The contacts. */
  static readonly spec: CollectionSpec = {
    name: 'contacts',
    fields: { tenantId: 'string', createdAt: 'date', pending: 'boolean', rev: 'number', crmRef: 'string' },
    indexes: [{ fields: ['tenantId', 'createdAt'] }, { fields: ['tenantId', 'crmRef'] }],
    // inbox search finds contacts by name and CRM reference
    text: ['profile.name'],
  };

  /** Which contact owns an address. */
  static readonly claimsSpec: CollectionSpec = {
    name: 'contact_addresses',
    fields: { tenantId: 'string', channel: 'string', accountId: 'string', userId: 'string', contactId: 'string' },
    indexes: [
      { fields: ['tenantId', 'channel', 'accountId', 'userId'], unique: true },
      { fields: ['tenantId', 'contactId'] },
    ],
  };

  private readonly docs: Collection<StoredContact>;
  private readonly claims: Collection<AddressClaim>;
  private readonly now: () => number;

  /**
   * @param driver - the storage driver
   * @param options - the clock
   */
  constructor(driver: StorageDriver, options: DocumentStoreOptions = {}) {
    this.docs = driver.collection<StoredContact>(DocumentContactStore.spec);
    this.claims = driver.collection<AddressClaim>(DocumentContactStore.claimsSpec);
    this.now = options.now ?? Date.now;
  }

  async findOrCreateByAddress(tenantId: string, address: Address, create: () => Contact): Promise<{ contact: Contact; created: boolean }> {
    for (let round = 0; round < 8; round++) {
      const found = await this.owner(tenantId, address);
      if (found) return { contact: found, created: false };
      const contact = create();
      if (!(await this.docs.insert({ ...contact, pending: true, rev: 0 }))) throw new ConflictError(`contact ${contact.id} could not be created: its id is taken`);
      const wanted = [address, ...contact.addresses].filter((a, i, all) => all.findIndex((b) => sameAddress(a, b)) === i);
      const owned: Address[] = [];
      let lost = false;
      for (const a of wanted) {
        const owner = await this.claim(tenantId, a, contact.id);
        if (owner === contact.id) owned.push(a);
        else if (a === address) { lost = true; break; }
        // else: another contact owns that further address; this contact goes without it
      }
      if (lost) {
        // another call (or process) took the address first: undo, and find its contact
        await this.claims.deleteMany({ tenantId, contactId: contact.id });
        await this.docs.deleteMany({ id: contact.id, tenantId });
        continue;
      }
      const addresses = contact.addresses.filter((a) => owned.some((b) => sameAddress(a, b)));
      await this.docs.updateOne({ id: contact.id, tenantId }, { $unset: ['pending'], ...(addresses.length !== contact.addresses.length ? { $set: { addresses }, $inc: { rev: 1 } } : {}) });
      // the caller's own record (the driver stored a copy of it)
      return { contact: addresses.length === contact.addresses.length ? contact : { ...contact, addresses }, created: true };
    }
    throw new Error(`contact of ${address.channel}:${address.accountId}:${address.userId}: gave up after 8 concurrent changes`);
  }

  async findByAddress(tenantId: string, address: Address): Promise<Contact | undefined> {
    const claim = await this.claims.findOne({ tenantId, channel: address.channel, accountId: address.accountId, userId: address.userId });
    return claim ? this.get(tenantId, claim.contactId) : undefined;
  }

  async addAddress(tenantId: string, contactId: string, address: Address): Promise<Contact | undefined> {
    let c = await this.docs.get(contactId);
    if (c?.tenantId !== tenantId) return undefined;
    const owner = await this.claim(tenantId, address, contactId);
    if (owner !== contactId) throw new ConflictError('the address belongs to another contact', { contactId: owner });
    // the claim is ours; add the address to the record unless it is there (compare-and-set on rev)
    for (let round = 0; round < 64 && c?.tenantId === tenantId; round++) {
      if (c.addresses.some((a) => sameAddress(a, address))) return withoutHidden<Contact>(c, HIDDEN);
      const updated = await this.docs.updateOne(
        { id: contactId, tenantId, rev: c.rev ?? null },
        { $set: { addresses: [...c.addresses, { channel: address.channel, accountId: address.accountId, userId: address.userId }], updatedAt: new Date(this.now()) }, $inc: { rev: 1 } },
      );
      if (updated) return withoutHidden<Contact>(updated, HIDDEN);
      c = await this.docs.get(contactId);
    }
    if (c?.tenantId !== tenantId) {
      // deleted meanwhile: the claim must not outlive it
      await this.claims.deleteMany({ tenantId, contactId });
      return undefined;
    }
    throw new Error(`contact ${contactId}: gave up adding an address after 64 concurrent changes`);
  }

  async get(tenantId: string, id: string): Promise<Contact | undefined> {
    const c = await this.docs.get(id);
    return c?.tenantId === tenantId ? withoutHidden<Contact>(c, HIDDEN) : undefined;
  }

  async list(tenantId: string, page?: Page): Promise<Contact[]> {
    const { limit, offset } = pageOf(page);
    const docs = await this.docs.find({ tenantId, pending: null }, { sort: [['createdAt', 1]], limit, offset });
    return docs.map((c) => withoutHidden<Contact>(c, HIDDEN));
  }

  async update(tenantId: string, id: string, patch: Partial<Omit<Contact, 'id' | 'tenantId' | 'addresses'>>): Promise<Contact | undefined> {
    const updated = await this.docs.updateOne({ id, tenantId }, { $set: patch, $inc: { rev: 1 } });
    return updated ? withoutHidden<Contact>(updated, HIDDEN) : undefined;
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    // the contact first: claims it leaves behind (a crash now) are stale, and taken over when met
    const existed = (await this.docs.deleteMany({ id, tenantId })) > 0;
    await this.claims.deleteMany({ tenantId, contactId: id });
    return existed;
  }

  async modify(tenantId: string, id: string, change: (current: Contact) => ContactFields): Promise<Contact | undefined> {
    for (let round = 0; round < 64; round++) {
      const c = await this.docs.get(id);
      if (c?.tenantId !== tenantId || c.pending) return undefined;
      const fields = change(withoutHidden<Contact>({ ...c }, HIDDEN));
      const updated = await this.docs.updateOne({ id, tenantId, rev: c.rev ?? null }, { $set: { ...fields, updatedAt: fields.updatedAt ?? new Date(this.now()) }, $inc: { rev: 1 } });
      if (updated) return withoutHidden<Contact>(updated, HIDDEN);
    }
    throw new Error(`contact ${id}: gave up changing it after 64 concurrent changes`);
  }

  async absorb(tenantId: string, targetId: string, sourceId: string, combine: (target: Contact, source: Contact) => ContactFields): Promise<Contact | undefined> {
    if (targetId === sourceId) throw new ConflictError('a contact cannot be merged into itself');
    const target = await this.docs.get(targetId);
    if (target?.tenantId !== tenantId || target.pending) return undefined;
    const source = await this.docs.get(sourceId);
    if (source?.tenantId !== tenantId) {
      // merged already (or never there): a claim a crash left on the source goes to the target
      await this.claims.updateMany({ tenantId, contactId: sourceId }, { $set: { contactId: targetId } });
      return withoutHidden<Contact>(target, HIDDEN);
    }
    // 1. the claims: from now on every address of the source finds the target
    await this.claims.updateMany({ tenantId, contactId: sourceId }, { $set: { contactId: targetId } });
    // 2. the target's record: its addresses and the combined fields (compare-and-set on rev)
    const from = withoutHidden<Contact>({ ...source }, HIDDEN);
    let merged: Contact | undefined;
    for (let round = 0; round < 64 && !merged; round++) {
      const t = round === 0 ? target : await this.docs.get(targetId);
      if (t?.tenantId !== tenantId) return undefined;
      const addresses = [...t.addresses, ...from.addresses.filter((a) => !t.addresses.some((b) => sameAddress(a, b)))];
      const fields = combine(withoutHidden<Contact>({ ...t }, HIDDEN), from);
      const updated = await this.docs.updateOne({ id: targetId, tenantId, rev: t.rev ?? null }, { $set: { ...fields, addresses, updatedAt: fields.updatedAt ?? new Date(this.now()) }, $inc: { rev: 1 } });
      if (updated) merged = withoutHidden<Contact>(updated, HIDDEN);
    }
    if (!merged) throw new Error(`contact ${targetId}: gave up merging after 64 concurrent changes`);
    // 3. the source goes; an address claimed for it meanwhile (a racing first message) moves too
    await this.docs.deleteMany({ id: sourceId, tenantId });
    await this.claims.updateMany({ tenantId, contactId: sourceId }, { $set: { contactId: targetId } });
    return merged;
  }

  /**
   * The contact owning an address: completes a pending one (its creator may have died after its
   * claims), and drops a claim whose contact is gone.
   */
  private async owner(tenantId: string, address: Address): Promise<Contact | undefined> {
    const claim = await this.claims.findOne({ tenantId, channel: address.channel, accountId: address.accountId, userId: address.userId });
    if (!claim) return undefined;
    const c = await this.docs.get(claim.contactId);
    if (c?.tenantId !== tenantId) {
      await this.claims.deleteMany({ id: claim.id, contactId: claim.contactId });
      return undefined;
    }
    if (c.pending) await this.docs.updateOne({ id: c.id, tenantId, pending: true }, { $unset: ['pending'] });
    return withoutHidden<Contact>(c, HIDDEN);
  }

  /**
   * Claims an address for a contact, taking over a stale claim.
   * @returns the id of the contact that owns the address now
   */
  private async claim(tenantId: string, address: Address, contactId: string): Promise<string> {
    const where = { tenantId, channel: address.channel, accountId: address.accountId, userId: address.userId };
    for (let round = 0; round < 8; round++) {
      if (await this.claims.insert({ id: randomUUID(), ...where, contactId })) return contactId;
      const existing = await this.claims.findOne(where);
      if (!existing) continue; // released meanwhile
      if (existing.contactId === contactId) return contactId;
      const owner = await this.docs.get(existing.contactId);
      if (owner?.tenantId === tenantId) return existing.contactId;
      await this.claims.deleteMany({ id: existing.id, contactId: existing.contactId });
    }
    throw new Error(`address ${address.channel}:${address.accountId}:${address.userId}: gave up claiming it after 8 concurrent changes`);
  }
}
