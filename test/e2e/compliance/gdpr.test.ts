/**
 * GDPR end to end: a contact's data arrives through signed webhooks and the API, is exported as
 * JSON, then erased; every record of every store is scanned for what identified the person, while
 * the pseudonymised consent proof stays in the ledger and the audit log shows who did what.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ConsentEntry, Contact, Conversation } from '@switchboard/core';
import { MemoryStores } from '../../../host/src/stores/host-stores.js';
import { CORE_COLLECTIONS, DocumentConsentLedgerStore, DocumentContactStore, DocumentDeadLetterStore, DocumentMessageStore } from '../../../host/src/stores/document-stores.js';
import type { CollectionSpec, Doc } from '../../../host/src/stores/driver.js';
import type { HostMessage } from '../../../host/src/stores/stores.js';
import { createComplianceFeature, type ComplianceFeature } from '../../../host/src/compliance/compliance-feature.js';
import type { ContactDataHandler } from '../../../host/src/compliance/contact-data.js';
import type { ContactExport } from '../../../host/src/compliance/contact-privacy.js';
import type { AuditEntry } from '../../../host/src/stores/ledger-stores.js';
import { API_KEY, OTHER_KEY, eventually, startHost, type RunningHost } from '../support/host-harness.js';

const SALT = 'test-salt-0123456789abcdef';
let h: RunningHost | undefined;
afterEach(async () => { await h?.stop(); h = undefined; });

/** Every document of a collection, as the driver holds it (bookkeeping fields included). */
async function rows<T>(stores: MemoryStores, spec: CollectionSpec): Promise<T[]> {
  return (await stores.driver.collection<Doc>(spec).find({})) as unknown as T[];
}

/** Every document of every collection of the core stores (side collections included), as one JSON text per collection. */
async function dumpStores(stores: MemoryStores): Promise<Record<string, string>> {
  const dump: Record<string, string> = {};
  for (const spec of CORE_COLLECTIONS) {
    const docs = await rows<Record<string, unknown>>(stores, spec);
    dump[spec.name] = JSON.stringify(spec === DocumentDeadLetterStore.spec
      ? docs.map((d) => ({ ...d, decoded: Buffer.from(d.rawBody as string, 'base64').toString('utf8') }))
      : docs);
  }
  return dump;
}

/** A feature's own store of contact data, taking part through the handler hook. */
function loyaltyCards(): { handler: ContactDataHandler; cards: Map<string, { contactId: string; number: string }> } {
  const cards = new Map<string, { contactId: string; number: string }>();
  return {
    cards,
    handler: {
      name: 'loyalty-cards',
      async export(s) { return [...cards.values()].filter((c) => c.contactId === s.contactId); },
      async erase(s) {
        let deleted = 0;
        for (const [k, c] of cards) if (c.contactId === s.contactId) { cards.delete(k); deleted++; }
        return { deleted };
      },
    },
  };
}

