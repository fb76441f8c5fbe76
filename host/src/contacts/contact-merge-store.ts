/**
 * The record of every contact merge: which contact was folded into which, by whom and when, and
 * what moved (addresses, conversations, consent entries, notes). It is the merge's audit entry and
 * its journal: a merge that stopped half-way (a crash) is found by the contact it was merging away
 * and completed under the same id.
 * @module
 */
import type { Address } from '@switchboard/core';
import type { Collection, CollectionSpec, StorageDriver } from '../stores/driver.js';

/** One merge. */
export interface ContactMerge {
  id: string;
  tenantId: string;
  /** The contact merged away (deleted when the merge completes). */
  contactId: string;
  /** The contact that remains. */
  intoContactId: string;
  /** Who asked: `api-key:` and the key's reference, or `agent:` and an agent id. */
  actor: string;
  at: Date;
  state: 'started' | 'done';
  /** The addresses the merged contact had. */
  addresses: Address[];
  /** The conversations moved to the remaining contact. */
  conversationIds: string[];
  /** Consent ledger entries carried over (with their evidence). */
  consentEntries: number;
  /** Notes moved. */
  notes: number;
  completedAt?: Date;
}

/** DI token for {@link ContactMergeStore}. */
export const ContactMergeStore = Symbol.for('switchboard.ContactMergeStore');
/** Contact merges, per tenant. */
export interface ContactMergeStore {
  /**
   * Starts a merge, unless one of the same contact is recorded (a contact is merged away once).
   * @returns the merge as stored: the new one, or the one recorded before
   */
  begin(merge: ContactMerge): Promise<ContactMerge>;
  /**
   * Notes, before they move, the conversations a started merge moves (so a merge completed after a
   * crash still names every one). @returns the merge, or undefined when unknown
   */
  noteConversations(tenantId: string, id: string, conversationIds: readonly string[]): Promise<ContactMerge | undefined>;
  /** Records what a merge moved and that it is done. @returns the merge, or undefined when unknown */
  complete(tenantId: string, id: string, outcome: Pick<ContactMerge, 'addresses' | 'conversationIds' | 'consentEntries' | 'notes' | 'completedAt'>): Promise<ContactMerge | undefined>;
  /** The merge of a contact merged away, if any. */
  findByMerged(tenantId: string, contactId: string): Promise<ContactMerge | undefined>;
  /** Merges into or of a contact, newest first. */
  listByContact(tenantId: string, contactId: string, limit?: number): Promise<ContactMerge[]>;
  /** Deletes a contact's merge records (erasure). @returns how many */
  deleteByContact(tenantId: string, contactId: string): Promise<number>;
}

/** {@link ContactMergeStore} on the storage driver. */
export class DocumentContactMergeStore implements ContactMergeStore {
  /** The merges: one per merged contact. */
  static readonly spec: CollectionSpec = {
    name: 'contact_merges',
    fields: { tenantId: 'string', contactId: 'string', intoContactId: 'string', at: 'date', state: 'string' },
    indexes: [
      { fields: ['tenantId', 'contactId'], unique: true },
      { fields: ['tenantId', 'intoContactId', 'at'] },
    ],
  };

  private readonly docs: Collection<ContactMerge>;

  /** @param driver - the storage driver */
  constructor(driver: StorageDriver) {
    this.docs = driver.collection<ContactMerge>(DocumentContactMergeStore.spec);
  }

  /** @inheritdoc */
  async begin(merge: ContactMerge): Promise<ContactMerge> {
    if (await this.docs.insert(merge)) return merge;
    const existing = await this.findByMerged(merge.tenantId, merge.contactId);
    if (!existing) throw new Error(`merge ${merge.id}: its id is taken`);
    return existing;
  }

  /** @inheritdoc */
  async noteConversations(tenantId: string, id: string, conversationIds: readonly string[]): Promise<ContactMerge | undefined> {
    const m = await this.docs.get(id);
    if (m?.tenantId !== tenantId) return undefined;
    const all = [...new Set([...m.conversationIds, ...conversationIds])];
    if (all.length === m.conversationIds.length) return m;
    return (await this.docs.updateOne({ id, tenantId, state: 'started' }, { $set: { conversationIds: all } })) ?? this.docs.get(id);
  }

  /** @inheritdoc */
  async complete(tenantId: string, id: string, outcome: Pick<ContactMerge, 'addresses' | 'conversationIds' | 'consentEntries' | 'notes' | 'completedAt'>): Promise<ContactMerge | undefined> {
    return this.docs.updateOne({ id, tenantId }, { $set: { ...outcome, state: 'done' } });
  }

  /** @inheritdoc */
  findByMerged(tenantId: string, contactId: string): Promise<ContactMerge | undefined> {
    return this.docs.findOne({ tenantId, contactId });
  }

  /** @inheritdoc */
  listByContact(tenantId: string, contactId: string, limit = 100): Promise<ContactMerge[]> {
    return this.docs.find({ tenantId, $or: [{ contactId }, { intoContactId: contactId }] }, { sort: [['at', -1]], limit: Math.min(Math.max(1, limit), 500) });
  }

  /** @inheritdoc */
  deleteByContact(tenantId: string, contactId: string): Promise<number> {
    return this.docs.deleteMany({ tenantId, $or: [{ contactId }, { intoContactId: contactId }] });
  }
}
