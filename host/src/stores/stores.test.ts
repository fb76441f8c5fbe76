import { describe, expect, it } from 'vitest';
import { describeStoreConformance } from '../__fixtures__/store-conformance.js';
import { createStoreSchemas } from './mongoose-schemas.js';
import { MemoryStores } from './memory-stores.js';
import { MongooseStores } from './mongoose-stores.js';
import { captureMemorySnapshot, restoreMemorySnapshot } from './memory-snapshot.js';

describeStoreConformance('memory', async () => new MemoryStores());

const uri = process.env.SWITCHBOARD_MONGODB_URI;
if (uri) {
  describeStoreConformance(`mongodb (${uri.replace(/\/\/[^@]*@/, '//***@')})`, () => MongooseStores.connect(uri, { dbName: 'switchboard_conformance' }));
} else {
  // said out loud, so nobody mistakes a green run for a MongoDB run
  console.log('store conformance: SWITCHBOARD_MONGODB_URI is not set — skipped the MongoDB run (memory only)');
  describe('store conformance: mongodb', () => {
    it.skip('needs SWITCHBOARD_MONGODB_URI (see host/README.md, "Running against MongoDB")', () => {});
  });
}

describe('mongoose schemas', () => {
  const schemas = createStoreSchemas();
  const all = Object.entries(schemas).flatMap(([name, schema]) => schema.indexes().map(([fields, options]) => ({ name, fields, options })));

  it('lead every index with the tenant id', () => {
    expect(all.length).toBeGreaterThan(10);
    for (const i of all) expect(Object.keys(i.fields)[0], `${i.name} ${JSON.stringify(i.fields)}`).toBe('tenantId');
  });

  it('make ingest idempotent: unique inbox key and unique message external id', () => {
    const inbox = all.find((i) => i.name === 'inbox' && i.options.unique);
    expect(inbox?.fields).toEqual({ tenantId: 1, channel: 1, account: 1, key: 1 });
    const message = all.find((i) => i.name === 'message' && i.options.unique);
    expect(message?.fields).toEqual({ tenantId: 1, channel: 1, accountId: 1, userId: 1, direction: 1, externalId: 1 });
    // outbound messages have no external id until sent: they must not collide on a missing one
    expect(message?.options.partialFilterExpression).toEqual({ externalId: { $type: 'string' } });
  });

  it('give an address one conversation and one contact, and an outbox entry per message', () => {
    expect(all.find((i) => i.name === 'conversation' && i.options.unique)?.fields).toEqual({ tenantId: 1, 'address.channel': 1, 'address.accountId': 1, 'address.userId': 1 });
    expect(all.find((i) => i.name === 'contact' && i.options.unique)?.fields).toEqual({ tenantId: 1, addressKeys: 1 });
    expect(all.find((i) => i.name === 'outbox' && i.options.unique)?.fields).toEqual({ tenantId: 1, messageId: 1 });
  });

  it('index the lease queries of the inbox and outbox', () => {
    expect(all.filter((i) => i.name === 'inbox').map((i) => i.fields)).toContainEqual({ tenantId: 1, status: 1, notBefore: 1, receivedAt: 1 });
    expect(all.filter((i) => i.name === 'outbox').map((i) => i.fields)).toContainEqual({ tenantId: 1, status: 1, notBefore: 1, createdAt: 1 });
  });

  it('store ids as strings and keep message content free-form', () => {
    expect(schemas.message.path('_id').instance).toBe('String');
    expect(schemas.message.path('content').instance).toBe('Mixed');
    expect(schemas.inbox.path('status').options.enum).toEqual(['pending', 'processing', 'done', 'failed']);
  });
});

describe('mongoose schemas of erasure, retention, analytics, audit and costs', () => {
  const schemas = createStoreSchemas();
  const indexes = (name: keyof typeof schemas) => schemas[name].indexes().map(([fields, options]) => ({ fields, options }));

  it('charge a message once: the cost ledger is unique on tenant and message', () => {
    const unique = indexes('cost').filter((i) => i.options.unique);
    expect(unique.map((i) => i.fields)).toEqual([{ tenantId: 1, messageId: 1 }]);
    expect(indexes('cost').map((i) => i.fields)).toContainEqual({ tenantId: 1, at: 1 });
    expect(schemas.cost.path('amount').instance).toBe('Number');
  });

  it('index the audit log by time, contact and conversation', () => {
    expect(indexes('audit').map((i) => i.fields)).toEqual([
      { tenantId: 1, at: -1 }, { tenantId: 1, contactIds: 1, at: -1 }, { tenantId: 1, conversationIds: 1, at: -1 },
    ]);
    expect(schemas.audit.path('action').options.enum).toEqual(['read', 'change']);
  });

  it('index the period reads of analytics and retention, and the lookups of erasure', () => {
    expect(indexes('message').map((i) => i.fields)).toContainEqual({ tenantId: 1, timestamp: 1, createdAt: 1 });
    expect(indexes('consent').map((i) => i.fields)).toContainEqual({ tenantId: 1, at: 1, seq: 1 });
    expect(indexes('inbox').map((i) => i.fields)).toContainEqual({ tenantId: 1, 'event.channel': 1, 'event.userId': 1 });
    expect(indexes('inbox').find((i) => i.fields['event.externalId'])?.options.partialFilterExpression).toEqual({ 'event.externalId': { $type: 'string' } });
    expect(indexes('outbox').map((i) => i.fields)).toContainEqual({ tenantId: 1, 'message.to.channel': 1, 'message.to.userId': 1 });
  });
});

describe('memory snapshot', () => {
  it('carries the audit log and the cost ledger across a restart', async () => {
    const stores = new MemoryStores();
    const at = new Date('2025-09-01T10:00:00Z');
    await stores.audit.append({ id: 'a1', tenantId: 't', at, actor: 'key:00', action: 'read', method: 'GET', path: '/contacts/k', status: 200, contactIds: ['k'], conversationIds: [] });
    await stores.costs.record({ id: 'c1', tenantId: 't', messageId: 'm1', conversationId: 'cv', channel: 'whatsapp', accountId: 'a', category: 'marketing', amount: 0.1131, currency: 'EUR', at, inServiceSession: false });
    const snapshot = structuredClone(captureMemorySnapshot(stores, at));
    const restored = new MemoryStores();
    await restoreMemorySnapshot(restored, snapshot);
    expect(restored.audit.all()).toEqual(stores.audit.all());
    expect(restored.costs.all()).toEqual(stores.costs.all());
    expect(await restored.costs.record({ ...stores.costs.all()[0]!, id: 'c2' })).toBe(false);
  });

  it('reads a snapshot written before the audit log and cost ledger existed', async () => {
    const stores = new MemoryStores();
    const { audit: _a, costs: _c, ...old } = captureMemorySnapshot(stores);
    await restoreMemorySnapshot(stores, old);
    expect(stores.audit.all()).toEqual([]);
  });
});
