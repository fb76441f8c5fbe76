import type { Address, Content, Conversation } from '@switchboard/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOnDrivers, type OpenedDriver } from '../__fixtures__/drivers-under-test.js';
import { createHostStores, type DocumentHostStores } from '../stores/host-stores.js';
import { DocumentInboxSearch, phoneDigits, snippet, wordHits, type InboxSearchQuery, type SearchHit } from './inbox-search.js';

const T = 'acme';
const at = (minute: number): Date => new Date(Date.UTC(2026, 5, 1, 10, minute));
const page = (q: string, more: Partial<InboxSearchQuery> = {}): InboxSearchQuery => ({ q, limit: 20, offset: 0, ...more });
/** A hit as a short string: the conversation's user id, and the message's id for a message hit. */
const brief = (h: SearchHit): string => (h.message ? `${h.conversation.address.userId}/${h.message.id}` : h.conversation.address.userId);

/** A tenant's inbox, written through the host's own stores. */
async function seed(stores: DocumentHostStores, tenantId: string, userId: string, opts: { name?: string; channel?: string; minute: number; tags?: string[]; crmRef?: string; status?: Conversation['status']; queue?: string; agentId?: string; messages?: [string, Content][] }): Promise<Conversation> {
  const address: Address = { channel: opts.channel ?? 'whatsapp', accountId: 'acc', userId };
  const { contact } = await stores.contacts.findOrCreateByAddress(tenantId, address, () => ({
    id: `k-${tenantId}-${userId}`, tenantId, addresses: [address], profile: opts.name ? { name: opts.name } : {}, createdAt: at(0), updatedAt: at(0),
  }));
  const { conversation } = await stores.conversations.findOrCreate(tenantId, address, () => ({
    id: `c-${tenantId}-${userId}`, tenantId, contactId: contact.id, address, status: opts.status ?? 'open',
    assignee: opts.agentId ? { kind: 'agent', agentId: opts.agentId, ...(opts.queue ? { queue: opts.queue } : {}) } : opts.queue ? { kind: 'queue', queue: opts.queue } : { kind: 'none' },
    tags: opts.tags ?? [], ...(opts.crmRef ? { crmRef: opts.crmRef } : {}), createdAt: at(opts.minute), updatedAt: at(opts.minute),
  }));
  for (const [i, [id, content]] of (opts.messages ?? []).entries()) {
    await stores.messages.insert({
      id, tenantId, conversationId: conversation.id, channel: address.channel, accountId: 'acc', userId, direction: 'inbound', externalId: `x-${id}`,
      content, status: 'delivered', timestamp: at(opts.minute + i), createdAt: at(opts.minute + i), updatedAt: at(opts.minute + i),
    });
  }
  return conversation;
}

