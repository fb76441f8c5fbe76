import { describe, expect, it } from 'vitest';
import { describeStoreConformance } from '../__fixtures__/store-conformance.js';
import { createStoreSchemas } from './mongoose-schemas.js';
import { MemoryStores } from './memory-stores.js';
import { MongooseStores } from './mongoose-stores.js';

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
    expect(message?.fields).toEqual({ tenantId: 1, channel: 1, accountId: 1, direction: 1, externalId: 1 });
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
