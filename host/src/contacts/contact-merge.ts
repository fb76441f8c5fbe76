/**
 * Merging two contacts into one: the person who wrote on WhatsApp and then on Telegram is one
 * customer. The merge is an explicit act (the host never guesses that two addresses are one
 * person): the API names both contacts, and everything of the merged contact moves to the one that
 * remains — addresses, conversations, the consent ledger (copied by the consent service, the
 * ledger's one writer, with its evidence), notes — and a merge record keeps who did it and what
 * moved. Every step can run again: a merge that stopped half-way is completed by asking again.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { Clock, Contact } from '@switchboard/core';
import type { ConsentService } from '../consent/consent-service.js';
import type { AgentStore } from '../console/agent-store.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import type { ContactFields, ContactStore, ConversationStore } from '../stores/stores.js';
import type { ContactMerge, ContactMergeStore } from './contact-merge-store.js';

/** What a merge reads and writes. */
export interface ContactMergerDeps {
  contacts: Pick<ContactStore, 'get' | 'absorb'>;
  conversations: Pick<ConversationStore, 'list' | 'update'>;
  merges: ContactMergeStore;
  notes: Pick<AgentStore, 'moveNotes'>;
  /** The consent ledger's one writer. */
  consent: Pick<ConsentService, 'adoptLedger'>;
  clock: Clock;
}

/** The outcome of a merge: the contact that remains and the merge record. */
export interface MergeOutcome {
  contact: Contact;
  merge: ContactMerge;
}

/**
 * The fields of the remaining contact after a merge: its own values win, the merged contact's fill
 * what it lacks; tags are united, attributes combined key by key (the remaining contact's win).
 * @param target - the contact that remains
 * @param source - the contact merged into it
 * @returns the fields to store on the target
 */
export function combineContacts(target: Contact, source: Contact): ContactFields {
  const tags = [...new Set([...(target.tags ?? []), ...(source.tags ?? [])])];
  const attributes = { ...source.attributes, ...target.attributes };
  const crmRef = target.crmRef ?? source.crmRef;
  const capabilities = { ...source.capabilities, ...target.capabilities };
  return {
    profile: { ...source.profile, ...target.profile },
    ...(tags.length ? { tags } : {}),
    ...(Object.keys(attributes).length ? { attributes } : {}),
    ...(Object.keys(capabilities).length ? { capabilities } : {}),
    ...(crmRef !== undefined ? { crmRef } : {}),
  };
}

/** Merges contacts (see the module's description). */
export class ContactMerger {
  /** @param deps - the stores, the consent service and the clock */
  constructor(private readonly deps: ContactMergerDeps) {}

  /**
   * Folds contact `sourceId` into `targetId`.
   * @param tenantId - the tenant (both contacts must be its own: another tenant's is not found)
   * @param targetId - the contact that remains
   * @param sourceId - the contact merged away
   * @param actor - who asks (`api-key:…` or `agent:…`)
   * @returns the remaining contact and the merge record
   * @throws NotFoundError when either contact is unknown (and no merge of them is recorded)
   * @throws ValidationError when both are the same contact
   */
  async merge(tenantId: string, targetId: string, sourceId: string, actor: string): Promise<MergeOutcome> {
    if (targetId === sourceId) throw new ValidationError('contactId', 'must name another contact than the one in the path');
    const { contacts, merges, clock } = this.deps;
    const target = await contacts.get(tenantId, targetId);
    if (!target) throw new NotFoundError('contact', targetId);
    const source = await contacts.get(tenantId, sourceId);
    const recorded = await merges.findByMerged(tenantId, sourceId);
    if (!source) {
      // merged before: the same request again answers the same merge (completing it if it stopped)
      if (recorded?.intoContactId === targetId) return recorded.state === 'done' ? { contact: target, merge: recorded } : this.run(recorded);
      throw new NotFoundError('contact', sourceId);
    }
    if (recorded && recorded.intoContactId !== targetId) {
      throw new ConflictError(`contact ${sourceId} is being merged into another contact`, { contactId: recorded.intoContactId });
    }
    const merge = await merges.begin({
      id: randomUUID(), tenantId, contactId: sourceId, intoContactId: targetId, actor, at: new Date(clock.now()), state: 'started',
      addresses: source.addresses, conversationIds: [], consentEntries: 0, notes: 0,
    });
    return this.run(merge);
  }

  /** The steps, each safe to repeat: conversations, consent, notes, then the contact records. */
  private async run(merge: ContactMerge): Promise<MergeOutcome> {
    const { tenantId, contactId: sourceId, intoContactId: targetId } = merge;
    const { conversations, contacts, consent, notes, merges, clock } = this.deps;
    const moved = new Set(merge.conversationIds);
    for (;;) {
      const batch = await conversations.list(tenantId, { contactId: sourceId, limit: 500 });
      if (batch.length === 0) break;
      // named in the record before they move: a crash now leaves a record that still lists them
      await merges.noteConversations(tenantId, merge.id, batch.map((c) => c.id));
      for (const c of batch) {
        await conversations.update(tenantId, c.id, { contactId: targetId, updatedAt: new Date(clock.now()) });
        moved.add(c.id);
      }
    }
    const consentEntries = await consent.adoptLedger(tenantId, sourceId, targetId, merge.id);
    const movedNotes = await notes.moveNotes(tenantId, sourceId, targetId);
    const contact = await contacts.absorb(tenantId, targetId, sourceId, combineContacts);
    if (!contact) throw new NotFoundError('contact', targetId);
    const done = await merges.complete(tenantId, merge.id, {
      addresses: merge.addresses, conversationIds: [...moved],
      consentEntries: Math.max(consentEntries, merge.consentEntries), notes: merge.notes + movedNotes, completedAt: new Date(clock.now()),
    });
    return { contact, merge: done ?? merge };
  }
}
