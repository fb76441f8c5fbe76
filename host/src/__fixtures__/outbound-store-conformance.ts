/**
 * The outbound stores' contract (templates, idempotency keys, the shared rate budget), written
 * once and run on every driver. Times are numbers passed explicitly or an injected clock: nothing
 * here depends on machine speed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collection, CollectionSpec, Doc, LinkedUpdate, StorageDriver } from '../stores/driver.js';
import { DocumentIdempotencyStore, type IdempotencyRecord } from '../outbound/idempotency-store.js';
import type { RateLimit } from '@switchboard/core';
import { paceRules } from '../outbound/dispatcher.js';
import { DocumentRateBudget, gcraBook, RATE_BUDGET_COLLECTION, recipientBudgetKeys, type BudgetDocument, type PaceRule } from '../outbound/rate-budget.js';
import { DocumentTemplateStore, type TemplateRecord } from '../outbound/template-registry.js';
import type { DriverUnderTest, OpenedDriver } from './drivers-under-test.js';

const at = (s: number): Date => new Date(Date.UTC(2026, 10, 20, 10, 0, s));
let seq = 0;
const uid = (p: string): string => `${p}-${process.pid}-${++seq}`;

/**
 * A driver whose rate-budget collection lets a test act between a reservation's read and its
 * writes: `beforeWrite` runs before every insert or update the budget makes (as another process
 * writing at that moment would).
 */
class InterposedDriver implements StorageDriver {
  beforeWrite: ((budget: Collection<BudgetDocument>) => Promise<void>) | undefined;
  constructor(private readonly inner: StorageDriver) {}
  get kind(): StorageDriver['kind'] { return this.inner.kind; }
  get capabilities(): StorageDriver['capabilities'] { return this.inner.capabilities; }
  get transactional(): boolean { return this.inner.transactional === true; }
  collection<T extends Doc>(spec: CollectionSpec): Collection<T> {
    const real = this.inner.collection<T>(spec);
    if (spec.name !== RATE_BUDGET_COLLECTION.name) return real;
    const raw = real as unknown as Collection<BudgetDocument>;
    const hook = async (): Promise<void> => { await this.beforeWrite?.(raw); };
    return {
      spec: real.spec,
      insert: async (doc) => { await hook(); return real.insert(doc); },
      insertMany: (docs) => real.insertMany(docs),
      get: (id) => real.get(id),
      findOne: (filter, options) => real.findOne(filter, options),
      find: (filter, options) => real.find(filter, options),
      count: (filter) => real.count(filter),
      updateOne: async (filter, update, options) => { await hook(); return real.updateOne(filter, update, options); },
      updateMany: (filter, update) => real.updateMany(filter, update),
      replaceOne: (filter, doc) => real.replaceOne(filter, doc),
      deleteMany: (filter) => real.deleteMany(filter),
    };
  }
  updateTogether(updates: readonly LinkedUpdate[]): Promise<(Doc | undefined)[]> { return this.inner.updateTogether(updates); }
  ping(): Promise<void> { return this.inner.ping(); }
  clear(): Promise<void> { return this.inner.clear(); }
  close(): Promise<void> { return this.inner.close(); }
}

/**
 * Defines the outbound stores' contract tests for one driver.
 * @param d - the driver under test
 */
