/**
 * The outbound stores' contract, run against the memory implementations always and against
 * MongoDB when SWITCHBOARD_MONGODB_URI is set; the MongoDB schemas and indexes without a server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import { MemoryIdempotencyStore } from './idempotency-store.js';
import { createOutboundSchemas, mongooseOutboundStores } from './mongoose-outbound-stores.js';
import type { OutboundStores } from './outbound-runtime.js';
import { MemoryRateBudget } from './rate-budget.js';
import { MemoryTemplateStore, type TemplateRecord } from './template-registry.js';

const at = (s: number): Date => new Date(Date.UTC(2026, 10, 20, 10, 0, s));
let seq = 0;
const uid = (p: string): string => `${p}-${Date.now().toString(36)}-${++seq}`;

function describeOutboundStores(name: string, make: () => Promise<{ stores: OutboundStores; close: () => Promise<void> }>): void {
  describe(`outbound stores: ${name}`, () => {
    let s: OutboundStores;
    let close: () => Promise<void> = async () => {};
    const tenant = uid('t');
    beforeAll(async () => { ({ stores: s, close } = await make()); });
    afterAll(async () => { await close(); });

    const template = (over: Partial<TemplateRecord> = {}): TemplateRecord => ({
      id: uid('tpl'), tenantId: tenant, channel: 'whatsapp', name: 'gate_change', language: 'en_US', category: 'utility',
      body: 'Flight {{1}} boards at gate {{2}}', status: 'draft', createdAt: at(0), updatedAt: at(0), ...over,
    });

    it('keeps one template per tenant, channel, name and language, and updates its state', async () => {
      const t = template();
      expect(await s.templates.insert(t)).toBe(true);
      expect(await s.templates.insert({ ...t, id: uid('tpl') })).toBe(false);
      expect(await s.templates.insert(template({ language: 'de' }))).toBe(true);
      expect(await s.templates.find(tenant, 'whatsapp', 'gate_change', 'en_US')).toEqual(t);
      const approved = await s.templates.update(tenant, t.id, { status: 'approved', externalId: '1234' }, at(5));
      expect(approved).toMatchObject({ status: 'approved', externalId: '1234', updatedAt: at(5) });
      expect((await s.templates.list(tenant, { status: 'approved' })).map((x) => x.id)).toEqual([t.id]);
      expect(await s.templates.get('other-tenant', t.id)).toBeUndefined();
      expect(await s.templates.update('other-tenant', t.id, { status: 'paused' }, at(6))).toBeUndefined();
    });

    it('remembers the first answer for an idempotency key', async () => {
      const first = { tenantId: tenant, key: uid('k'), bodyHash: 'h1', status: 202, response: { id: 'm1' }, createdAt: new Date() };
      expect(await s.idempotency.putIfAbsent(first)).toEqual(first);
      expect(await s.idempotency.putIfAbsent({ ...first, bodyHash: 'h2', response: { id: 'm2' } })).toEqual(first);
      expect(await s.idempotency.get(tenant, first.key)).toEqual(first);
      expect(await s.idempotency.get('other-tenant', first.key)).toBeUndefined();
    });

    it('books distinct slots for concurrent reservations and respects every rule', async () => {
      const key = uid('telegram:bot');
      const rules = [{ key, limit: 30, perMs: 1000 }, { key: `${key}:chat`, limit: 1, perMs: 1000 }];
      const now = 1_000_000;
      const waits = await Promise.all(Array.from({ length: 5 }, () => s.budget.reserve(rules, now)));
      // one chat at one per second: five reservations are five distinct seconds
      expect([...waits].sort((a, b) => a - b)).toEqual([0, 1000, 2000, 3000, 4000]);
      // beyond the longest wait nothing is booked
      expect(await s.budget.reserve(rules, now, 1000)).toBe(5000);
      expect(await s.budget.reserve(rules, now + 5000)).toBe(0);
      await s.budget.penalize(`${key}:chat`, now + 60_000);
      expect(await s.budget.reserve(rules, now + 6000)).toBe(54_000);
    });

    it('lets a burst through back to back, then paces', async () => {
      const key = uid('whatsapp:pair');
      const rule = { key, limit: 1, perMs: 6000, burst: 3 };
      const waits: number[] = [];
      for (let i = 0; i < 5; i++) waits.push(await s.budget.reserve([rule], 0));
      expect(waits).toEqual([0, 0, 0, 6000, 12000]);
    });
  });
}

describeOutboundStores('memory', async () => ({
  stores: { templates: new MemoryTemplateStore(), idempotency: new MemoryIdempotencyStore(), budget: new MemoryRateBudget() },
  close: async () => {},
}));

const uri = process.env.SWITCHBOARD_MONGODB_URI;
if (uri) {
  describeOutboundStores('mongodb', async () => {
    const connection = await mongoose.createConnection(uri, { dbName: 'switchboard_outbound_conformance' }).asPromise();
    const stores = mongooseOutboundStores(connection);
    await Promise.all(Object.values(connection.models).map((m) => m.init()));
    return { stores, close: async () => { await connection.dropDatabase(); await connection.close(); } };
  });
} else {
  console.log('outbound stores: SWITCHBOARD_MONGODB_URI is not set — skipped the MongoDB run (memory only)');
  describe('outbound stores: mongodb', () => {
    it.skip('needs SWITCHBOARD_MONGODB_URI (see host/README.md, "Running against MongoDB")', () => {});
  });
}

describe('outbound mongoose schemas', () => {
  const schemas = createOutboundSchemas(3600);
  it('make templates unique per tenant, channel, name and language', () => {
    expect(schemas.template.indexes()).toContainEqual([{ tenantId: 1, channel: 1, name: 1, language: 1 }, expect.objectContaining({ unique: true })]);
  });
  it('make idempotency keys unique per tenant and expire them after the retention', () => {
    expect(schemas.idempotency.indexes()).toContainEqual([{ tenantId: 1, key: 1 }, expect.objectContaining({ unique: true })]);
    expect(schemas.idempotency.indexes()).toContainEqual([{ createdAt: 1 }, expect.objectContaining({ expireAfterSeconds: 3600 })]);
  });
  it('keep one budget document per key (its theoretical arrival time)', () => {
    expect(schemas.budget.path('tat')).toBeDefined();
    expect(schemas.budget.path('_id').instance).toBe('String');
  });
});

/**
 * The shared budget's compare-and-set protocol, without a server: a minimal stand-in for the
 * collection (the four operations the budget uses, with MongoDB's semantics for them) and a rival
 * process that books between this process's read and its write.
 */