describeOnDrivers('inbox search', (d) => {
  describe(`inbox search: ${d.name}`, () => {
    let opened: OpenedDriver;
    let stores: DocumentHostStores;
    let search: DocumentInboxSearch;
    beforeAll(async () => {
      opened = await d.open();
      stores = createHostStores(opened.driver);
      search = new DocumentInboxSearch(opened.driver);
      await seed(stores, T, '4915112345678', { name: 'Anna Müller', minute: 1, tags: ['vip'], crmRef: 'CRM-77', messages: [['m1', { type: 'text', text: 'My brake pads squeal since Monday' }], ['m2', { type: 'text', text: 'Thanks!' }]] });
      await seed(stores, T, '4930998877', { name: 'Bob Brake', minute: 5, status: 'pending', queue: 'workshop', messages: [['m3', { type: 'image', media: { id: 'img', caption: 'Photo of the BRAKE disc' } }]] });
      await seed(stores, T, '777000111', { name: 'Chat User', channel: 'telegram', minute: 9, agentId: 'ag1', queue: 'workshop', messages: [['m4', { type: 'text', text: 'brake fluid change, please' }], ['m5', { type: 'interactive', body: 'Choose a slot for the brake job', buttons: [{ id: 'a', title: 'Tue' }] }]] });
      // another tenant with the same words and number: never seen
      await seed(stores, 'other', '4915112345678', { name: 'Anna Other', minute: 2, tags: ['vip'], crmRef: 'CRM-77', messages: [['o1', { type: 'text', text: 'brake pads' }]] });
    });
    afterAll(async () => { await opened?.close(); });

    it('finds messages by their text and captions, newest first, with the matching words\' ranges', async () => {
      const found = await search.search(T, page('brake'));
      // "Bob Brake" matches by name first (a conversation hit), then the messages, newest first
      expect(found.items.map(brief)).toEqual(['4930998877', '777000111/m5', '777000111/m4', '4930998877/m3', '4915112345678/m1']);
      const caption = found.items.find((h) => h.message?.id === 'm3')!;
      expect(caption.matches).toEqual([{ field: 'message', path: 'content.media.caption', text: 'Photo of the BRAKE disc', hits: [[13, 18]] }]);
      expect(caption.contact).toEqual({ id: `k-${T}-4930998877`, name: 'Bob Brake' });
      expect(found.nextOffset).toBeUndefined();
      expect((await search.search(T, page('brake pads'))).items.map(brief)).toEqual(['4915112345678/m1']);
    });

    it('finds conversations by contact name, partial number as typed, tag and CRM reference', async () => {
      const byName = await search.search(T, page('müller'));
      expect(byName.items.map(brief)).toEqual(['4915112345678']);
      expect(byName.items[0]!.matches).toEqual([{ field: 'contactName', text: 'Anna Müller', hits: [[5, 11]] }]);
      const byNumber = await search.search(T, page('+49 151 1234'));
      expect(byNumber.items.map(brief)).toEqual(['4915112345678']);
      expect(byNumber.items[0]!.matches).toEqual([{ field: 'address', text: '4915112345678', hits: [[0, 9]] }]);
      expect((await search.search(T, page('998877'))).items.map(brief)).toEqual(['4930998877']);
      expect((await search.search(T, page('VIP'))).items.map((h) => [brief(h), h.matches[0]!.field])).toEqual([['4915112345678', 'tag']]);
      expect((await search.search(T, page('CRM-77'))).items.map((h) => [brief(h), h.matches[0]!.field])).toEqual([['4915112345678', 'crmRef']]);
      expect((await search.search(T, page('777000111'))).items.map(brief)).toEqual(['777000111']);
    });

    it('filters by channel, status, queue, agent and time', async () => {
      expect((await search.search(T, page('brake', { channel: 'telegram' }))).items.map(brief)).toEqual(['777000111/m5', '777000111/m4']);
      expect((await search.search(T, page('brake', { status: 'pending' }))).items.map(brief)).toEqual(['4930998877', '4930998877/m3']);
      expect((await search.search(T, page('brake', { queue: 'workshop' }))).items.map(brief)).toEqual(['4930998877', '777000111/m5', '777000111/m4', '4930998877/m3']);
      expect((await search.search(T, page('brake', { agentId: 'ag1' }))).items.map(brief)).toEqual(['777000111/m5', '777000111/m4']);
      expect((await search.search(T, page('brake', { from: at(5), to: at(10) }))).items.map(brief)).toEqual(['4930998877', '777000111/m4', '4930998877/m3']);
    });

    it('pages over conversation hits, then message hits', async () => {
      const all = (await search.search(T, page('brake'))).items.map(brief);
      const seen: string[] = [];
      let offset: number | undefined = 0;
      while (offset !== undefined) {
        const p = await search.search(T, page('brake', { limit: 2, offset }));
        seen.push(...p.items.map(brief));
        offset = p.nextOffset;
      }
      expect(seen).toEqual(all);
    });

    it('never shows another tenant\'s conversations, messages or contacts', async () => {
      for (const q of ['brake', 'anna', '4915112345678', 'vip', 'CRM-77', 'other']) {
        const found = await search.search(T, page(q));
        expect(found.items.every((h) => h.conversation.tenantId === T && (h.message === undefined || h.message.tenantId === T)), q).toBe(true);
      }
      expect((await search.search(T, page('other'))).items).toEqual([]);
      expect((await search.search('nobody', page('brake'))).items).toEqual([]);
    });

    it('erasure: the messages, conversation and contact the erasure deletes are found no more', async () => {
      await seed(stores, T, '4400000001', { name: 'Zed Erase', minute: 30, messages: [['z1', { type: 'text', text: 'secretword please erase' }]] });
      expect((await search.search(T, page('secretword'))).items.map(brief)).toEqual(['4400000001/z1']);
      expect((await search.search(T, page('zed'))).items.map(brief)).toEqual(['4400000001']);
      // what the erasure does to the stores (compliance/contact-privacy.ts)
      expect(await stores.messages.deleteByConversation(T, `c-${T}-4400000001`)).toBe(1);
      expect(await stores.conversations.delete(T, `c-${T}-4400000001`)).toBe(true);
      expect(await stores.contacts.delete(T, `k-${T}-4400000001`)).toBe(true);
      expect((await search.search(T, page('secretword'))).items).toEqual([]);
      expect((await search.search(T, page('zed'))).items).toEqual([]);
    });
  });
});

describe('snippets and hits', () => {
  it('wordHits marks whole words, folding case and accents', () => {
    expect(wordHits('Émile’s BRAKE-pads; brakes', new Set(['emile', 'brake', 'pads']))).toEqual([[0, 5], [8, 13], [14, 18]]);
  });

  it('snippet cuts a long text around the first hit and moves the ranges', () => {
    const text = `${'a '.repeat(200)}needle ${'b '.repeat(200)}`;
    const hits = wordHits(text, new Set(['needle']));
    const s = snippet(text, hits, 40);
    expect(s.text.startsWith('…') && s.text.endsWith('…')).toBe(true);
    expect(s.hits).toHaveLength(1);
    expect(s.text.slice(s.hits[0]![0], s.hits[0]![1])).toBe('needle');
  });

  it('property: every range of a snippet lies inside it and covers a matching word', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom('ab', 'Áb', 'cd', '😀', 'x-y', ' ', '\n', 'AB.'), { maxLength: 120 }), fc.integer({ min: 8, max: 60 }), (parts, length) => {
      const text = parts.join(' ');
      const s = snippet(text, wordHits(text, new Set(['ab'])), length);
      for (const [a, b] of s.hits) {
        expect(a >= 0 && b <= s.text.length && a < b).toBe(true);
        expect(s.text.slice(a, b).normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()).toBe('ab');
      }
    }));
  });

  it('phoneDigits reads numbers as typed, and nothing else', () => {
    expect(phoneDigits('+49 (151) 123-45')).toBe('4915112345');
    expect(phoneDigits('12')).toBeUndefined();
    expect(phoneDigits('brake 123')).toBeUndefined();
    fc.assert(fc.property(fc.string(), (q) => {
      const d = phoneDigits(q);
      expect(d === undefined || /^\d{3,}$/.test(d)).toBe(true);
    }));
  });
});