describe('GDPR: export and erasure of a contact', () => {
  it('exports everything held about a contact, then erases it from every store, keeping only the pseudonymised consent proof', async () => {
    const stores = new MemoryStores();
    const loyalty = loyaltyCards();
    let feature: ComplianceFeature | undefined;
    const factory = createComplianceFeature({ pseudonymSalt: SALT, handlers: [loyalty.handler], retentionSweepMs: 0 });
    h = await startHost({ hostOptions: { stores, features: [(ctx) => (feature = factory(ctx) as ComplianceFeature)] } });
    const x = h;
    const t0 = Date.now() - 60_000;
    const annTexts = ['Hi, my plate is B-AN 4711', 'Ann here, is the Golf ready?'];
    await x.fake.deliver(x.webhookUrl, x.fake.userMessage({ userId: 'u-ann', name: 'Ann Example', text: annTexts[0]!, messageId: 'ann-in-1', timestamp: new Date(t0) }));
    await x.fake.deliver(x.webhookUrl, x.fake.userMessage({ userId: 'u-bob', name: 'Bob Other', text: 'Bob asks about tyres', messageId: 'bob-in-1', timestamp: new Date(t0 + 1000) }));
    await x.fake.deliver(x.webhookUrl, x.fake.userMessage({ userId: 'u-ann', text: annTexts[1]!, messageId: 'ann-in-2', timestamp: new Date(t0 + 2000) }));
    // a signed webhook that cannot be parsed, naming Ann: a dead letter
    await x.fake.deliver(x.webhookUrl, x.fake.signedRaw(Buffer.from('{"account":"acme-account-1","events":[{"type":"message","from":"u-ann","text":"broken')));
    const conversations = await eventually(async () => {
      const list = (await x.api<{ items: Conversation[] }>('/v1/conversations')).body.items;
      return list.length === 2 && (await rows<HostMessage>(stores, DocumentMessageStore.spec)).length === 3 ? list : undefined;
    });
    const ann = conversations.find((c) => c.address.userId === 'u-ann')!;
    const bob = conversations.find((c) => c.address.userId === 'u-bob')!;
    const contactId = ann.contactId;
    loyalty.cards.set('card-1', { contactId, number: 'LOYAL-ANN-99' });
    loyalty.cards.set('card-2', { contactId: bob.contactId, number: 'LOYAL-BOB-11' });

    // the agent answers; the platform's receipt arrives as a webhook
    const reply = 'Your Golf is ready, Ann';
    const sent = await x.api<{ id: string }>(`/v1/conversations/${ann.id}/messages`, { method: 'POST', body: JSON.stringify({ content: reply }) });
    expect(sent.status).toBe(202);
    const out = await eventually(async () => { const m = await stores.messages.get('t1', sent.body.id); return m?.externalId ? m : undefined; });
    await x.fake.deliver(x.webhookUrl, x.fake.statusUpdate({ userId: 'u-ann', externalId: out.externalId!, status: 'delivered' }));
    await eventually(async () => (await stores.messages.get('t1', out.id))?.status === 'delivered');
    // consent through the API, with the wording shown and the policy version
    const optIn = await x.api<ConsentEntry>(`/v1/contacts/${contactId}/consent`, {
      method: 'POST',
      body: JSON.stringify({ action: 'opt-in', purpose: 'marketing', topic: 'service offers', evidence: { wording: 'Yes, send me offers', privacyPolicy: { version: '2025-03' }, reference: 'form-123', text: 'Ann typed yes' } }),
    });
    expect(optIn.status).toBe(201);
    await x.fake.deliver(x.webhookUrl, x.fake.userMessage({ userId: 'u-ann', text: 'STOP', messageId: 'ann-in-3' }));
    const ledger = await eventually(async () => { const l = await stores.consent.listByContact('t1', contactId); return l.length >= 2 ? l : undefined; });
    // (a confirmation the channel sends for STOP would be one more of Ann's messages)
    const annMessages = await eventually(async () => {
      const list = (await rows<HostMessage>(stores, DocumentMessageStore.spec)).filter((m) => m.conversationId === ann.id);
      return list.length >= 4 && list.every((m) => m.direction === 'inbound' || m.status !== 'queued') ? list : undefined;
    });

    // export
    const exported = await x.api<ContactExport>(`/v1/contacts/${contactId}/export`);
    expect(exported.status).toBe(200);
    const e = exported.body;
    expect(e.contact).toMatchObject({ id: contactId, profile: { name: 'Ann Example' } });
    expect(e.addresses).toEqual([{ channel: 'acme', accountId: 'acme-account-1', userId: 'u-ann' }]);
    expect(e.conversations.map((c) => c.id)).toEqual([ann.id]);
    expect(e.messages.map((m) => m.id).sort()).toEqual(annMessages.map((m) => m.id).sort());
    expect(e.messages.map((m) => (m.content as { text: string }).text)).toEqual(expect.arrayContaining([...annTexts, reply, 'STOP']));
    expect(e.consent.map((c) => c.id)).toEqual(ledger.map((c) => c.id));
    expect(e.consent.map((c) => c.action).slice(0, 2)).toEqual(['opt-in', 'opt-out']);
    expect(e.outbox.map((o) => o.messageId)).toContain(out.id);
    // three messages and the receipt of the reply
    expect(e.inbox.filter((i) => i.event.kind === 'message')).toHaveLength(3);
    expect(e.inbox.filter((i) => i.event.kind === 'status').map((i) => (i.event as { externalId: string }).externalId)).toEqual([out.externalId]);
    expect(e.deadLetters).toHaveLength(1);
    expect(e.deadLetters[0]!.decodedBody).toContain('u-ann');
    expect(e.access.map((a) => `${a.method} ${a.path}`)).toEqual(expect.arrayContaining([`POST /conversations/${ann.id}/messages`, `POST /contacts/${contactId}/consent`]));
    // the loyalty feature's data, beside the built-in features' own (the events feature's log)
    expect(e.extensions).toMatchObject({ 'loyalty-cards': [{ contactId, number: 'LOYAL-ANN-99' }] });
    expect(Object.keys(e.extensions).sort()).toEqual(['assignment', 'event-log', 'loyalty-cards', 'webhook-deliveries']);
    // nothing of Bob's
    expect(JSON.stringify(e)).not.toContain('u-bob');
    expect(JSON.stringify(e)).not.toContain('tyres');

    const bobBefore = (await rows<HostMessage>(stores, DocumentMessageStore.spec)).filter((m) => m.conversationId === bob.id);
    const identifying = [
      contactId, ann.id, 'u-ann', 'Ann Example', 'B-AN 4711', 'Golf', 'LOYAL-ANN-99', 'form-123', 'Ann typed yes', 'Yes, send me offers',
      ...annMessages.flatMap((m) => [m.id, ...(m.externalId ? [m.externalId] : [])]),
    ];

    // erase
    const erased = await x.api<{ erased: true; pseudonym: string; deleted: Record<string, number>; pseudonymised: Record<string, number>; extensions: Record<string, unknown> }>(`/v1/contacts/${contactId}`, { method: 'DELETE' });
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({
      erased: true,
      deleted: { contact: 1, conversations: 1, messages: annMessages.length, outbox: e.outbox.length, inbox: e.inbox.length, deadLetters: 1 },
      pseudonymised: { consentEntries: ledger.length },
      extensions: { 'loyalty-cards': { deleted: 1 } },
    });
    const pseudonym = erased.body.pseudonym;
    expect(pseudonym).toMatch(/^erased:[0-9a-f]{32}$/);
    await feature!.flush();

    // scan every record of every store for what identified Ann
    const dump = await dumpStores(stores);
    for (const [store, text] of Object.entries(dump)) {
      for (const needle of identifying) expect(text.includes(needle), `${store} still holds "${needle}": ${text.slice(Math.max(0, text.indexOf(needle) - 300), text.indexOf(needle) + 100)}`).toBe(false);
    }
    expect(JSON.stringify([...loyalty.cards.values()])).not.toContain('ANN');
    // STOP was Ann's message text; nobody else wrote it
    for (const [store, text] of Object.entries(dump)) expect(text.includes('STOP'), `${store} still holds Ann's "STOP"`).toBe(false);

    // the consent proof stays: action, purpose, topic, time, source, policy version, the wording's hash
    const proof = (await rows<ConsentEntry>(stores, DocumentConsentLedgerStore.spec)).filter((c) => c.contactId === pseudonym);
    expect(proof.map((p) => p.id)).toEqual(ledger.map((l) => l.id));
    expect(proof[0]).toMatchObject({ action: 'opt-in', purpose: 'marketing', topic: 'service offers', channel: 'acme', at: ledger[0]!.at, evidence: { source: 'api', privacyPolicy: { version: '2025-03' } } });
    expect(proof[1]).toMatchObject({ action: 'opt-out', at: ledger[1]!.at, evidence: { source: 'keyword' } });
    expect(Object.keys(proof[1]!.evidence).sort()).toEqual(['detail', 'source']);
    const detail = JSON.parse(proof[0]!.evidence.detail!) as { subjects: string[]; wordingSha256: string };
    expect(detail.wordingSha256).toMatch(/^[0-9a-f]{64}$/);
    // the business can answer "did u-ann consent?" with the salt: the address hash is reproducible
    const { Pseudonymiser } = await import('../../../host/src/compliance/contact-data.js');
    expect(detail.subjects).toEqual([new Pseudonymiser(SALT).address('t1', { channel: 'acme', userId: 'u-ann' })]);

    // Bob is untouched
    expect((await rows<HostMessage>(stores, DocumentMessageStore.spec)).filter((m) => m.conversationId === bob.id)).toEqual(bobBefore);
    expect((await rows<Contact>(stores, DocumentContactStore.spec)).map((c: Contact) => c.profile.name)).toEqual(['Bob Other']);
    expect([...loyalty.cards.keys()]).toEqual(['card-2']);

    // another tenant never saw the contact (its own audit log keeps the id it probed: it is not data about Ann)
    expect((await x.api(`/v1/contacts/${contactId}/export`, { key: OTHER_KEY })).status).toBe(404);

    // gone through the API; the audit log shows the export and the erasure under the pseudonym
    expect((await x.api(`/v1/contacts/${contactId}`)).status).toBe(404);
    expect((await x.api(`/v1/contacts/${contactId}`, { method: 'DELETE' })).status).toBe(404);
    await feature!.flush();
    const audit = (await x.api<{ items: AuditEntry[] }>(`/v1/audit?contactId=${pseudonym}`)).body.items;
    expect(audit.map((a) => `${a.method} ${a.path} ${a.status}`)).toEqual(expect.arrayContaining([
      `DELETE /contacts/${pseudonym} 200`, `GET /contacts/${pseudonym}/export 200`, `POST /contacts/${pseudonym}/consent 201`,
    ]));
    expect(audit.every((a) => a.actor === audit[0]!.actor && /^key:[0-9a-f]{16}$/.test(a.actor))).toBe(true);
    expect(API_KEY.includes(audit[0]!.actor.slice(4))).toBe(false);
  });

  it('audits reads and changes of the host\'s own routes with the key fingerprint, ids and status, per tenant', async () => {
    const stores = new MemoryStores();
    let feature: ComplianceFeature | undefined;
    const factory = createComplianceFeature({ pseudonymSalt: SALT, retentionSweepMs: 0 });
    h = await startHost({ hostOptions: { stores, features: [(ctx) => (feature = factory(ctx) as ComplianceFeature)] } });
    const x = h;
    await x.fake.deliver(x.webhookUrl, x.fake.userMessage({ userId: 'u-1', text: 'hello' }));
    const [c] = await eventually(async () => { const l = (await x.api<{ items: Conversation[] }>('/v1/conversations')).body.items; return l.length ? l : undefined; });
    await x.api(`/v1/conversations/${c!.id}/messages`);
    await x.api(`/v1/conversations/${c!.id}/resolve`, { method: 'POST' });
    await x.api('/v1/contacts/nope');
    await x.api('/v1/conversations', { key: 'not-a-key-at-all-0000' });
    await feature!.flush();
    const items = (await x.api<{ items: AuditEntry[] }>(`/v1/audit?conversationId=${c!.id}`)).body.items;
    expect(items.map((i) => [i.action, i.method, i.path, i.status])).toEqual([
      ['change', 'POST', `/conversations/${c!.id}/resolve`, 200],
      ['read', 'GET', `/conversations/${c!.id}/messages`, 200],
      ['read', 'GET', '/conversations', 200],
    ]);
    // the list read names the conversation and its contact, taken from the answer
    expect(items[2]!.contactIds).toEqual([c!.contactId]);
    const all = (await x.api<{ items: AuditEntry[] }>('/v1/audit')).body.items;
    expect(all.find((i) => i.path === '/contacts/nope')).toMatchObject({ status: 404, contactIds: ['nope'] });
    // the unauthenticated call is not a tenant's access; the other tenant sees none of this
    expect(all.some((i) => i.status === 401)).toBe(false);
    expect((await x.api<{ items: AuditEntry[] }>('/v1/audit', { key: OTHER_KEY })).body.items.filter((i) => i.path !== '/audit')).toEqual([]);
    expect((await x.api('/v1/audit?from=yesterday')).status).toBe(400);
  });
});
