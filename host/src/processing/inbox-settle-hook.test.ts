/**
 * The inbox processor's settle hooks: awaited after an entry's handlers ran and before the entry is
 * completed (the webhook publisher waits there for its queue write), so a write that has not
 * finished leaves the entry unfinished, never the other way round.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock, silentLogger, type Connector, type ConnectorPlugin } from '@switchboard/core';
import type { TenantConfig } from '../config/host-config.js';
import { StaticConnectorRegistry, type HostConnectorBinding } from '../plugins/connector-registry.js';
import { MemoryStores } from '../stores/host-stores.js';
import type { InboxEntry } from '../stores/stores.js';
import { createHostStreams } from '../streams.js';
import { InboxProcessor } from './inbox-processor.js';

const T0 = Date.UTC(2026, 0, 1);

describe('InboxProcessor settle hooks', () => {
  it('completes an entry only after every settle hook resolved, and retries it when one fails', async () => {
    const stores = new MemoryStores();
    const clock = new ManualClock(T0 + 60_000);
    const connector = { channel: 'acme', accountId: 'a1' } as unknown as Connector;
    const plugin = { channel: 'acme', policy: { optOutKeywords: [] } } as unknown as ConnectorPlugin;
    const binding: HostConnectorBinding = { tenantId: 't1', channel: 'acme', account: 'main', connector, plugin };
    const tenants = new Map([['t1', { id: 't1', apiKeys: [] } as unknown as TenantConfig]]);
    const processor = new InboxProcessor({ stores, streams: createHostStreams(), registry: new StaticConnectorRegistry([binding]), tenants, router: { route: async () => {} }, clock, logger: silentLogger });
    const seen: { tenantId: string; statusDuringHook: string | undefined }[] = [];
    let fail = true;
    const entry: InboxEntry = {
      id: 'in-1', tenantId: 't1', channel: 'acme', account: 'main', key: 'k-1', receivedAt: new Date(T0), status: 'pending', attempts: 0,
      event: { kind: 'message', channel: 'acme', accountId: 'a1', userId: 'u1', externalId: 'm1', timestamp: new Date(T0), content: { type: 'text', text: 'hi' } },
    };
    processor.addSettleHook(async (tenantId) => {
      seen.push({ tenantId, statusDuringHook: (await stores.inbox.get('in-1'))?.status });
      if (fail) throw new Error('queue write failed');
    });
    await stores.inbox.add([entry]);
    await processor.round();
    expect(seen).toEqual([{ tenantId: 't1', statusDuringHook: 'processing' }]);
    expect(await stores.inbox.get('in-1')).toMatchObject({ status: 'pending', attempts: 1 });
    fail = false;
    clock.advance(3_600_000);
    await processor.round();
    expect(seen).toHaveLength(2);
    expect((await stores.inbox.get('in-1'))?.status).toBe('done');
  });
});
