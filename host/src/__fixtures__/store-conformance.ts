/**
 * One conformance suite for the host's core stores (conversations, messages, contacts, consent
 * ledger, inbox, outbox, dead letters, audit log, cost ledger), written once on the storage driver
 * contract and run on every driver: memory, SQLite (in memory and on a file), and MongoDB when
 * SWITCHBOARD_MONGODB_URI is set. Nothing here depends on machine speed: times are passed
 * explicitly, and the cost of a lease is measured in documents read, never in time.
 */
import { describe, expect, it, beforeEach, afterEach } from 'vitest';
import type { Address, Contact, Conversation } from '@switchboard/core';
import type { Collection, CollectionSpec, Doc, LinkedUpdate, StorageDriver } from '../stores/driver.js';
import { createHostStores } from '../stores/host-stores.js';
import { DocumentAuditLogStore, DocumentContactStore, DocumentDeadLetterStore } from '../stores/document-stores.js';
import type { HostMessage, HostStores, InboxEntry, OutboxEntry } from '../stores/stores.js';

const at = (s: number): Date => new Date(Date.UTC(2026, 10, 20, 10, 0, s));
let n = 0;
const uid = (p: string): string => `${p}-${Date.now().toString(36)}-${(n++).toString(36)}`;

/** How the contact store records that an address belongs to a contact (the crash tests write one directly). */
type ClaimDoc = Doc & { tenantId: string; channel: string; accountId: string; userId: string; contactId: string };

/** An open database for one test. */
export interface StoreDatabase {
  driver: StorageDriver;
  /** Closes the driver and removes what the test left behind. */
  close(): Promise<void>;
}

/**
 * A driver that counts the documents its collections hand out (`find`, `findOne`, `get`,
 * `updateOne`): the work a store asks of the database, measured without a clock.
 */
