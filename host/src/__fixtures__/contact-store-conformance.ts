/**
 * The contact operations of issue 20 on every driver: changing a contact by compare-and-set
 * (`ContactStore.modify`), folding one contact into another (`ContactStore.absorb`), a timeline
 * across conversations (`MessageStore.listByConversations`), moving notes (`AgentStore.moveNotes`)
 * and the merge records (`ContactMergeStore`). Times are explicit; nothing depends on speed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Address, Contact } from '@switchboard/core';
import { createHostStores } from '../stores/host-stores.js';
import type { HostMessage, HostStores } from '../stores/stores.js';
import { combineContacts } from '../contacts/contact-merge.js';
import type { ContactMerge } from '../contacts/contact-merge-store.js';
import { DocumentContactStore } from '../stores/document-contact-store.js';
import type { DriverUnderTest, OpenedDriver } from './drivers-under-test.js';

const at = (s: number): Date => new Date(Date.UTC(2026, 11, 1, 9, 0, s));
let n = 0;
const uid = (p: string): string => `${p}-${process.pid}-${++n}`;

/**
 * Defines the contact operations' contract tests for one driver.
 * @param d - the driver under test
 */
export function describeContactStoreConformance(d: DriverUnderTest): void {
  describe(`contact operations: ${d.name}`, () => {
    let opened: OpenedDriver;
    let s: HostStores;
    let tenant: string;
    beforeEach(async () => { opened = await d.open(); s = createHostStores(opened.driver); tenant = uid('t'); });
    afterEach(async () => { await opened.close(); });

    const wa: Address = { channel: 'whatsapp', accountId: 'wa1', userId: '41790000001' };
    const tg: Address = { channel: 'telegram', accountId: 'bot1', userId: '777' };
    const contactOn = async (a: Address, over: Partial<Contact> = {}): Promise<Contact> =>
      (await s.contacts.findOrCreateByAddress(tenant, a, () => ({ id: uid('k'), tenantId: tenant, addresses: [a], profile: {}, createdAt: at(0), updatedAt: at(0), ...over }))).contact;
    const message = (conversationId: string, a: Address, sec: number, text: string): HostMessage => ({
      id: uid('m'), tenantId: tenant, conversationId, direction: 'inbound', ...a, externalId: uid('x'),
      content: { type: 'text', text }, status: 'delivered', timestamp: at(sec), createdAt: at(sec), updatedAt: at(sec),
    });

    it('changes a contact by a function of its current state, the tenant\'s only', async () => {
      const k = await contactOn(wa, { profile: { name: 'Ann' }, attributes: { tier: 'gold' } });
      const changed = await s.contacts.modify(tenant, k.id, (c) => ({ profile: { ...c.profile, timeZone: 'Europe/Zurich' }, attributes: { ...c.attributes, visits: 3 }, updatedAt: at(5) }));
      expect(changed).toMatchObject({ id: k.id, profile: { name: 'Ann', timeZone: 'Europe/Zurich' }, attributes: { tier: 'gold', visits: 3 }, updatedAt: at(5) });
      expect(await s.contacts.get(tenant, k.id)).toEqual(changed);
      // undefined removes a field
      expect(await s.contacts.modify(tenant, k.id, () => ({ attributes: undefined }))).not.toHaveProperty('attributes');
      expect(await s.contacts.modify('other-tenant', k.id, () => ({ crmRef: 'x' }))).toBeUndefined();
      expect(await s.contacts.modify(tenant, 'no-such-contact', () => ({ crmRef: 'x' }))).toBeUndefined();
      // a refusal thrown by the function changes nothing
      await expect(s.contacts.modify(tenant, k.id, () => { throw new Error('refused'); })).rejects.toThrow('refused');
    });

    it('loses no concurrent change (compare-and-set)', async () => {
      const k = await contactOn(wa);
      await Promise.all(Array.from({ length: 8 }, (_, i) => s.contacts.modify(tenant, k.id, (c) => ({ tags: [...(c.tags ?? []), `t${i}`] }))));
      expect((await s.contacts.get(tenant, k.id))!.tags!.sort()).toEqual(['t0', 't1', 't2', 't3', 't4', 't5', 't6', 't7']);
    });

    it('folds one contact into another: addresses, fields, the merged one gone, its addresses found on the other', async () => {
      const ann = await contactOn(wa, { profile: { name: 'Ann' }, tags: ['vip'], attributes: { tier: 'gold' } });
      const tele = await contactOn(tg, { profile: { name: 'ann_tg', locale: 'de-CH' }, tags: ['telegram'], crmRef: 'CRM-7', attributes: { tier: 'silver', car: 'VW' } });
      const merged = await s.contacts.absorb(tenant, ann.id, tele.id, combineContacts);
      expect(merged).toMatchObject({
        id: ann.id, addresses: [wa, tg], profile: { name: 'Ann', locale: 'de-CH' }, tags: ['vip', 'telegram'], crmRef: 'CRM-7',
        attributes: { tier: 'gold', car: 'VW' },
      });
      expect(await s.contacts.get(tenant, tele.id)).toBeUndefined();
      expect((await s.contacts.findByAddress(tenant, tg))?.id).toBe(ann.id);
      // a first message on the merged address now finds the remaining contact
      expect((await contactOn(tg)).id).toBe(ann.id);
      expect((await s.contacts.list(tenant)).map((c) => c.id)).toEqual([ann.id]);
      // again: nothing more to do, the same contact
      expect((await s.contacts.absorb(tenant, ann.id, tele.id, combineContacts))!.addresses).toEqual([wa, tg]);
      await expect(s.contacts.absorb(tenant, ann.id, ann.id, combineContacts)).rejects.toMatchObject({ code: 'CONFLICT' });
    });

    it('never merges across tenants', async () => {
      const ann = await contactOn(wa);
      const other = (await s.contacts.findOrCreateByAddress('other-tenant', tg, () => ({ id: uid('k'), tenantId: 'other-tenant', addresses: [tg], profile: {}, createdAt: at(0), updatedAt: at(0) }))).contact;
      expect(await s.contacts.absorb('other-tenant', ann.id, other.id, combineContacts)).toBeUndefined();
      expect((await s.contacts.absorb(tenant, ann.id, other.id, combineContacts))!.addresses).toEqual([wa]);
      expect(await s.contacts.get('other-tenant', other.id)).toBeDefined();
      expect((await s.contacts.findByAddress('other-tenant', tg))?.id).toBe(other.id);
    });

    it('completes a fold a crash interrupted after the claims moved', async () => {
      const ann = await contactOn(wa);
      const tele = await contactOn(tg);
      // the crash: the claims point at ann, the record of tele is still there
      const claims = opened.driver.collection<{ id: string; tenantId: string; contactId: string }>(DocumentContactStore.claimsSpec);
      await claims.updateMany({ tenantId: tenant, contactId: tele.id }, { $set: { contactId: ann.id } });
      expect((await s.contacts.findByAddress(tenant, tg))?.id).toBe(ann.id);
      const merged = await s.contacts.absorb(tenant, ann.id, tele.id, combineContacts);
      expect(merged!.addresses).toEqual([wa, tg]);
      expect(await s.contacts.get(tenant, tele.id)).toBeUndefined();
    });

    it('pages the messages of several conversations newest first', async () => {
      const c1 = uid('c');
      const c2 = uid('c');
      const ms = [message(c1, wa, 1, 'a'), message(c2, tg, 2, 'b'), message(c1, wa, 3, 'c'), message(c2, tg, 4, 'd'), message(uid('c'), wa, 5, 'other conversation')];
      for (const m of ms) await s.messages.insert(m);
      const texts = (list: HostMessage[]) => list.map((m) => (m.content as { text: string }).text);
      expect(texts(await s.messages.listByConversations(tenant, [c1, c2]))).toEqual(['d', 'c', 'b', 'a']);
      expect(texts(await s.messages.listByConversations(tenant, [c1, c2], { limit: 2, offset: 1 }))).toEqual(['c', 'b']);
      expect(await s.messages.listByConversations('other-tenant', [c1, c2])).toEqual([]);
      expect(await s.messages.listByConversations(tenant, [])).toEqual([]);
    });

    it('moves a contact\'s notes to another contact', async () => {
      for (const [contactId, text, sec] of [['k1', 'first', 1], ['k1', 'second', 2], ['k2', 'kept', 3]] as const) {
        await s.agents.addNote({ id: uid('n'), tenantId: tenant, contactId, agentId: 'a1', authorName: 'Ana', text, at: at(sec) });
      }
      expect(await s.agents.moveNotes('other-tenant', 'k1', 'k2')).toBe(0);
      expect(await s.agents.moveNotes(tenant, 'k1', 'k2')).toBe(2);
      expect((await s.agents.listNotes(tenant, 'k2')).map((x) => x.text)).toEqual(['first', 'second', 'kept']);
      expect(await s.agents.listNotes(tenant, 'k1')).toEqual([]);
    });

    it('records one merge per merged contact and completes it', async () => {
      const merge = (over: Partial<ContactMerge> = {}): ContactMerge => ({
        id: uid('g'), tenantId: tenant, contactId: 'k2', intoContactId: 'k1', actor: 'api-key:test', at: at(1), state: 'started',
        addresses: [tg], conversationIds: [], consentEntries: 0, notes: 0, ...over,
      });
      const first = merge();
      expect(await s.contactMerges.begin(first)).toEqual(first);
      // the same contact merged again: the recorded merge is answered
      expect((await s.contactMerges.begin(merge({ intoContactId: 'k3' }))).id).toBe(first.id);
      expect((await s.contactMerges.noteConversations(tenant, first.id, ['c1', 'c2']))!.conversationIds).toEqual(['c1', 'c2']);
      expect((await s.contactMerges.noteConversations(tenant, first.id, ['c2', 'c3']))!.conversationIds).toEqual(['c1', 'c2', 'c3']);
      expect(await s.contactMerges.noteConversations('other-tenant', first.id, ['c9'])).toBeUndefined();
      const done = await s.contactMerges.complete(tenant, first.id, { addresses: [tg], conversationIds: ['c1'], consentEntries: 2, notes: 1, completedAt: at(2) });
      expect(done).toMatchObject({ state: 'done', conversationIds: ['c1'], consentEntries: 2, notes: 1, completedAt: at(2) });
      expect(await s.contactMerges.complete('other-tenant', first.id, { addresses: [], conversationIds: [], consentEntries: 0, notes: 0 })).toBeUndefined();
      const later = merge({ contactId: 'k4', at: at(9) });
      await s.contactMerges.begin(later);
      expect((await s.contactMerges.listByContact(tenant, 'k1')).map((m) => m.id)).toEqual([later.id, first.id]);
      expect((await s.contactMerges.listByContact(tenant, 'k2')).map((m) => m.id)).toEqual([first.id]);
      expect(await s.contactMerges.listByContact('other-tenant', 'k1')).toEqual([]);
      expect(await s.contactMerges.findByMerged(tenant, 'k4')).toEqual(later);
      expect(await s.contactMerges.deleteByContact(tenant, 'k1')).toBe(2);
      expect(await s.contactMerges.listByContact(tenant, 'k1')).toEqual([]);
    });
  });
}