describe('MongooseRateBudget protocol', () => {
  type Row = { _id: string; tat: number };
  class Collection {
    readonly rows = new Map<string, number>();
    beforeWrite: (() => void) | undefined;
    find(q: { _id: { $in: string[] } }) { return { lean: async () => q._id.$in.filter((k) => this.rows.has(k)).map((k): Row => ({ _id: k, tat: this.rows.get(k)! })) }; }
    async create(doc: Row) {
      this.beforeWrite?.();
      if (this.rows.has(doc._id)) throw Object.assign(new Error('E11000 duplicate key'), { code: 11000 });
      this.rows.set(doc._id, doc.tat);
    }
    async updateOne(q: { _id: string; tat?: number }, u: { $set?: { tat: number }; $max?: { tat: number } }, o: { upsert?: boolean } = {}) {
      this.beforeWrite?.();
      const cur = this.rows.get(q._id);
      if (u.$max) { if (cur === undefined && !o.upsert) return { modifiedCount: 0 }; this.rows.set(q._id, Math.max(cur ?? -Infinity, u.$max.tat)); return { modifiedCount: 1 }; }
      if (cur === undefined || (q.tat !== undefined && cur !== q.tat)) return { modifiedCount: 0 };
      this.rows.set(q._id, u.$set!.tat);
      return { modifiedCount: 1 };
    }
    async deleteOne(q: { _id: string; tat: number }) { if (this.rows.get(q._id) === q.tat) this.rows.delete(q._id); return { deletedCount: 1 }; }
  }

  it('books like the memory budget when alone', async () => {
    const { MongooseRateBudget } = await import('./mongoose-outbound-stores.js');
    const col = new Collection();
    const budget = new MongooseRateBudget(col as never);
    const rules = [{ key: 'tg:bot', limit: 30, perMs: 1000 }, { key: 'tg:bot:1', limit: 1, perMs: 1000 }];
    const memory = new MemoryRateBudget();
    for (let i = 0; i < 4; i++) expect(await budget.reserve(rules, 500)).toBe(await memory.reserve(rules, 500));
  });

  it('starts over, giving back what it booked, when a rival books in between: never the same slot twice', async () => {
    const { MongooseRateBudget } = await import('./mongoose-outbound-stores.js');
    const col = new Collection();
    const mine = new MongooseRateBudget(col as never);
    const rules = [{ key: 'wa:num', limit: 80, perMs: 1000 }, { key: 'wa:num:u1', limit: 1, perMs: 6000 }];
    await mine.reserve(rules, 0); // u1 booked at 0, next at 6000
    const accountBefore = col.rows.get('wa:num')!;
    // another process books the 6000 slot of u1 (and the account) after this one has read the
    // budget and booked the account rule, before it books u1
    let writes = 0;
    col.beforeWrite = () => {
      if (++writes !== 2) return;
      col.beforeWrite = undefined;
      col.rows.set('wa:num', col.rows.get('wa:num')! + 12.5);
      col.rows.set('wa:num:u1', 12_000);
    };
    const wait = await mine.reserve(rules, 0);
    expect(wait).toBe(12_000); // the rival took 6000; this process gets the next slot
    expect(col.rows.get('wa:num:u1')).toBe(18_000);
    // its first, abandoned account booking was not given back over the rival's: both bookings count
    expect(col.rows.get('wa:num')).toBeGreaterThan(accountBefore);
  });

  it('gives up with a clear error under endless contention', async () => {
    const { MongooseRateBudget } = await import('./mongoose-outbound-stores.js');
    const col = new Collection();
    const budget = new MongooseRateBudget(col as never, 3);
    col.beforeWrite = () => { col.rows.set('k', (col.rows.get('k') ?? 0) + 1); };
    await expect(budget.reserve([{ key: 'k', limit: 1, perMs: 1000 }], 0)).rejects.toThrow(/after 3 attempts/);
  });
});