export function describeOutboundStoreConformance(d: DriverUnderTest): void {
  describe(`outbound stores: ${d.name}`, () => {
    let opened: OpenedDriver;
    let driver: StorageDriver;
    const tenant = uid('t');
    beforeAll(async () => { opened = await d.open(); driver = opened.driver; });
    afterAll(async () => { await opened.close(); });

    const template = (over: Partial<TemplateRecord> = {}): TemplateRecord => ({
      id: uid('tpl'), tenantId: tenant, channel: 'whatsapp', name: 'gate_change', language: 'en_US', category: 'utility',
      body: 'Flight {{1}} boards at gate {{2}}', status: 'draft', createdAt: at(0), updatedAt: at(0), ...over,
    });

    describe('templates', () => {
      it('keeps one template per tenant, channel, name and language, and updates its state', async () => {
        const s = new DocumentTemplateStore(driver);
        const t = template();
        expect(await s.insert(t)).toBe(true);
        expect(await s.insert({ ...t, id: uid('tpl') })).toBe(false);
        expect(await s.insert(template({ language: 'de', createdAt: at(1) }))).toBe(true);
        expect(await s.insert(template({ tenantId: 'other-tenant' }))).toBe(true);
        expect(await s.find(tenant, 'whatsapp', 'gate_change', 'en_US')).toEqual(t);
        const approved = await s.update(tenant, t.id, { status: 'approved', externalId: '1234' }, at(5));
        expect(approved).toEqual({ ...t, status: 'approved', externalId: '1234', updatedAt: at(5) });
        expect(await s.get(tenant, t.id)).toEqual(approved);
        expect((await s.list(tenant, { status: 'approved' })).map((x) => x.id)).toEqual([t.id]);
        expect((await s.list(tenant)).map((x) => x.language)).toEqual(['en_US', 'de']);
        expect(await s.get('other-tenant', t.id)).toBeUndefined();
        expect(await s.update('other-tenant', t.id, { status: 'paused' }, at(6))).toBeUndefined();
      });

      it('removes a field patched to undefined, and never lets a patch move a template to another tenant', async () => {
        const s = new DocumentTemplateStore(driver);
        const t = template({ name: 'reason_test', reason: 'too promotional', status: 'rejected' });
        await s.insert(t);
        const patch = { status: 'draft', reason: undefined, tenantId: 'intruder' } as Parameters<DocumentTemplateStore['update']>[2];
        const updated = await s.update(tenant, t.id, patch, at(9));
        expect(updated).not.toHaveProperty('reason');
        expect(updated).toMatchObject({ tenantId: tenant, status: 'draft' });
      });

      it('is still there for a new store on the same database (a restart)', async () => {
        const t = template({ name: 'restart_test' });
        await new DocumentTemplateStore(driver).insert(t);
        driver = await opened.reopen();
        expect(await new DocumentTemplateStore(driver).get(tenant, t.id)).toEqual(t);
      });
    });

    describe('idempotency keys', () => {
      const record = (over: Partial<IdempotencyRecord> = {}): IdempotencyRecord => ({
        tenantId: tenant, key: uid('k'), bodyHash: 'h1', status: 202, response: { id: 'm1', at: at(3), parts: [1, 2] }, createdAt: at(0), ...over,
      });

      it('remembers the first answer for a key, per tenant', async () => {
        const s = new DocumentIdempotencyStore(driver, () => at(10).getTime());
        const first = record();
        expect(await s.putIfAbsent(first)).toEqual(first);
        expect(await s.putIfAbsent({ ...first, bodyHash: 'h2', response: { id: 'm2' } })).toEqual(first);
        expect(await s.get(tenant, first.key)).toEqual(first);
        expect(await s.get('other-tenant', first.key)).toBeUndefined();
        const theirs = record({ tenantId: 'other-tenant', key: first.key, bodyHash: 'h3' });
        expect(await s.putIfAbsent(theirs)).toEqual(theirs);
      });

      it('gives one answer to concurrent first requests with the same key (from two host processes)', async () => {
        const a = new DocumentIdempotencyStore(driver, () => at(10).getTime());
        const b = new DocumentIdempotencyStore(driver, () => at(10).getTime());
        const key = uid('k');
        const results = await Promise.all([a, b, a, b].map((s, i) => s.putIfAbsent(record({ key, bodyHash: `h${i}` }))));
        expect(new Set(results.map((r) => r.bodyHash)).size).toBe(1);
      });

      it('forgets a key after the retention by the injected clock: not returned, deleted, and replaceable', async () => {
        let now = at(0).getTime();
        const s = new DocumentIdempotencyStore(driver, () => now, 60_000);
        const first = record({ createdAt: at(0) });
        await s.putIfAbsent(first);
        now += 60_000;
        expect(await s.get(tenant, first.key)).toEqual(first); // exactly at the retention: still remembered
        now += 1;
        expect(await s.get(tenant, first.key)).toBeUndefined();
        // deleted, not hidden: a store whose clock lags sees nothing either
        expect(await new DocumentIdempotencyStore(driver, () => at(0).getTime(), 60_000).get(tenant, first.key)).toBeUndefined();
        const second = record({ key: first.key, bodyHash: 'h2', createdAt: new Date(now) });
        expect(await s.putIfAbsent(second)).toEqual(second);
        // an expired key that is never asked for again is purged when later keys are stored
        const forgotten = record({ createdAt: new Date(now) });
        await s.putIfAbsent(forgotten);
        now += 61_000 + 60_000;
        await s.putIfAbsent(record({ createdAt: new Date(now) }));
        expect(await new DocumentIdempotencyStore(driver, () => 0, 60_000).get(tenant, forgotten.key)).toBeUndefined();
        expect(await s.purgeExpired()).toBe(0);
      });

      it('erases a contact: deletes the records whose key names its user id, pseudonymises the ids in the others\' answers, in its tenant only', async () => {
        const s = new DocumentIdempotencyStore(driver, () => at(10).getTime());
        const user = uid('4915');
        const [conv, msg] = [uid('conv'), uid('msg')];
        const keyed = record({ key: `consent:keyword:whatsapp:acct:${user}:wamid.1` });
        const answered = record({ response: { accepted: true, id: msg, conversationId: conv, price: { amount: 0 } } });
        const unrelated = record({ response: { accepted: true, id: uid('msg'), conversationId: uid('conv') } });
        const theirs = record({ tenantId: 'other-tenant', key: `x:${user}`, response: { id: msg, conversationId: conv } });
        for (const r of [keyed, answered, unrelated, theirs]) await s.putIfAbsent(r);
        const replacements = { [conv]: 'erased:c', [msg]: 'erased:m' };
        expect(await s.eraseSubject(tenant, { userIds: [user], replacements })).toEqual({ deleted: 1, pseudonymised: 1 });
        expect(await s.get(tenant, keyed.key)).toBeUndefined();
        expect(await s.get(tenant, answered.key)).toEqual({ ...answered, response: { accepted: true, id: 'erased:m', conversationId: 'erased:c', price: { amount: 0 } } });
        expect(await s.get(tenant, unrelated.key)).toEqual(unrelated);
        expect(await s.get('other-tenant', theirs.key)).toEqual(theirs);
        expect(await s.eraseSubject(tenant, { userIds: [], replacements: {} })).toEqual({ deleted: 0, pseudonymised: 0 });
      });

      it('survives a restart', async () => {
        const first = record({ createdAt: at(0) });
        await new DocumentIdempotencyStore(driver, () => at(1).getTime()).putIfAbsent(first);
        driver = await opened.reopen();
        expect(await new DocumentIdempotencyStore(driver, () => at(1).getTime()).get(tenant, first.key)).toEqual(first);
      });
    });

    describe('rate budget', () => {
      it('books distinct slots for concurrent reservations and respects every rule', async () => {
        const budget = new DocumentRateBudget(driver);
        const key = uid('telegram:bot');
        const rules = [{ key, limit: 30, perMs: 1000 }, { key: `${key}:chat`, limit: 1, perMs: 1000 }];
        const now = 1_000_000;
        const waits = await Promise.all(Array.from({ length: 5 }, () => budget.reserve(rules, now)));
        // one chat at one per second: five reservations are five distinct seconds
        expect([...waits].sort((a, b) => a - b)).toEqual([0, 1000, 2000, 3000, 4000]);
        // beyond the longest wait nothing is booked
        expect(await budget.reserve(rules, now, 1000)).toBe(5000);
        expect(await budget.reserve(rules, now + 5000)).toBe(0);
        await budget.penalize(`${key}:chat`, now + 60_000);
        expect(await budget.reserve(rules, now + 6000)).toBe(54_000);
      });

      it('is shared by two budgets on one database (two host processes): concurrent reservations get distinct slots', async () => {
        const a = new DocumentRateBudget(driver);
        const b = new DocumentRateBudget(driver);
        const key = uid('whatsapp:num');
        const rules = (user: string): PaceRule[] => [{ key, limit: 10, perMs: 1000 }, { key: `${key}:${user}`, limit: 1, perMs: 6000 }];
        const now = 2_000_000;
        const waits = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).reserve(rules(`u${i % 5}`), now)));
        // ten sends on one number at 10/s: ten distinct 100 ms slots, whichever process booked them
        const slots = [...waits].sort((x, y) => x - y);
        for (let i = 1; i < slots.length; i++) expect(slots[i]! - slots[i - 1]!).toBeGreaterThanOrEqual(100 - 1e-6);
        // each user got two sends, at least 6 s apart
        for (let u = 0; u < 5; u++) {
          const mine = waits.filter((_, i) => i % 5 === u).sort((x, y) => x - y);
          expect(mine[1]! - mine[0]!).toBeGreaterThanOrEqual(6000);
        }
      });

      it('forgets a recipient\'s keys (erasure): the keys paceRules builds for them, and nothing else', async () => {
        const budget = new DocumentRateBudget(driver);
        const account = uid('acct');
        const entry = { channel: 'telegram', account, message: { id: 'm', to: { channel: 'telegram', accountId: 'bot', userId: '-100777' }, content: { type: 'text' as const, text: 'x' } } };
        const limits: RateLimit[] = [
          { scope: 'account', limit: 30, perMs: 1000, enforcement: 'pace' }, { scope: 'recipient', limit: 1, perMs: 1000, enforcement: 'pace' },
          { scope: 'group', limit: 20, perMs: 60_000, enforcement: 'pace' },
        ];
        const rules = paceRules(limits, entry);
        await budget.reserve(rules, 0);
        const keys = recipientBudgetKeys('telegram', account, '-100777');
        expect(rules.map((r) => r.key).filter((k) => k !== `telegram:${account}`).sort()).toEqual([...keys].sort());
        expect(await budget.forget(keys)).toBe(2);
        for (const k of keys) expect(await budget.tatOf(k)).toBeUndefined();
        expect(await budget.tatOf(`telegram:${account}`)).toBeDefined();
        expect(await budget.forget([])).toBe(0);
      });

      it('lets a burst through back to back, then paces', async () => {
        const budget = new DocumentRateBudget(driver);
        const rule = { key: uid('whatsapp:pair'), limit: 1, perMs: 6000, burst: 3 };
        const waits: number[] = [];
        for (let i = 0; i < 5; i++) waits.push(await budget.reserve([rule], 0));
        expect(waits).toEqual([0, 0, 0, 6000, 12000]);
      });

      it('books like the pure GCRA, including a key named by two rules', async () => {
        const budget = new DocumentRateBudget(driver);
        const key = uid('k');
        const rules: PaceRule[] = [{ key, limit: 30, perMs: 1000 }, { key, limit: 1, perMs: 1000, burst: 2 }, { key: `${key}:chat`, limit: 2, perMs: 1000 }];
        let tats = new Map<string, number>();
        for (const now of [0, 0, 10, 500, 5000]) {
          const expected = gcraBook(rules, tats, now);
          expect(await budget.reserve(rules, now)).toBeCloseTo(expected.at - now, 9);
          tats = new Map([...tats, ...expected.tats]);
          expect(await budget.tatOf(key)).toBeCloseTo(tats.get(key)!, 9);
        }
      });

      it('penalizes forward only', async () => {
        const budget = new DocumentRateBudget(driver);
        const key = uid('k');
        await budget.penalize(key, 5000);
        await budget.penalize(key, 3000);
        expect(await budget.tatOf(key)).toBe(5000);
        expect(await budget.reserve([{ key, limit: 10, perMs: 1000 }], 0)).toBe(5000);
        await Promise.all([budget.penalize(`${key}:new`, 7000), new DocumentRateBudget(driver).penalize(`${key}:new`, 9000)]);
        expect(await budget.tatOf(`${key}:new`)).toBe(9000);
      });

      it('sweeps keys whose slots are past (a later reservation books as before)', async () => {
        const budget = new DocumentRateBudget(driver);
        const old = uid('old');
        const live = uid('live');
        await budget.reserve([{ key: old, limit: 1, perMs: 1000 }], 10_000_000);
        await budget.reserve([{ key: live, limit: 1, perMs: 1000 }], 10_005_000);
        expect(await budget.sweep(10_002_000)).toBeGreaterThanOrEqual(1);
        expect(await budget.tatOf(old)).toBeUndefined();
        expect(await budget.tatOf(live)).toBe(10_006_000);
        expect(await budget.reserve([{ key: old, limit: 1, perMs: 1000 }], 10_002_000)).toBe(0);
      });

      it('starts over when another process books in between, never handing out its slot', async () => {
        const interposed = new InterposedDriver(driver);
        const mine = new DocumentRateBudget(interposed);
        const account = uid('wa:num');
        const user = `${account}:u1`;
        const rules = [{ key: account, limit: 80, perMs: 1000 }, { key: user, limit: 1, perMs: 6000 }];
        await mine.reserve(rules, 0); // u1 booked at 0, next at 6000
        const accountBefore = (await mine.tatOf(account))!;
        // another process books u1's 6000 slot (and the account) after this one read the budget and
        // booked the account, before it books u1
        let writes = 0;
        interposed.beforeWrite = async (raw) => {
          if (++writes !== 2) return;
          interposed.beforeWrite = undefined;
          await raw.updateOne({ id: account }, { $inc: { tat: 12.5 } });
          await raw.updateOne({ id: user }, { $set: { tat: 12_000 } });
        };
        expect(await mine.reserve(rules, 0)).toBe(12_000); // the rival took 6000; this process gets the next slot
        expect(await mine.tatOf(user)).toBe(18_000);
        // its abandoned account booking was not given back over the rival's: both count (conservative)
        expect(await mine.tatOf(account)).toBeGreaterThan(accountBefore + 12.5);
      });

      it('gives back an abandoned booking nobody built on', async () => {
        const interposed = new InterposedDriver(driver);
        const mine = new DocumentRateBudget(interposed);
        const account = uid('tg:bot');
        const chat = `${account}:c`;
        const rules = [{ key: account, limit: 20, perMs: 1000 }, { key: chat, limit: 1, perMs: 1000 }];
        let writes = 0;
        // a rival books the chat (only) right after this process booked the account
        interposed.beforeWrite = async (raw) => {
          if (++writes !== 2) return;
          interposed.beforeWrite = undefined;
          await raw.insert({ id: chat, tat: 1000 });
        };
        expect(await mine.reserve(rules, 0)).toBe(1000);
        // the account holds this one booking at the chat's slot, not a second one from the lost round
        expect(await mine.tatOf(account)).toBe(1050);
      });

      it('gives up with a clear error under endless contention', async () => {
        const interposed = new InterposedDriver(driver);
        const budget = new DocumentRateBudget(interposed, { maxAttempts: 3 });
        const key = uid('k');
        await budget.penalize(key, 1);
        interposed.beforeWrite = async (raw) => { await raw.updateOne({ id: key }, { $inc: { tat: 1 } }); };
        await expect(budget.reserve([{ key, limit: 1, perMs: 1000 }], 0)).rejects.toThrow(/after 3 attempts/);
      });

      it('survives a restart', async () => {
        const key = uid('restart');
        await new DocumentRateBudget(driver).reserve([{ key, limit: 1, perMs: 1000 }], 0);
        driver = await opened.reopen();
        expect(await new DocumentRateBudget(driver).reserve([{ key, limit: 1, perMs: 1000 }], 0)).toBe(1000);
      });
    });
  });
}
