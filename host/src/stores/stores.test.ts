/**
 * The core stores' conformance suite on every driver: memory, SQLite in memory, SQLite on a file,
 * and MongoDB when SWITCHBOARD_MONGODB_URI is set (skipped, saying so, otherwise).
 */
import { describe, expect, it } from 'vitest';
import { describeStoreConformance } from '../__fixtures__/store-conformance.js';
import { describeOnDrivers } from '../__fixtures__/drivers-under-test.js';
import { MemoryDriver } from './drivers/memory-driver.js';
import { CORE_COLLECTIONS } from './document-stores.js';
import { createHostStores, MemoryStores } from './host-stores.js';

describeOnDrivers('core stores', (d) => describeStoreConformance(d.name, async () => {
  const opened = await d.open();
  return { driver: opened.driver, close: () => opened.close() };
}));

describeStoreConformance('sqlite (:memory:)', async () => {
  const { SqliteDriver } = await import('./drivers/sqlite-driver.js');
  const driver = await SqliteDriver.open({ path: ':memory:' });
  return { driver, close: () => driver.close() };
});

describe('host stores', () => {
  it('build every store on one driver, and close it', async () => {
    const driver = new MemoryDriver();
    const stores = createHostStores(driver);
    expect(stores.kind).toBe('memory');
    expect(stores.driver).toBe(driver);
    for (const store of ['conversations', 'messages', 'contacts', 'consent', 'inbox', 'outbox', 'deadLetters', 'audit', 'costs', 'templates', 'idempotency', 'budget', 'optInFlows', 'agents'] as const) {
      expect(stores[store], store).toBeDefined();
    }
    await stores.ping();
    await stores.close();
    await expect(stores.ping()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('MemoryStores: each instance has its own memory', async () => {
    const a = new MemoryStores();
    const b = new MemoryStores();
    await a.deadLetters.add({ id: 'd1', tenantId: 't', channel: 'acme', account: 'main', reason: 'x', code: 'MALFORMED_PAYLOAD', rawBody: '', headers: {}, receivedAt: new Date(0) });
    expect(await b.deadLetters.get('t', 'd1')).toBeUndefined();
    expect(await a.deadLetters.get('t', 'd1')).toBeDefined();
  });

  it('declare their collections once, every index led by the tenant (except the ledger sequences)', () => {
    const names = CORE_COLLECTIONS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const c of CORE_COLLECTIONS) {
      for (const i of c.indexes ?? []) {
        if (i.fields.length === 1 && i.fields[0] === 'seq') continue;
        expect(i.fields[0], `${c.name} ${i.fields.join(',')}`).toBe('tenantId');
      }
    }
  });

  it('make ingest idempotent and give an address one conversation and one contact, through unique indexes', () => {
    const unique = (name: string) => CORE_COLLECTIONS.find((c) => c.name === name)!.indexes!.filter((i) => i.unique).map((i) => i.fields);
    expect(unique('inbox')).toEqual([['tenantId', 'channel', 'account', 'key']]);
    expect(unique('messages')).toEqual([['tenantId', 'channel', 'accountId', 'userId', 'direction', 'externalId']]);
    expect(unique('conversations')).toEqual([['tenantId', 'address.channel', 'address.accountId', 'address.userId']]);
    expect(unique('contact_addresses')).toEqual([['tenantId', 'channel', 'accountId', 'userId']]);
    expect(unique('cost_ledger')).toEqual([['tenantId', 'messageId']]);
  });

  it('index the lease reads of the outbox and inbox, and per-recipient order', () => {
    const indexes = (name: string) => CORE_COLLECTIONS.find((c) => c.name === name)!.indexes!.map((i) => i.fields);
    expect(indexes('outbox')).toContainEqual(['tenantId', 'status', 'notBefore', 'createdAt']);
    expect(indexes('outbox')).toContainEqual(['tenantId', 'status', 'leaseUntil']);
    expect(indexes('outbox')).toContainEqual(['tenantId', 'channel', 'account', 'message.to.userId', 'status', 'createdAt']);
    expect(indexes('inbox')).toContainEqual(['tenantId', 'status', 'receivedAt']);
    expect(indexes('inbox')).toContainEqual(['tenantId', 'status', 'leaseUntil']);
  });
});