export class CountingDriver implements StorageDriver {
  /** Documents handed out since the last {@link CountingDriver.reset}. */
  read = 0;
  /** @param inner - the driver that does the work */
  constructor(private readonly inner: StorageDriver) {}
  get kind(): StorageDriver['kind'] { return this.inner.kind; }
  get capabilities(): StorageDriver['capabilities'] { return this.inner.capabilities; }
  get transactional(): boolean { return this.inner.transactional === true; }
  /** Starts counting from zero. */
  reset(): void { this.read = 0; }
  collection<T extends Doc>(spec: CollectionSpec): Collection<T> {
    const real = this.inner.collection<T>(spec);
    const count = <R>(result: R): R => { this.read += Array.isArray(result) ? result.length : result === undefined ? 0 : 1; return result; };
    return new Proxy(real, {
      get: (target, prop, receiver) => {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function') return value;
        if (prop === 'find' || prop === 'findOne' || prop === 'get' || prop === 'updateOne') {
          return async (...args: unknown[]) => count(await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
        }
        return (value as (...a: unknown[]) => unknown).bind(target);
      },
    });
  }
  async updateTogether(updates: readonly LinkedUpdate[]): Promise<(Doc | undefined)[]> {
    const after = await this.inner.updateTogether(updates);
    this.read += after.filter((d) => d !== undefined).length;
    return after;
  }
  ping(): Promise<void> { return this.inner.ping(); }
  clear(): Promise<void> { return this.inner.clear(); }
  close(): Promise<void> { return this.inner.close(); }
}

/**
 * Defines the suite for one driver.
 * @param name - the driver's name in the test titles
 * @param open - opens a fresh database (called once per test)
 */
export function describeStoreConformance(name: string, open: () => Promise<StoreDatabase>): void {
  describe(`store conformance: ${name}`, () => {
    let s: HostStores;
    let db: StoreDatabase;
    let tenant: string;
    beforeEach(async () => {
      db = await open();
      s = createHostStores(db.driver);
      tenant = uid('t'); // a fresh tenant per test keeps a shared database clean enough
    });
    afterEach(async () => { await db.close(); });

    const address = (userId = 'u1'): Address => ({ channel: 'acme', accountId: 'acc', userId });
    const conversation = (a: Address, id = uid('c')): Conversation => ({ id, tenantId: tenant, contactId: 'k', address: a, status: 'open', assignee: { kind: 'none' }, tags: [], createdAt: at(0), updatedAt: at(0) });
    const message = (over: Partial<HostMessage> = {}): HostMessage => ({
      id: uid('m'), tenantId: tenant, conversationId: 'c1', channel: 'acme', accountId: 'acc', userId: 'u1', direction: 'inbound',
      content: { type: 'text', text: 'hi' }, status: 'delivered', timestamp: at(1), createdAt: at(1), updatedAt: at(1), ...over,
    });

    it('keeps its own copy: changing what was given or what came back changes nothing stored', async () => {
      const given = message({ content: { type: 'list', text: 'Pick one', sections: [{ title: 'Menu', rows: [{ id: 'r1', title: 'Falafel' }] }] } as HostMessage['content'], statusHistory: [{ status: 'delivered', at: at(1) }] });
      const snapshot = structuredClone(given);
      await s.messages.insert(given);
      (given.content as { text: string }).text = 'changed';
      given.statusHistory![0]!.at.setTime(0);
      const back = (await s.messages.get(tenant, given.id))!;
      expect(back).toEqual(snapshot);
      expect(back.timestamp).toBeInstanceOf(Date);
      ((back.content as { sections: { rows: { title: string }[] }[] }).sections[0]!.rows[0]!).title = 'changed';
      back.createdAt.setTime(0);
      expect(await s.messages.get(tenant, given.id)).toEqual(snapshot);
    });

    it('finds or creates a conversation once per address, and isolates tenants', async () => {
      const a = address();
      const first = await s.conversations.findOrCreate(tenant, a, () => conversation(a));
      const again = await s.conversations.findOrCreate(tenant, a, () => conversation(a));
      expect(first.created).toBe(true);
      expect(again).toEqual({ conversation: first.conversation, created: false });
      expect(await s.conversations.get('other-tenant', first.conversation.id)).toBeUndefined();
      expect(await s.conversations.list('other-tenant')).toEqual([]);
      const concurrent = await Promise.all(Array.from({ length: 5 }, () => s.conversations.findOrCreate(tenant, address('u2'), () => conversation(address('u2')))));
      expect(new Set(concurrent.map((c) => c.conversation.id)).size).toBe(1);
    });

    it('moves lastInboundAt forward only and patches conversations', async () => {
      const a = address();
      const { conversation: c } = await s.conversations.findOrCreate(tenant, a, () => conversation(a));
      await s.conversations.recordInbound(tenant, c.id, at(5));
      const after = await s.conversations.recordInbound(tenant, c.id, at(3));
      expect(after!.lastInboundAt).toEqual(at(5));
      const patched = await s.conversations.update(tenant, c.id, { status: 'resolved', assignee: { kind: 'queue', queue: 'q' } });
      expect(patched).toMatchObject({ status: 'resolved', assignee: { kind: 'queue', queue: 'q' } });
      expect(await s.conversations.update('other-tenant', c.id, { status: 'open' })).toBeUndefined();
      expect((await s.conversations.list(tenant, { status: 'resolved' })).map((x) => x.id)).toEqual([c.id]);
    });

    it('records outbound messages: lastOutboundAt forward only, first response once, a counter reset by inbound', async () => {
      const a = address('u-out');
      const { conversation: c } = await s.conversations.findOrCreate(tenant, a, () => conversation(a));
      const before = await s.conversations.recordOutbound(tenant, c.id, at(1));
      expect(before).toMatchObject({ lastOutboundAt: at(1), outboundSinceInbound: 1 });
      expect(before!.firstResponseAt).toBeUndefined(); // nothing to respond to yet
      await s.conversations.recordInbound(tenant, c.id, at(2));
      await s.conversations.recordOutbound(tenant, c.id, at(4));
      const after = await s.conversations.recordOutbound(tenant, c.id, at(3));
      expect(after).toMatchObject({ lastOutboundAt: at(4), firstResponseAt: at(4), outboundSinceInbound: 2 });
      expect(await s.conversations.recordOutbound('other-tenant', c.id, at(5))).toBeUndefined();
    });

    it('inserts messages idempotently on external id and lists them in platform-time order', async () => {
      const a = message({ externalId: 'x1', timestamp: at(9) });
      expect((await s.messages.insert(a)).inserted).toBe(true);
      expect(await s.messages.insert({ ...a, id: uid('m') })).toEqual({ message: a, inserted: false });
      await s.messages.insert(message({ externalId: 'x0', timestamp: at(2) }));
      await s.messages.insert(message({ direction: 'outbound', status: 'queued', timestamp: at(5) }));
      const list = await s.messages.listByConversation(tenant, 'c1');
      expect(list.map((m) => m.timestamp.getTime())).toEqual([at(2), at(5), at(9)].map((d) => d.getTime()));
      expect(await s.messages.findByExternalId(tenant, { channel: 'acme', accountId: 'acc' }, 'x1')).toEqual(a);
      expect(await s.messages.findByExternalId('other-tenant', { channel: 'acme', accountId: 'acc' }, 'x1')).toBeUndefined();
    });

    it('keeps platform ids per customer: the same id from two chats is two messages (Telegram numbers per chat)', async () => {
      const ann = message({ externalId: '42', userId: 'ann', conversationId: 'c-ann', createdAt: at(1) });
      const bob = message({ externalId: '42', userId: 'bob', conversationId: 'c-bob', createdAt: at(2) });
      expect((await s.messages.insert(ann)).inserted).toBe(true);
      expect((await s.messages.insert(bob)).inserted).toBe(true);
      expect((await s.messages.insert({ ...bob, id: uid('m') })).inserted).toBe(false);
      expect((await s.messages.findByExternalId(tenant, { channel: 'acme', accountId: 'acc', userId: 'ann' }, '42'))?.id).toBe(ann.id);
      expect((await s.messages.findByExternalId(tenant, { channel: 'acme', accountId: 'acc', userId: 'bob' }, '42'))?.id).toBe(bob.id);
      expect(await s.messages.findByExternalId(tenant, { channel: 'acme', accountId: 'acc', userId: 'cid' }, '42')).toBeUndefined();
      // without the customer: the latest one with that id
      expect((await s.messages.findByExternalId(tenant, { channel: 'acme', accountId: 'acc' }, '42'))?.id).toBe(bob.id);
    });

    it('never moves a status backwards, and failed is final', async () => {
      const m = message({ direction: 'outbound', status: 'queued' });
      await s.messages.insert(m);
      await s.messages.update(tenant, m.id, { externalId: 'out-1' });
      expect((await s.messages.findByExternalId(tenant, { channel: 'acme', accountId: 'acc' }, 'out-1', 'outbound'))?.id).toBe(m.id);
      expect((await s.messages.applyStatus(tenant, m.id, 'read', at(3)))!.changed).toBe(true);
      expect((await s.messages.applyStatus(tenant, m.id, 'delivered', at(2)))!.changed).toBe(false);
      const final = await s.messages.applyStatus(tenant, m.id, 'failed', at(4), { code: 'X', message: 'late' });
      expect(final).toMatchObject({ changed: false, message: { status: 'read' } });
      const other = message({ direction: 'outbound', status: 'sent' });
      await s.messages.insert(other);
      await s.messages.applyStatus(tenant, other.id, 'failed', at(2), { code: '131026', message: 'undeliverable' });
      expect((await s.messages.applyStatus(tenant, other.id, 'read', at(3)))!.message).toMatchObject({ status: 'failed', error: { code: '131026' } });
      expect((await s.messages.listByStatus(tenant, 'failed')).map((x) => x.id)).toEqual([other.id]);
    });

    it('gives an address one contact', async () => {
      const make1 = (): Contact => ({ id: uid('k'), tenantId: tenant, addresses: [address()], profile: { name: 'Ann' }, createdAt: at(0), updatedAt: at(0) });
      const all = await Promise.all(Array.from({ length: 4 }, () => s.contacts.findOrCreateByAddress(tenant, address(), make1)));
      expect(new Set(all.map((x) => x.contact.id)).size).toBe(1);
      const id = all[0]!.contact.id;
      expect(await s.contacts.update(tenant, id, { profile: { name: 'Anna' } })).toMatchObject({ profile: { name: 'Anna' } });
      expect((await s.contacts.list(tenant)).map((c) => c.id)).toEqual([id]);
      expect(await s.contacts.get('other-tenant', id)).toBeUndefined();
    });

    it('links an address to a contact atomically, never taking one another contact owns', async () => {
      const wa = { channel: 'whatsapp', accountId: 'wa1', userId: '4915100000001' };
      const tg = { channel: 'telegram', accountId: 'bot1', userId: '777' };
      const mk = (a: typeof wa) => (): Contact => ({ id: uid('k'), tenantId: tenant, addresses: [a], profile: {}, createdAt: at(0), updatedAt: at(0) });
      const ann = (await s.contacts.findOrCreateByAddress(tenant, wa, mk(wa))).contact;
      expect(await s.contacts.findByAddress(tenant, tg)).toBeUndefined();
      const linked = await s.contacts.addAddress(tenant, ann.id, tg);
      expect(linked!.addresses).toEqual([wa, tg]);
      expect((await s.contacts.findByAddress(tenant, tg))?.id).toBe(ann.id);
      expect((await s.contacts.addAddress(tenant, ann.id, tg))!.addresses).toHaveLength(2); // already linked: unchanged
      const bob = (await s.contacts.findOrCreateByAddress(tenant, { ...tg, userId: '888' }, mk({ ...tg, userId: '888' }))).contact;
      await expect(s.contacts.addAddress(tenant, bob.id, wa)).rejects.toMatchObject({ code: 'CONFLICT', details: { contactId: ann.id } });
      expect(await s.contacts.addAddress(tenant, 'no-such-contact', { ...wa, userId: '1' })).toBeUndefined();
      expect(await s.contacts.findByAddress('other-tenant', wa)).toBeUndefined();
    });

    it('appends consent entries without duplicates and returns them in time order', async () => {
      const base = { tenantId: tenant, contactId: 'k1', channel: 'acme', scope: 'channel' as const, evidence: { source: 'api' } };
      await s.consent.append({ ...base, id: uid('e'), action: 'opt-out', at: at(5) });
      const optIn = { ...base, id: uid('e'), action: 'opt-in' as const, purpose: 'marketing' as const, at: at(1) };
      await s.consent.append(optIn);
      await s.consent.append(optIn);
      expect((await s.consent.listByContact(tenant, 'k1')).map((e) => e.action)).toEqual(['opt-in', 'opt-out']);
      expect(await s.consent.listByContact('other-tenant', 'k1')).toEqual([]);
    });

    it('keeps the inbox idempotent and leases each entry to one owner', async () => {
      const entry = (key: string): InboxEntry => ({
        id: uid('i'), tenantId: tenant, channel: 'acme', account: 'main', key, receivedAt: at(1), notBefore: at(1), status: 'pending', attempts: 0,
        event: { kind: 'message', channel: 'acme', accountId: 'acc', userId: 'u1', externalId: key, timestamp: at(1), content: { type: 'text', text: 'hi' } },
      });
      const first = await s.inbox.add([entry('k1'), entry('k2')]);
      expect(first.inserted).toHaveLength(2);
      const again = await Promise.all([s.inbox.add([entry('k1')]), s.inbox.add([entry('k1')])]);
      expect(again.map((r) => r.duplicates)).toEqual([1, 1]);
      const [a, b] = await Promise.all([
        s.inbox.claim({ tenantId: tenant, owner: 'A', limit: 10, leaseMs: 60_000, now: at(2) }),
        s.inbox.claim({ tenantId: tenant, owner: 'B', limit: 10, leaseMs: 60_000, now: at(2) }),
      ]);
      expect(a.length + b.length).toBe(2);
      const mine = [...a, ...b][0]!;
      const owner = a.includes(mine) ? 'A' : 'B';
      expect(mine.event.timestamp).toEqual(at(1));
      await s.inbox.complete(mine.id, owner, at(3));
      const other = [...a, ...b][1]!;
      await s.inbox.fail(other.id, a.includes(other) ? 'A' : 'B', 'boom', at(10));
      expect(await s.inbox.claim({ tenantId: tenant, owner: 'C', limit: 10, leaseMs: 1000, now: at(5) })).toEqual([]);
      const retried = await s.inbox.claim({ tenantId: tenant, owner: 'C', limit: 10, leaseMs: 1000, now: at(11) });
      expect(retried.map((e) => [e.id, e.attempts])).toEqual([[other.id, 2]]);
      // a lease that expires (its process died) is taken over
      expect((await s.inbox.claim({ tenantId: tenant, owner: 'D', limit: 10, leaseMs: 1000, now: at(13) })).map((e) => e.id)).toEqual([other.id]);
      expect(await s.inbox.counts(tenant)).toEqual({ pending: 0, processing: 1, done: 1, failed: 0 });
    });

    it('leases outbox entries atomically, with expiry, retry and completion by the owner only', async () => {
      const entry = (): OutboxEntry => ({
        id: uid('o'), tenantId: tenant, messageId: uid('m'), channel: 'acme', account: 'main', status: 'pending', attempts: 0, notBefore: at(1),
        message: { id: 'm', to: address(), content: { type: 'text', text: 'hello' } }, createdAt: at(1), updatedAt: at(1),
      });
      const e1 = entry();
      await s.outbox.enqueue(e1);
      const [a, b] = await Promise.all([
        s.outbox.lease({ tenantId: tenant, owner: 'A', limit: 5, leaseMs: 1000, now: at(2) }),
        s.outbox.lease({ tenantId: tenant, owner: 'B', limit: 5, leaseMs: 1000, now: at(2) }),
      ]);
      expect(a.length + b.length).toBe(1);
      const owner = a.length ? 'A' : 'B';
      expect(await s.outbox.complete(e1.id, owner === 'A' ? 'B' : 'A', at(2))).toBe(false);
      expect(await s.outbox.retry(e1.id, owner, at(10), { code: 'RETRYABLE_FAILURE', message: '503' }, at(2))).toBe(true);
      expect(await s.outbox.lease({ tenantId: tenant, owner: 'C', limit: 5, leaseMs: 1000, now: at(5) })).toEqual([]);
      const [again] = await s.outbox.lease({ tenantId: tenant, owner: 'C', limit: 5, leaseMs: 1000, now: at(10) });
      expect(again).toMatchObject({ id: e1.id, attempts: 2, leaseOwner: 'C', lastError: { code: 'RETRYABLE_FAILURE' } });
      const [taken] = await s.outbox.lease({ tenantId: tenant, owner: 'D', limit: 5, leaseMs: 1000, now: at(12) });
      expect(taken!.leaseOwner).toBe('D');
      expect(await s.outbox.renew(e1.id, 'C', at(20))).toBe(false);
      expect(await s.outbox.complete(e1.id, 'D', at(12))).toBe(true);
      expect((await s.outbox.findByMessage(tenant, e1.messageId))!.status).toBe('sent');
      expect(await s.outbox.get('other-tenant', e1.id)).toBeUndefined();
      expect((await s.outbox.counts(tenant)).sent).toBe(1);
    });

    describe('a send\'s result: the outbox entry and its message in one write', () => {
      /** A queued outbound message and its outbox entry, leased by `owner`. */
      const queued = async (owner = 'A', userId = 'u1'): Promise<{ e: OutboxEntry; m: HostMessage }> => {
        const m = message({ direction: 'outbound', status: 'queued', userId, statusHistory: [{ status: 'queued', at: at(1) }] });
        await s.messages.insert(m);
        const e: OutboxEntry = {
          id: uid('o'), tenantId: tenant, messageId: m.id, channel: 'acme', account: 'main', status: 'pending', attempts: 0, notBefore: at(1),
          message: { id: m.id, to: address(userId), content: m.content }, createdAt: at(1), updatedAt: at(1),
        };
        await s.outbox.enqueue(e);
        const leased = await s.outbox.lease({ tenantId: tenant, owner, limit: 100, leaseMs: 60_000, now: at(2) });
        expect(leased.map((x) => x.id)).toContain(e.id);
        return { e, m };
      };

      it('completeSend: the entry sent and the message sent with the platform\'s ids and a history entry, together', async () => {
        const { e, m } = await queued();
        // the platform's clock may read before the host's queued time: the history never goes back
        const recorded = await s.outbox.completeSend(e, 'A', { externalId: 'wamid.1', partIds: ['wamid.2'], at: at(0) }, at(3));
        expect(recorded).toMatchObject({ settled: true, changed: true, message: { id: m.id, status: 'sent', externalId: 'wamid.1', partIds: ['wamid.2'] } });
        expect(await s.outbox.get(tenant, e.id)).toMatchObject({ status: 'sent', updatedAt: at(3) });
        expect((await s.outbox.get(tenant, e.id))!.leaseOwner).toBeUndefined();
        const stored = (await s.messages.get(tenant, m.id))!;
        expect(stored).toEqual(recorded.message);
        expect(stored.statusHistory).toEqual([{ status: 'queued', at: at(1) }, { status: 'sent', at: at(1) }]);
        // a receipt naming the later part finds the message
        expect((await s.messages.findByExternalId(tenant, { channel: 'acme', accountId: 'acc', userId: 'u1' }, 'wamid.2'))?.id).toBe(m.id);
      });

      it('completeSend without ids (recorded part by part before) only moves the status and completes the entry', async () => {
        const { e, m } = await queued();
        await s.messages.update(tenant, m.id, { externalId: 'x-1' });
        const recorded = await s.outbox.completeSend(e, 'A', { at: at(4) }, at(4));
        expect(recorded).toMatchObject({ settled: true, changed: true, message: { status: 'sent', externalId: 'x-1' } });
        expect((await s.outbox.get(tenant, e.id))!.status).toBe('sent');
      });

      it('completeSend after a receipt overtook the dispatcher keeps the receipt\'s status and still records the ids and completes the entry', async () => {
        const { e, m } = await queued();
        await s.messages.applyStatus(tenant, m.id, 'delivered', at(3));
        const recorded = await s.outbox.completeSend(e, 'A', { externalId: 'x-2', at: at(2) }, at(4));
        expect(recorded).toMatchObject({ settled: true, changed: false, message: { status: 'delivered', externalId: 'x-2' } });
        expect((await s.messages.get(tenant, m.id))!.statusHistory!.map((h) => h.status)).toEqual(['queued', 'delivered']);
        expect((await s.outbox.get(tenant, e.id))!.status).toBe('sent');
      });

      it('completeSend given the message as read before a receipt overtook it keeps the receipt\'s status (a stale first guess costs a read, not a step back)', async () => {
        const { e, m } = await queued();
        const seen = (await s.messages.get(tenant, m.id))!;
        await s.messages.applyStatus(tenant, m.id, 'delivered', at(3));
        const recorded = await s.outbox.completeSend(e, 'A', { externalId: 'x-5', at: at(2) }, at(4), seen);
        expect(recorded).toMatchObject({ settled: true, changed: false, message: { status: 'delivered', externalId: 'x-5' } });
        expect((await s.messages.get(tenant, m.id))!.statusHistory!.map((h) => h.status)).toEqual(['queued', 'delivered']);
        expect((await s.outbox.get(tenant, e.id))!.status).toBe('sent');
      });

      it('completeSend given the message as read, nothing changed since: sent with a history entry', async () => {
        const { e, m } = await queued();
        const seen = (await s.messages.get(tenant, m.id))!;
        const recorded = await s.outbox.completeSend(e, 'A', { externalId: 'x-6', at: at(2) }, at(3), seen);
        expect(recorded).toMatchObject({ settled: true, changed: true, message: { status: 'sent', externalId: 'x-6' } });
        expect((await s.messages.get(tenant, m.id))!).toEqual(recorded.message);
        expect(recorded.message!.statusHistory!.map((h) => h.status)).toEqual(['queued', 'sent']);
      });

      it('completeSend racing a receipt: whatever the order, the message ends delivered with its id and the entry sent', async () => {
        const { e, m } = await queued();
        const [recorded] = await Promise.all([
          s.outbox.completeSend(e, 'A', { externalId: 'x-3', at: at(2) }, at(3)),
          s.messages.applyStatus(tenant, m.id, 'delivered', at(3)),
        ]);
        expect(recorded.settled).toBe(true);
        const stored = (await s.messages.get(tenant, m.id))!;
        expect(stored).toMatchObject({ status: 'delivered', externalId: 'x-3' });
        expect(stored.statusHistory!.map((h) => h.status)).toEqual(expect.arrayContaining(['queued', 'delivered']));
        expect((await s.outbox.get(tenant, e.id))!.status).toBe('sent');
      });

      it('completeSend after the lease was lost records the message (the platform has it) and leaves the entry to its new owner', async () => {
        const { e, m } = await queued('A');
        const [taken] = await s.outbox.lease({ tenantId: tenant, owner: 'B', limit: 100, leaseMs: 60_000, now: at(70) });
        expect(taken!.id).toBe(e.id);
        const recorded = await s.outbox.completeSend(e, 'A', { externalId: 'x-4', at: at(70) }, at(70));
        expect(recorded).toMatchObject({ settled: false, changed: true, message: { status: 'sent', externalId: 'x-4' } });
        expect(await s.outbox.get(tenant, e.id)).toMatchObject({ status: 'leased', leaseOwner: 'B' });
        expect((await s.messages.get(tenant, m.id))!.status).toBe('sent');
      });

      it('completeSend whose external id another message of the customer holds changes neither the entry nor the message', async () => {
        await s.messages.insert(message({ direction: 'outbound', status: 'sent', externalId: 'taken' }));
        const { e, m } = await queued();
        await expect(s.outbox.completeSend(e, 'A', { externalId: 'taken', at: at(3) }, at(3))).rejects.toMatchObject({ code: 'CONFLICT' });
        expect(await s.outbox.get(tenant, e.id)).toMatchObject({ status: 'leased', leaseOwner: 'A' });
        expect(await s.messages.get(tenant, m.id)).toMatchObject({ status: 'queued' });
        expect((await s.messages.get(tenant, m.id))!.externalId).toBeUndefined();
      });

      it('failSend: the entry failed with its reason and the message failed with it, together', async () => {
        const { e, m } = await queued();
        const reason = { code: 'RECIPIENT_BLOCKED', message: 'the customer blocked the business' };
        const recorded = await s.outbox.failSend(e, 'A', reason, at(5));
        expect(recorded).toMatchObject({ settled: true, changed: true, message: { status: 'failed', error: reason } });
        expect(await s.outbox.get(tenant, e.id)).toMatchObject({ status: 'failed', lastError: reason, updatedAt: at(5) });
        expect((await s.messages.get(tenant, m.id))!.statusHistory).toEqual([{ status: 'queued', at: at(1) }, { status: 'failed', at: at(5) }]);
        // a failed message stays failed; the entry is no longer this owner's
        expect(await s.outbox.failSend(e, 'A', reason, at(6))).toMatchObject({ settled: false, changed: false, message: { status: 'failed' } });
      });

      it('a send\'s result whose message is gone still settles the entry', async () => {
        const { e, m } = await queued();
        await s.messages.deleteByConversation(tenant, m.conversationId);
        expect(await s.outbox.completeSend(e, 'A', { externalId: 'x-5', at: at(3) }, at(3))).toEqual({ settled: true, changed: false });
        expect((await s.outbox.get(tenant, e.id))!.status).toBe('sent');
      });
    });

    it('outbox: finds the earliest still-open entry to the same recipient accepted before an entry', async () => {
      const make = (n: number, userId: string, created: number): OutboxEntry => ({
        id: `00000000-0000-7000-8000-00000000000${n}`, tenantId: tenant, messageId: uid('m'), channel: 'acme', account: 'order', status: 'pending', attempts: 0, notBefore: at(1),
        message: { id: `m${n}`, to: { ...address(), userId }, content: { type: 'text', text: `hello ${n}` } }, createdAt: at(created), updatedAt: at(created),
      });
      const [e1, e2, e3, other] = [make(1, 'u-order', 1), make(2, 'u-order', 1), make(3, 'u-order', 2), make(4, 'u-else', 0)];
      for (const e of [e3, e2, e1, other]) await s.outbox.enqueue(e);
      expect(await s.outbox.firstOpenBefore(e1)).toBeUndefined();
      expect((await s.outbox.firstOpenBefore(e2))?.id).toBe(e1.id); // same time: the id decides
      expect((await s.outbox.firstOpenBefore(e3))?.id).toBe(e1.id);
      // a store may hold back what waits behind an earlier open entry of its recipient (the memory store does)
      const leased = (await s.outbox.lease({ tenantId: tenant, owner: 'A', limit: 10, leaseMs: 1000, now: at(3), account: 'order' })).map((e) => e.id);
      expect(leased.slice(0, 2)).toEqual([other.id, e1.id]);
      expect([[other.id, e1.id], [other.id, e1.id, e2.id, e3.id]]).toContainEqual(leased);
      expect(await s.outbox.complete(e1.id, 'A', at(3))).toBe(true);
      expect((await s.outbox.firstOpenBefore(e3))?.id).toBe(e2.id);
      await s.outbox.lease({ tenantId: tenant, owner: 'A', limit: 10, leaseMs: 1000, now: at(3), account: 'order' });
      expect(await s.outbox.fail(e2.id, 'A', { code: 'PERMANENT_FAILURE', message: 'no' }, at(3))).toBe(true);
      expect(await s.outbox.firstOpenBefore(e3)).toBeUndefined();
    });

    it('outbox: an entry put back without calling the platform gets its attempt back', async () => {
      const e: OutboxEntry = {
        id: uid('o'), tenantId: tenant, messageId: uid('m'), channel: 'acme', account: 'main', status: 'pending', attempts: 0, notBefore: at(1),
        message: { id: 'm', to: address(), content: { type: 'text', text: 'hello' } }, createdAt: at(1), updatedAt: at(1),
      };
      await s.outbox.enqueue(e);
      await s.outbox.lease({ tenantId: tenant, owner: 'A', limit: 5, leaseMs: 1000, now: at(2) });
      expect(await s.outbox.retry(e.id, 'A', at(3), { code: 'CIRCUIT_OPEN', message: 'breaker open' }, at(2), { attempted: false })).toBe(true);
      const [again] = await s.outbox.lease({ tenantId: tenant, owner: 'A', limit: 5, leaseMs: 1000, now: at(3) });
      expect(again).toMatchObject({ id: e.id, attempts: 1 });
      expect(await s.outbox.retry(e.id, 'A', at(4), { code: 'RETRYABLE_FAILURE', message: '503' }, at(3))).toBe(true);
      const [third] = await s.outbox.lease({ tenantId: tenant, owner: 'A', limit: 5, leaseMs: 1000, now: at(4) });
      expect(third).toMatchObject({ id: e.id, attempts: 2 });
    });

    it('keeps dead letters per tenant, newest first', async () => {
      const letter = (s0: number) => ({ id: uid('d'), tenantId: tenant, channel: 'acme', account: 'main', reason: 'bad', code: 'MALFORMED_PAYLOAD', rawBody: 'e30=', headers: {}, receivedAt: at(s0) });
      const older = letter(1);
      const newer = letter(2);
      await s.deadLetters.add(older);
      await s.deadLetters.add(newer);
      expect((await s.deadLetters.list(tenant)).map((d) => d.id)).toEqual([newer.id, older.id]);
      expect(await s.deadLetters.get(tenant, older.id)).toEqual(older);
      expect(await s.deadLetters.list('other-tenant')).toEqual([]);
    });

    it('never stores nor returns a dead letter\'s credential headers, and redacts letters stored before', async () => {
      const letter = (headers: Record<string, string>) => ({ id: uid('d'), tenantId: tenant, channel: 'acme', account: 'main', reason: 'bad', code: 'MALFORMED_PAYLOAD', rawBody: 'e30=', headers, receivedAt: at(5) });
      const added = letter({ 'x-telegram-bot-api-secret-token': 'tg-secret-1', 'content-type': 'application/json' });
      await s.deadLetters.add(added);
      const raw = db.driver.collection<Doc & { headers: Record<string, string> }>(DocumentDeadLetterStore.spec);
      expect((await raw.get(added.id))?.headers).toEqual({ 'x-telegram-bot-api-secret-token': '[redacted]', 'content-type': 'application/json' });
      // a letter written as an older host did, straight into the collection
      const legacy = letter({ 'x-vendor-proof': 'vp-secret', authorization: 'Bearer old', 'user-agent': 'ua' });
      await raw.insert(legacy);
      expect((await s.deadLetters.get(tenant, legacy.id))?.headers).toEqual({ 'x-vendor-proof': 'vp-secret', authorization: '[redacted]', 'user-agent': 'ua' });
      expect(await s.deadLetters.redactStoredCredentials((name) => name === 'x-vendor-proof' || name === 'authorization')).toBeGreaterThanOrEqual(1);
      expect((await raw.get(legacy.id))?.headers).toEqual({ 'x-vendor-proof': '[redacted]', authorization: '[redacted]', 'user-agent': 'ua' });
      expect(await s.deadLetters.redactStoredCredentials((name) => name === 'x-vendor-proof' || name === 'authorization')).toBe(0);
    });

    // erasure, retention and analytics reads

    it('deletes conversations and contacts, freeing their addresses', async () => {
      const a = address('u-del');
      const { conversation: c } = await s.conversations.findOrCreate(tenant, a, () => conversation(a));
      const make1 = (): Contact => ({ id: uid('k'), tenantId: tenant, addresses: [a, address('u-del-2')], profile: { name: 'Del' }, createdAt: at(0), updatedAt: at(0) });
      const { contact } = await s.contacts.findOrCreateByAddress(tenant, a, make1);
      expect(await s.conversations.delete('other-tenant', c.id)).toBe(false);
      expect(await s.contacts.delete('other-tenant', contact.id)).toBe(false);
      expect(await s.conversations.delete(tenant, c.id)).toBe(true);
      expect(await s.contacts.delete(tenant, contact.id)).toBe(true);
      expect(await s.conversations.delete(tenant, c.id)).toBe(false);
      expect(await s.conversations.get(tenant, c.id)).toBeUndefined();
      expect(await s.conversations.findByAddress(tenant, a)).toBeUndefined();
      expect(await s.contacts.get(tenant, contact.id)).toBeUndefined();
      // both addresses are free again: a new contact may take them
      const again = await s.contacts.findOrCreateByAddress(tenant, address('u-del-2'), () => ({ ...make1(), addresses: [address('u-del-2')] }));
      expect(again.created).toBe(true);
      expect((await s.conversations.findOrCreate(tenant, a, () => conversation(a))).created).toBe(true);
    });

    it('lists messages of a period in time order and deletes by conversation and by age', async () => {
      const old = message({ conversationId: 'c-old', externalId: 'e-old', timestamp: at(1) });
      const queued = message({ conversationId: 'c-old', direction: 'outbound', status: 'queued', timestamp: at(2) });
      const later = message({ conversationId: 'c-new', externalId: 'e-later', timestamp: at(30) });
      const mid = message({ conversationId: 'c-new', direction: 'outbound', status: 'sent', timestamp: at(10) });
      for (const m of [later, old, mid, queued]) await s.messages.insert(m);
      expect((await s.messages.listBetween(tenant, { from: at(1), to: at(30) })).map((m) => m.id)).toEqual([old.id, queued.id, mid.id]);
      expect((await s.messages.listBetween(tenant, { from: at(0), to: at(60) }, { limit: 2, offset: 2 })).map((m) => m.id)).toEqual([mid.id, later.id]);
      expect(await s.messages.listBetween('other-tenant', { from: at(0), to: at(60) })).toEqual([]);
      // retention: older than 20 s, but a message still waiting for the dispatcher stays
      expect(await s.messages.deleteBefore(tenant, at(20))).toBe(2);
      expect((await s.messages.listBetween(tenant, { from: at(0), to: at(60) })).map((m) => m.id)).toEqual([queued.id, later.id]);
      expect(await s.messages.findByExternalId(tenant, { channel: 'acme', accountId: 'acc' }, 'e-old')).toBeUndefined();
      // an external id freed by deletion may be stored again
      expect((await s.messages.insert(message({ conversationId: 'c-x', externalId: 'e-old' }))).inserted).toBe(true);
      expect(await s.messages.deleteByConversation('other-tenant', 'c-new')).toBe(0);
      expect(await s.messages.deleteByConversation(tenant, 'c-new')).toBe(1);
      expect(await s.messages.listByConversation(tenant, 'c-new')).toEqual([]);
      expect((await s.messages.listByConversation(tenant, 'c-old')).map((m) => m.id)).toEqual([queued.id]);
    });

    it('lists consent entries of a period and redacts a contact in place', async () => {
      const base = { tenantId: tenant, channel: 'acme', scope: 'channel' as const };
      const e1 = { ...base, id: uid('e'), contactId: 'k-red', action: 'opt-in' as const, purpose: 'marketing' as const, at: at(2), evidence: { source: 'keyword', text: 'YES please' } };
      const e2 = { ...base, id: uid('e'), contactId: 'k-red', action: 'opt-out' as const, at: at(4), evidence: { source: 'keyword', text: 'STOP' } };
      const other = { ...base, id: uid('e'), contactId: 'k-keep', action: 'opt-in' as const, purpose: 'service' as const, at: at(3), evidence: { source: 'api' } };
      for (const e of [e1, other, e2]) await s.consent.append(e);
      expect((await s.consent.listBetween(tenant, { from: at(2), to: at(4) })).map((e) => e.id)).toEqual([e1.id, other.id]);
      expect(await s.consent.listBetween('other-tenant', { from: at(0), to: at(9) })).toEqual([]);
      const n = await s.consent.redactContact(tenant, 'k-red', (e) => ({ ...e, contactId: 'erased:abc', evidence: { source: e.evidence.source } }));
      expect(n).toBe(2);
      expect(await s.consent.listByContact(tenant, 'k-red')).toEqual([]);
      const proof = await s.consent.listByContact(tenant, 'erased:abc');
      expect(proof.map((e) => [e.id, e.action, e.evidence])).toEqual([[e1.id, 'opt-in', { source: 'keyword' }], [e2.id, 'opt-out', { source: 'keyword' }]]);
      expect((await s.consent.listByContact(tenant, 'k-keep')).map((e) => e.id)).toEqual([other.id]);
      expect(await s.consent.redactContact('other-tenant', 'k-keep', (e) => e)).toBe(0);
    });

    it('finds and deletes inbox entries of addresses and message ids, and finished entries by age', async () => {
      const ev = (userId: string | undefined, externalId: string, accountId = 'acc') => ({
        kind: 'status' as const, channel: 'acme', accountId, externalId, status: 'delivered' as const, timestamp: at(1), ...(userId ? { userId } : {}),
      });
      const entry = (key: string, event: InboxEntry['event'], receivedAt = at(1)): InboxEntry => ({ id: uid('i'), tenantId: tenant, channel: 'acme', account: 'main', key, event, receivedAt, status: 'pending', attempts: 0 });
      const mine = entry('a', ev('u-me', 'x-a'));
      const byId = entry('b', ev(undefined, 'x-mine'));
      const otherAccount = entry('c', ev('u-me', 'x-c', 'acc-2'));
      const someoneElse = entry('d', ev('u-other', 'x-d'), at(0));
      // regression: another customer's message with the same platform id (Telegram numbers messages per chat) was exported and erased with the contact
      const sameIdOtherUser = entry('e', { kind: 'message', channel: 'acme', accountId: 'acc', userId: 'u-other', externalId: 'x-mine', timestamp: at(1), content: { type: 'text', text: 'not mine' } });
      const sameIdOtherAccount = entry('f', ev(undefined, 'x-mine', 'acc-2'));
      await s.inbox.add([mine, byId, otherAccount, someoneElse, sameIdOtherUser, sameIdOtherAccount]);
      const match = { addresses: [address('u-me')], externalIds: ['x-mine'] };
      expect((await s.inbox.listMatching(tenant, match)).map((e) => e.id).sort()).toEqual([mine.id, byId.id].sort());
      expect(await s.inbox.listMatching('other-tenant', match)).toEqual([]);
      expect(await s.inbox.deleteMatching(tenant, match)).toBe(2);
      expect(await s.inbox.get(mine.id)).toBeUndefined();
      expect(await s.inbox.get(sameIdOtherUser.id)).toBeDefined();
      expect(await s.inbox.get(sameIdOtherAccount.id)).toBeDefined();
      // a deleted key may be written again (the platform re-delivering after erasure is a new record)
      expect((await s.inbox.add([entry('a', ev('u-me', 'x-a'))])).inserted).toHaveLength(1);
      const claimed = await s.inbox.claim({ tenantId: tenant, owner: 'A', limit: 10, leaseMs: 1000, now: at(2) });
      for (const c of claimed) await s.inbox.complete(c.id, 'A', at(2));
      expect(await s.inbox.deleteFinishedBefore(tenant, at(1))).toBe(1);
      expect(await s.inbox.get(someoneElse.id)).toBeUndefined();
      expect(await s.inbox.get(otherAccount.id)).toBeDefined();
    });

    it('finds and deletes outbox entries by recipient, and finished entries by age', async () => {
      const entry = (userId: string, status: OutboxEntry['status'], updatedAt: Date): OutboxEntry => ({
        id: uid('o'), tenantId: tenant, messageId: uid('m'), channel: 'acme', account: 'main', status, attempts: 0, notBefore: at(1),
        message: { id: 'm', to: address(userId), content: { type: 'text', text: 'hello' } }, createdAt: updatedAt, updatedAt,
      });
      const mine = entry('u-me', 'pending', at(1));
      const mineSent = entry('u-me', 'sent', at(2));
      const old = entry('u-other', 'sent', at(3));
      const waiting = entry('u-other', 'pending', at(3));
      for (const e of [mine, mineSent, old, waiting]) await s.outbox.enqueue(e);
      expect((await s.outbox.listByRecipient(tenant, [address('u-me')])).map((e) => e.id)).toEqual([mine.id, mineSent.id]);
      expect(await s.outbox.listByRecipient(tenant, [{ channel: 'acme', accountId: 'acc-2', userId: 'u-me' }])).toEqual([]);
      expect(await s.outbox.deleteByRecipient('other-tenant', [address('u-me')])).toBe(0);
      expect(await s.outbox.deleteByRecipient(tenant, [address('u-me')])).toBe(2);
      expect(await s.outbox.get(tenant, mine.id)).toBeUndefined();
      expect(await s.outbox.deleteFinishedBefore(tenant, at(4))).toBe(1);
      expect((await s.outbox.list(tenant)).map((e) => e.id)).toEqual([waiting.id]);
    });

    it('deletes dead letters by id and by age', async () => {
      const letter = (s0: number) => ({ id: uid('d'), tenantId: tenant, channel: 'acme', account: 'main', reason: 'bad', code: 'MALFORMED_PAYLOAD', rawBody: 'e30=', headers: {}, receivedAt: at(s0) });
      const [a, b, c] = [letter(1), letter(2), letter(3)];
      for (const l of [a, b, c]) await s.deadLetters.add(l);
      expect(await s.deadLetters.delete('other-tenant', [a.id])).toBe(0);
      expect(await s.deadLetters.delete(tenant, [a.id])).toBe(1);
      expect(await s.deadLetters.deleteBefore(tenant, at(3))).toBe(1);
      expect((await s.deadLetters.list(tenant)).map((d) => d.id)).toEqual([c.id]);
    });

    it('keeps an audit log per tenant, newest first, filtered by contact and conversation, and pseudonymises ids', async () => {
      if (!s.audit) throw new Error('this store has no audit log');
      const entry = (sec: number, contactIds: string[], conversationIds: string[], path: string) => ({
        id: uid('a'), tenantId: tenant, at: at(sec), actor: 'key:0123456789abcdef', action: 'read' as const, method: 'GET', path, status: 200, contactIds, conversationIds,
      });
      const e1 = entry(1, ['k1'], [], '/contacts/k1');
      const e2 = entry(2, [], ['c1'], '/conversations/c1/messages');
      const e3 = entry(3, ['k2'], [], '/contacts/k2');
      for (const e of [e1, e2, e3]) await s.audit.append(e);
      expect((await s.audit.list(tenant)).map((e) => e.id)).toEqual([e3.id, e2.id, e1.id]);
      expect((await s.audit.list(tenant, { from: at(2), to: at(3) })).map((e) => e.id)).toEqual([e2.id]);
      expect((await s.audit.list(tenant, { contactId: 'k1' })).map((e) => e.id)).toEqual([e1.id]);
      expect((await s.audit.list(tenant, { conversationId: 'c1' })).map((e) => e.id)).toEqual([e2.id]);
      expect(await s.audit.list('other-tenant')).toEqual([]);
      expect(await s.audit.pseudonymise(tenant, { k1: 'erased:1', c1: 'erased:2' })).toBe(2);
      const after = await s.audit.list(tenant);
      expect(after.map((e) => [e.path, e.contactIds, e.conversationIds])).toEqual([
        ['/contacts/k2', ['k2'], []], ['/conversations/erased:2/messages', [], ['erased:2']], ['/contacts/erased:1', ['erased:1'], []],
      ]);
    });

    it('charges a message once and totals costs per channel, category and currency', async () => {
      if (!s.costs) throw new Error('this store has no cost ledger');
      const cost = (messageId: string, channel: string, category: 'marketing' | 'utility' | 'service', amount: number, sec: number) => ({
        id: uid('$'), tenantId: tenant, messageId, conversationId: 'c1', channel, accountId: 'acc', category, amount, currency: 'EUR', at: at(sec), inServiceSession: amount === 0,
      });
      expect(await s.costs.record(cost('m1', 'whatsapp', 'marketing', 0.1131, 1))).toBe(true);
      expect(await s.costs.record(cost('m1', 'whatsapp', 'marketing', 0.1131, 1))).toBe(false);
      await s.costs.record(cost('m2', 'whatsapp', 'marketing', 0.1131, 2));
      await s.costs.record(cost('m3', 'whatsapp', 'utility', 0, 3));
      await s.costs.record(cost('m4', 'viber', 'service', 0, 4));
      await s.costs.record(cost('m5', 'whatsapp', 'utility', 0.0456, 9));
      expect(await s.costs.totals(tenant, { from: at(0), to: at(9) })).toEqual([
        { channel: 'viber', category: 'service', currency: 'EUR', messages: 1, amount: 0 },
        { channel: 'whatsapp', category: 'marketing', currency: 'EUR', messages: 2, amount: 0.2262 },
        { channel: 'whatsapp', category: 'utility', currency: 'EUR', messages: 1, amount: 0 },
      ]);
      expect((await s.costs.list(tenant, { from: at(0), to: at(60), channel: 'whatsapp' })).map((e) => e.messageId)).toEqual(['m1', 'm2', 'm3', 'm5']);
      expect(await s.costs.totals('other-tenant', { from: at(0), to: at(60) })).toEqual([]);
      expect(await s.costs.pseudonymise(tenant, { m1: 'erased:m1', c1: 'erased:c1' })).toBe(5);
      const all = await s.costs.list(tenant, { from: at(0), to: at(60) });
      expect(all.map((e) => e.messageId)).toEqual(['erased:m1', 'm2', 'm3', 'm4', 'm5']);
      expect(new Set(all.map((e) => e.conversationId))).toEqual(new Set(['erased:c1']));
      // the charge survives pseudonymisation: the same message is not charged again
      expect(await s.costs.record(cost('erased:m1', 'whatsapp', 'marketing', 0.1131, 1))).toBe(false);
    });

    // what must hold on every driver beyond the single-process memory store

    it('outbox: the documents a lease reads do not grow with the queue (100 vs 10,000 queued)', async () => {
      const counting = new CountingDriver(db.driver);
      const stores = createHostStores(counting);
      const entry = (i: number, notBefore: Date): OutboxEntry => ({
        id: `o-${tenant}-${String(i).padStart(6, '0')}`, tenantId: tenant, messageId: `m-${i}`, channel: 'acme', account: 'main', status: 'pending', attempts: 0, notBefore,
        message: { id: `m-${i}`, to: address(`u-${i % 500}`), content: { type: 'text', text: 'hello' } }, createdAt: at(1), updatedAt: at(1),
      });
      const fill = async (from: number, to: number, notBefore: Date): Promise<void> => {
        for (let i = from; i < to; i += 250) await Promise.all(Array.from({ length: Math.min(250, to - i) }, (_, k) => stores.outbox.enqueue(entry(i + k, notBefore))));
      };
      const leaseRead = async (): Promise<number> => {
        counting.reset();
        const leased = await stores.outbox.lease({ tenantId: tenant, owner: 'A', limit: 10, leaseMs: 60_000, now: at(5) });
        expect(leased).toHaveLength(10);
        const first = counting.read;
        counting.reset();
        await stores.outbox.firstOpenBefore(leased[9]!);
        return first + counting.read;
      };
      await fill(0, 100, at(2));
      const small = await leaseRead();
      // 9,900 more: most of them due, some waiting for a retry time not reached yet
      await fill(100, 8_000, at(3));
      await fill(8_000, 10_000, at(60));
      const large = await leaseRead();
      expect(small).toBeLessThanOrEqual(2 * 10 + 1 + 1);
      expect(large).toBe(small);
    });

    it('inbox: the documents a claim reads do not grow with the backlog', async () => {
      const counting = new CountingDriver(db.driver);
      const stores = createHostStores(counting);
      const entry = (i: number): InboxEntry => ({
        id: `i-${tenant}-${i}`, tenantId: tenant, channel: 'acme', account: 'main', key: `k${i}`, receivedAt: at(1 + (i % 50)), status: 'pending', attempts: 0,
        event: { kind: 'message', channel: 'acme', accountId: 'acc', userId: 'u1', externalId: `k${i}`, timestamp: at(1), content: { type: 'text', text: 'hi' } },
      });
      const claimRead = async (): Promise<number> => {
        counting.reset();
        expect(await stores.inbox.claim({ tenantId: tenant, owner: 'A', limit: 10, leaseMs: 60_000, now: at(59) })).toHaveLength(10);
        return counting.read;
      };
      await stores.inbox.add(Array.from({ length: 100 }, (_, i) => entry(i)));
      const small = await claimRead();
      for (let i = 100; i < 5_000; i += 500) await stores.inbox.add(Array.from({ length: 500 }, (_, k) => entry(i + k)));
      expect(await claimRead()).toBe(small);
    });

    it('outbox: concurrent leases by several dispatchers take each entry once', async () => {
      for (let i = 0; i < 30; i++) {
        await s.outbox.enqueue({
          id: uid('o'), tenantId: tenant, messageId: uid('m'), channel: 'acme', account: 'main', status: 'pending', attempts: 0, notBefore: at(1),
          message: { id: 'm', to: address(`u${i}`), content: { type: 'text', text: 'hello' } }, createdAt: at(1), updatedAt: at(1),
        });
      }
      const rounds = await Promise.all(['A', 'B', 'C', 'D'].map((owner) => s.outbox.lease({ tenantId: tenant, owner, limit: 10, leaseMs: 1000, now: at(2) })));
      const ids = rounds.flat().map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(30);
      expect(rounds.flat().every((e) => e.attempts === 1)).toBe(true);
    });

    it('finds an outbound message by a later part of a split message, through its parts, until it is deleted', async () => {
      const m = message({ direction: 'outbound', status: 'queued', conversationId: 'c-split', userId: 'u-split' });
      await s.messages.insert(m);
      await s.messages.update(tenant, m.id, { externalId: 'p1', partIds: ['p2', 'p3'] });
      const where = { channel: 'acme', accountId: 'acc' };
      expect((await s.messages.findByExternalId(tenant, where, 'p1', 'outbound'))?.id).toBe(m.id);
      expect((await s.messages.findByExternalId(tenant, where, 'p3', 'outbound'))?.id).toBe(m.id);
      expect((await s.messages.findByExternalId(tenant, { ...where, userId: 'u-split' }, 'p2'))?.id).toBe(m.id);
      expect(await s.messages.findByExternalId(tenant, { ...where, userId: 'someone-else' }, 'p2')).toBeUndefined();
      expect(await s.messages.findByExternalId(tenant, where, 'p2', 'inbound')).toBeUndefined();
      expect(await s.messages.findByExternalId('other-tenant', where, 'p2')).toBeUndefined();
      // a part the message no longer names is not found
      await s.messages.update(tenant, m.id, { partIds: ['p2'] });
      expect(await s.messages.findByExternalId(tenant, where, 'p3')).toBeUndefined();
      expect((await s.messages.findByExternalId(tenant, where, 'p2'))?.id).toBe(m.id);
      expect(await s.messages.deleteByConversation(tenant, 'c-split')).toBe(1);
      expect(await s.messages.findByExternalId(tenant, where, 'p2')).toBeUndefined();
      // the same platform ids may be used again by a new message
      const again = message({ direction: 'outbound', status: 'sent', conversationId: 'c-split-2', partIds: ['p2'] });
      await s.messages.insert(again);
      expect((await s.messages.findByExternalId(tenant, where, 'p2'))?.id).toBe(again.id);
      expect(await s.messages.deleteBefore(tenant, at(60))).toBe(1);
      expect(await s.messages.findByExternalId(tenant, where, 'p2')).toBeUndefined();
    });

    it('refuses an external id another message of the customer already has', async () => {
      const a = message({ direction: 'outbound', status: 'sent', externalId: 'dup' });
      const b = message({ direction: 'outbound', status: 'queued' });
      await s.messages.insert(a);
      await s.messages.insert(b);
      await expect(s.messages.update(tenant, b.id, { externalId: 'dup' })).rejects.toMatchObject({ code: 'CONFLICT' });
      expect((await s.messages.get(tenant, b.id))!.externalId).toBeUndefined();
    });

    it('applies concurrent statuses atomically: the furthest wins, each change recorded once', async () => {
      const m = message({ direction: 'outbound', status: 'queued' });
      await s.messages.insert(m);
      const results = await Promise.all((['sent', 'delivered', 'read', 'sent', 'delivered'] as const).map((st, i) => s.messages.applyStatus(tenant, m.id, st, at(2 + i))));
      const after = (await s.messages.get(tenant, m.id))!;
      expect(after.status).toBe('read');
      const history = after.statusHistory!.map((h) => h.status);
      expect(new Set(history).size).toBe(history.length);
      expect(history[history.length - 1]).toBe('read');
      expect(results.filter((r) => r!.changed)).toHaveLength(history.length);
    });

    it('regression: a later status never shows an earlier time than the entry before it (sent stamped to the second read earlier than queued)', async () => {
      const queuedAt = new Date(at(10).getTime() + 700);
      const m = message({ direction: 'outbound', status: 'queued', statusHistory: [{ status: 'queued', at: queuedAt }] });
      await s.messages.insert(m);
      // the platform's acceptance, in whole seconds: 300 ms before the host queued it
      await s.messages.applyStatus(tenant, m.id, 'sent', at(10));
      await s.messages.applyStatus(tenant, m.id, 'delivered', at(9));
      await s.messages.applyStatus(tenant, m.id, 'read', at(12));
      const history = (await s.messages.get(tenant, m.id))!.statusHistory!;
      expect(history.map((h) => [h.status, new Date(h.at).toISOString()])).toEqual([
        ['queued', queuedAt.toISOString()], ['sent', queuedAt.toISOString()], ['delivered', queuedAt.toISOString()], ['read', at(12).toISOString()],
      ]);
    });

    it('counts concurrent outbound messages of a conversation, and sets the first response once', async () => {
      const a = address('u-count');
      const { conversation: c } = await s.conversations.findOrCreate(tenant, a, () => conversation(a));
      await s.conversations.recordInbound(tenant, c.id, at(1));
      await Promise.all([2, 3, 4, 5, 6].map((sec) => s.conversations.recordOutbound(tenant, c.id, at(sec))));
      const after = (await s.conversations.get(tenant, c.id))!;
      expect(after).toMatchObject({ outboundSinceInbound: 5, lastOutboundAt: at(6) });
      expect([2, 3, 4, 5, 6].map(at)).toContainEqual(after.firstResponseAt);
      expect((await s.conversations.recordInbound(tenant, c.id, at(7)))!.outboundSinceInbound).toBe(0);
    });

    it('keeps ledger order among consent entries with the same time', async () => {
      const base = { tenantId: tenant, contactId: 'k-same', channel: 'acme', scope: 'channel' as const, evidence: { source: 'api' }, at: at(3) };
      const ids = ['z', 'a', 'm', 'b'].map((p) => `${p}-${uid('e')}`);
      for (const [i, id] of ids.entries()) await s.consent.append({ ...base, id, action: i % 2 === 0 ? 'opt-in' : 'opt-out', purpose: 'marketing' });
      expect((await s.consent.listByContact(tenant, 'k-same')).map((e) => e.id)).toEqual(ids);
      expect((await s.consent.listBetween(tenant, { from: at(3), to: at(4) }, { limit: 2, offset: 1 })).map((e) => e.id)).toEqual(ids.slice(1, 3));
      await s.consent.redactContact(tenant, 'k-same', (e) => ({ ...e, contactId: 'erased:same' }));
      expect((await s.consent.listByContact(tenant, 'erased:same')).map((e) => e.id)).toEqual(ids);
    });

    it('contacts: a claim left by a deleted contact is taken over, and a contact that lost its address never shows', async () => {
      const a = address('u-stale');
      const claims = db.driver.collection<ClaimDoc>(DocumentContactStore.claimsSpec);
      // a crash between deleting a contact and freeing its addresses leaves this behind
      expect(await claims.insert({ id: uid('claim'), tenantId: tenant, channel: a.channel, accountId: a.accountId, userId: a.userId, contactId: 'gone' })).toBe(true);
      expect(await s.contacts.findByAddress(tenant, a)).toBeUndefined();
      const made = (): Contact => ({ id: uid('k'), tenantId: tenant, addresses: [a], profile: {}, createdAt: at(0), updatedAt: at(0) });
      const { contact, created } = await s.contacts.findOrCreateByAddress(tenant, a, made);
      expect(created).toBe(true);
      expect((await s.contacts.findByAddress(tenant, a))?.id).toBe(contact.id);
      // an address claimed by a stale claim can also be added to another contact
      const b = address('u-stale-2');
      await claims.insert({ id: uid('claim'), tenantId: tenant, channel: b.channel, accountId: b.accountId, userId: b.userId, contactId: 'gone-too' });
      expect((await s.contacts.addAddress(tenant, contact.id, b))!.addresses).toEqual([a, b]);
      // losers of a race for one address leave no contact behind
      const c = address('u-race');
      const all = await Promise.all(Array.from({ length: 6 }, () => s.contacts.findOrCreateByAddress(tenant, c, () => ({ ...made(), addresses: [c] }))));
      expect(all.filter((r) => r.created)).toHaveLength(1);
      expect((await s.contacts.list(tenant)).map((k) => k.id).sort()).toEqual([contact.id, all.find((r) => r.created)!.contact.id].sort());
      expect(await claims.count({ tenantId: tenant, contactId: all.find((r) => r.created)!.contact.id })).toBe(1);
      expect(await claims.count({ tenantId: tenant })).toBe(3);
      // hidden bookkeeping never reaches callers
      expect(Object.keys((await s.contacts.get(tenant, contact.id))!).sort()).toEqual(['addresses', 'createdAt', 'id', 'profile', 'tenantId', 'updatedAt']);
    });

    it('contacts: a contact whose creator died after claiming its address is completed by the next lookup', async () => {
      const a = address('u-half');
      const contacts = db.driver.collection<Contact & { pending?: boolean }>(DocumentContactStore.spec);
      const claims = db.driver.collection<ClaimDoc>(DocumentContactStore.claimsSpec);
      const half: Contact = { id: uid('k'), tenantId: tenant, addresses: [a], profile: { name: 'Half' }, createdAt: at(0), updatedAt: at(0) };
      await contacts.insert({ ...half, pending: true });
      expect(await s.contacts.list(tenant)).toEqual([]);
      await claims.insert({ id: uid('claim'), tenantId: tenant, channel: a.channel, accountId: a.accountId, userId: a.userId, contactId: half.id });
      const found = await s.contacts.findOrCreateByAddress(tenant, a, () => { throw new Error('must not create'); });
      expect(found).toEqual({ contact: half, created: false });
      expect(await s.contacts.list(tenant)).toEqual([half]);
    });

    it('audit: references left by an append that never wrote its entry are ignored, and dropped by erasure', async () => {
      const refs = db.driver.collection<Doc & { tenantId: string; ref: string; contact: boolean; conversation: boolean; at: Date; seq: number; entryId: string }>(DocumentAuditLogStore.refsSpec);
      await refs.insert({ id: 'ghost k-ghost', tenantId: tenant, ref: 'k-ghost', contact: true, conversation: false, at: at(1), seq: 1, entryId: 'ghost' });
      const real = { id: uid('a'), tenantId: tenant, at: at(2), actor: 'key:0123456789abcdef', action: 'read' as const, method: 'GET', path: '/contacts/k-ghost', status: 200, contactIds: ['k-ghost'], conversationIds: [] };
      await s.audit.append(real);
      expect((await s.audit.list(tenant, { contactId: 'k-ghost' })).map((e) => e.id)).toEqual([real.id]);
      expect(await s.audit.pseudonymise(tenant, { 'k-ghost': 'erased:g' })).toBe(1);
      expect(await refs.count({ tenantId: tenant, ref: 'k-ghost' })).toBe(0);
    });

    it('pages the audit log of a contact and of a conversation, newest first, ledger order among equal times', async () => {
      const entry = (contactIds: string[], conversationIds: string[], path: string) => ({
        id: uid('a'), tenantId: tenant, at: at(5), actor: 'key:0123456789abcdef', action: 'read' as const, method: 'GET', path, status: 200, contactIds, conversationIds,
      });
      const es = [entry(['k1'], ['c1'], '/contacts/k1'), entry(['k1'], [], '/contacts/k1'), entry([], ['c1'], '/conversations/c1'), entry(['k1'], ['c1'], '/conversations/c1/messages')];
      for (const e of es) await s.audit.append(e);
      const ids = (list: { id: string }[]) => list.map((e) => e.id);
      expect(ids(await s.audit.list(tenant, { contactId: 'k1' }))).toEqual([es[3]!.id, es[1]!.id, es[0]!.id]);
      expect(ids(await s.audit.list(tenant, { contactId: 'k1', limit: 1, offset: 1 }))).toEqual([es[1]!.id]);
      expect(ids(await s.audit.list(tenant, { conversationId: 'c1', limit: 2 }))).toEqual([es[3]!.id, es[2]!.id]);
      expect(ids(await s.audit.list(tenant, { contactId: 'k1', conversationId: 'c1', limit: 1, offset: 1 }))).toEqual([es[0]!.id]);
      expect(await s.audit.list(tenant, { contactId: 'k1', from: at(6) })).toEqual([]);
      // the pseudonym is found afterwards, the original id no longer
      expect(await s.audit.pseudonymise(tenant, { k1: 'erased:k1' })).toBe(3);
      expect(await s.audit.list(tenant, { contactId: 'k1' })).toEqual([]);
      expect(ids(await s.audit.list(tenant, { contactId: 'erased:k1' }))).toEqual([es[3]!.id, es[1]!.id, es[0]!.id]);
      expect((await s.audit.list(tenant, { contactId: 'erased:k1' })).map((e) => e.path)).toContain('/contacts/erased:k1');
    });

    it('totals a period larger than one read batch, each entry once', async () => {
      const cost = (i: number) => ({
        id: uid('$'), tenantId: tenant, messageId: `m${i}`, conversationId: 'c1', channel: i % 2 ? 'viber' : 'whatsapp', accountId: 'acc',
        category: 'utility' as const, amount: 0.01, currency: 'EUR', at: at(i % 3), inServiceSession: false,
      });
      for (let i = 0; i < 2_300; i += 100) await Promise.all(Array.from({ length: 100 }, (_, k) => s.costs.record(cost(i + k))));
      expect(await s.costs.totals(tenant, { from: at(0), to: at(60) })).toEqual([
        { channel: 'viber', category: 'utility', currency: 'EUR', messages: 1_150, amount: 11.5 },
        { channel: 'whatsapp', category: 'utility', currency: 'EUR', messages: 1_150, amount: 11.5 },
      ]);
    });
  });
}
