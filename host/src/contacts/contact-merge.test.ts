import { ManualClock, type Address, type Contact, type Conversation } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { ConsentService } from '../consent/consent-service.js';
import { MemoryStores } from '../stores/host-stores.js';
import { createHostStreams } from '../streams.js';
import { combineContacts, ContactMerger } from './contact-merge.js';

const wa: Address = { channel: 'whatsapp', accountId: 'wa1', userId: '41790000001' };
const tg: Address = { channel: 'telegram', accountId: 'bot1', userId: '777' };

async function world() {
  const clock = new ManualClock(Date.UTC(2026, 11, 6, 9));
  const stores = new MemoryStores({ now: () => clock.now() });
  const consent = new ConsentService({ stores, streams: createHostStreams() });
  const contact = async (a: Address, id: string, over: Partial<Contact> = {}): Promise<Contact> => (await stores.contacts.findOrCreateByAddress('shop', a, () => ({
    id, tenantId: 'shop', addresses: [a], profile: {}, createdAt: new Date(clock.now()), updatedAt: new Date(clock.now()), ...over,
  }))).contact;
  const conversation = async (a: Address, contactId: string): Promise<Conversation> => (await stores.conversations.findOrCreate('shop', a, () => ({
    id: `c-${a.channel}`, tenantId: 'shop', contactId, address: a, status: 'open', assignee: { kind: 'none' }, tags: [], createdAt: new Date(clock.now()), updatedAt: new Date(clock.now()),
  } as Conversation))).conversation;
  return { clock, stores, consent, contact, conversation };
}

describe('ContactMerger', () => {
  it('regression: a merge that stopped half-way (a crash after the conversations moved) is completed by asking again, under the same record', async () => {
    const w = await world();
    const ann = await w.contact(wa, 'ann', { profile: { name: 'Ann' } });
    const tele = await w.contact(tg, 'tele', { tags: ['telegram'] });
    await w.conversation(tg, tele.id);
    await w.consent.record({ id: 'e1', tenantId: 'shop', contactId: tele.id, channel: 'telegram', action: 'opt-in', purpose: 'marketing', scope: 'channel', at: new Date(w.clock.now()), evidence: { source: 'api', wording: 'News?' } });
    let failNotes = true;
    const notes = { moveNotes: async (t: string, from: string, to: string) => { if (failNotes) throw new Error('crash'); return w.stores.agents.moveNotes(t, from, to); } };
    const merger = new ContactMerger({ contacts: w.stores.contacts, conversations: w.stores.conversations, merges: w.stores.contactMerges, notes, consent: w.consent, clock: w.clock });

    await expect(merger.merge('shop', ann.id, tele.id, 'api-key:test')).rejects.toThrow('crash');
    const started = await w.stores.contactMerges.findByMerged('shop', tele.id);
    expect(started).toMatchObject({ state: 'started', intoContactId: ann.id });
    expect((await w.stores.conversations.get('shop', 'c-telegram'))?.contactId).toBe(ann.id);

    failNotes = false;
    const { contact, merge } = await merger.merge('shop', ann.id, tele.id, 'api-key:test');
    expect(merge).toMatchObject({ id: started!.id, state: 'done', consentEntries: 1, conversationIds: ['c-telegram'] });
    expect(contact).toMatchObject({ id: ann.id, addresses: [wa, tg], profile: { name: 'Ann' }, tags: ['telegram'] });
    // the ledger was copied once, though the copy ran twice
    expect((await w.consent.history('shop', ann.id)).map((e) => e.mergedFrom)).toEqual([{ contactId: tele.id, entryId: 'e1' }]);
    // a merge into a third contact is refused while the record names another
    const third = await w.contact({ ...wa, userId: '3' }, 'third');
    await expect(merger.merge('shop', third.id, tele.id, 'api-key:test')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('keeps the remaining contact\'s values and fills what it lacks', () => {
    const base = { tenantId: 't', addresses: [], createdAt: new Date(0), updatedAt: new Date(0) };
    expect(combineContacts(
      { ...base, id: 'a', profile: { name: 'Ann' }, tags: ['vip'], attributes: { tier: 'gold' } },
      { ...base, id: 'b', profile: { name: 'ann_tg', locale: 'de-CH' }, tags: ['vip', 'tg'], crmRef: 'CRM-1', attributes: { tier: 'silver', car: 'VW' } },
    )).toEqual({ profile: { name: 'Ann', locale: 'de-CH' }, tags: ['vip', 'tg'], attributes: { tier: 'gold', car: 'VW' }, crmRef: 'CRM-1' });
  });
});
