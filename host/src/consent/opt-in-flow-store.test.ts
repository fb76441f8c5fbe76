/**
 * The opt-in flow store contract, run against memory always and against MongoDB when
 * SWITCHBOARD_MONGODB_URI is set; the MongoDB schema's indexes are checked without a server.
 */
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOptInFlowSchema, mongooseOptInFlowStore } from './mongoose-opt-in-flow-store.js';
import { MemoryOptInFlowStore, type OptInFlow, type OptInFlowStore } from './opt-in-flow-store.js';

const at = (s: number): Date => new Date(Date.UTC(2026, 10, 23, 9, 0, s));
let n = 0;
const flow = (over: Partial<OptInFlow> = {}): OptInFlow => ({
  id: `oi_${process.pid}_${++n}`, tenantId: 'air', purpose: 'transactional', topic: 'flight updates', source: 'checkbox',
  privacyPolicy: { url: 'https://air.example/privacy', version: '2026-09' }, confirmWith: 'start-message', scope: 'channel', language: 'en',
  channels: [{ channel: 'whatsapp', account: 'main', target: '+15550001234' }], status: 'awaiting-start',
  createdAt: at(n), updatedAt: at(n), expiresAt: at(n + 3600), ...over,
});

function describeFlowStore(name: string, open: () => Promise<{ store: OptInFlowStore; close: () => Promise<void> }>): void {
  describe(`opt-in flow store: ${name}`, () => {
    let s: OptInFlowStore;
    let close: () => Promise<void>;
    beforeAll(async () => { ({ store: s, close } = await open()); });
    afterAll(async () => { await close(); });

    it('creates, reads back per tenant, and refuses a second flow with the same id', async () => {
      const f = flow({ wording: 'Send me flight updates', recordedBy: 'api-key' });
      await s.create(f);
      expect(await s.get('air', f.id)).toEqual(f);
      expect(await s.get('other-tenant', f.id)).toBeUndefined();
      await expect(s.create(f)).rejects.toThrow();
    });

    it('applies patches (and a patch to undefined removes the field)', async () => {
      const f = flow({ contactId: 'k1' });
      await s.create(f);
      const address = { channel: 'whatsapp', accountId: '106540352242922', userId: '351912345001' };
      const updated = await s.update('air', f.id, { status: 'awaiting-confirmation', startedOn: address, promptedAt: at(90), updatedAt: at(90) });
      expect(updated).toMatchObject({ status: 'awaiting-confirmation', startedOn: address, promptedAt: at(90), contactId: 'k1' });
      expect(await s.update('air', f.id, { contactId: undefined })).not.toHaveProperty('contactId');
      expect(await s.update('other-tenant', f.id, { status: 'confirmed' })).toBeUndefined();
    });

    it('finds the newest flow awaiting confirmation on an address', async () => {
      const address = { channel: 'messenger', accountId: 'page-1', userId: 'psid-77' };
      const older = flow({ status: 'awaiting-confirmation', startedOn: address, updatedAt: at(100) });
      const newer = flow({ status: 'awaiting-confirmation', startedOn: address, updatedAt: at(200) });
      const done = flow({ status: 'confirmed', startedOn: address, updatedAt: at(300) });
      for (const f of [older, newer, done]) await s.create(f);
      expect((await s.findAwaiting('air', address))?.id).toBe(newer.id);
      expect(await s.findAwaiting('air', { ...address, userId: 'psid-78' })).toBeUndefined();
      expect(await s.findAwaiting('other-tenant', address)).toBeUndefined();
    });

    it('lists newest first, by contact and status, with paging', async () => {
      const mine = [flow({ contactId: 'k-list', createdAt: at(400) }), flow({ contactId: 'k-list', createdAt: at(500), status: 'confirmed' })];
      for (const f of mine) await s.create(f);
      expect((await s.list('air', { contactId: 'k-list' })).map((f) => f.id)).toEqual([mine[1]!.id, mine[0]!.id]);
      expect((await s.list('air', { contactId: 'k-list', status: 'confirmed' })).map((f) => f.id)).toEqual([mine[1]!.id]);
      expect((await s.list('air', { contactId: 'k-list', limit: 1, offset: 1 })).map((f) => f.id)).toEqual([mine[0]!.id]);
      expect(await s.list('other-tenant')).toEqual([]);
    });
  });
}

describeFlowStore('memory', async () => ({ store: new MemoryOptInFlowStore(), close: async () => {} }));

const uri = process.env.SWITCHBOARD_MONGODB_URI;
if (uri) {
  describeFlowStore('mongodb', async () => {
    const connection = await mongoose.createConnection(uri, { dbName: 'switchboard_opt_in_conformance' }).asPromise();
    const store = mongooseOptInFlowStore(connection);
    await Promise.all(Object.values(connection.models).map((m) => m.init()));
    return { store, close: async () => { await connection.dropDatabase(); await connection.close(); } };
  });
} else {
  console.log('opt-in flow store: SWITCHBOARD_MONGODB_URI is not set — skipped the MongoDB run (memory only)');
  describe('opt-in flow store: mongodb', () => {
    it.skip('needs SWITCHBOARD_MONGODB_URI (see host/README.md, "Running against MongoDB")', () => {});
  });
}

describe('opt-in flow mongoose schema', () => {
  const schema = createOptInFlowSchema();
  it('leads every index with the tenant and serves the start-message lookup', () => {
    for (const [fields] of schema.indexes()) expect(Object.keys(fields)[0]).toBe('tenantId');
    expect(schema.indexes()).toContainEqual([{ tenantId: 1, status: 1, 'startedOn.channel': 1, 'startedOn.accountId': 1, 'startedOn.userId': 1, updatedAt: -1 }, expect.objectContaining({ name: 'tenant_awaiting_address' })]);
  });
  it('keeps the flow id as _id in sb_opt_in_flows', () => {
    expect(schema.get('collection')).toBe('sb_opt_in_flows');
    expect(schema.path('_id').instance).toBe('String');
  });
});
