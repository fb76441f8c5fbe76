import { describe, expect, it } from 'vitest';
import { ManualClock, silentLogger, type Connector, type ConnectorPlugin, type InboundEvent, type Logger, type MessageEvent } from '@switchboard/core';
import type { TenantConfig } from '../config/host-config.js';
import type { KeywordKind } from '../consent/keywords.js';
import { StaticConnectorRegistry, type HostConnectorBinding } from '../plugins/connector-registry.js';
import { MemoryStores } from '../stores/host-stores.js';
import type { HostMessage, InboxEntry } from '../stores/stores.js';
import { createHostStreams, type ConsentNotice, type InboundNotice, type StatusNotice } from '../streams.js';
import type { InboundRouter } from './inbound-router.js';
import { InboxProcessor } from './inbox-processor.js';

const T0 = Date.UTC(2026, 0, 1);

/** A processor over memory stores, with a connector whose acknowledgeInteraction is recorded (or fails). */
function pipeline(options: { acknowledge?: (event: MessageEvent) => Promise<void> } = {}) {
  const stores = new MemoryStores();
  const streams = createHostStreams();
  const clock = new ManualClock(T0 + 3_600_000);
  const acknowledged: MessageEvent[] = [];
  const warnings: string[] = [];
  const connector = {
    channel: 'acme', accountId: 'a1',
    acknowledgeInteraction: options.acknowledge ?? (async (event: MessageEvent) => { acknowledged.push(event); }),
  } as unknown as Connector;
  const plugin = { channel: 'acme', policy: { optOutKeywords: [] } } as unknown as ConnectorPlugin;
  const binding: HostConnectorBinding = { tenantId: 't1', channel: 'acme', account: 'main', connector, plugin };
  const routed: { notice: InboundNotice; account: string; keyword?: KeywordKind }[] = [];
  const router: InboundRouter = { route: async (notice, account, keyword) => { routed.push({ notice, account, ...(keyword ? { keyword } : {}) }); } };
  const logger: Logger = { ...silentLogger, warn: (_o, msg) => { warnings.push(String(msg)); } };
  const tenants = new Map([['t1', { id: 't1', apiKeys: [] } as unknown as TenantConfig]]);
  const processor = new InboxProcessor({ stores, streams, registry: new StaticConnectorRegistry([binding]), tenants, router, clock, logger });
  const consent: ConsentNotice[] = [];
  const statuses: StatusNotice[] = [];
  streams.consent$.subscribe((n) => consent.push(n));
  streams.status$.subscribe((n) => statuses.push(n));
  let seq = 0;
  const deliver = async (event: InboundEvent): Promise<InboxEntry> => {
    const e: InboxEntry = { id: `in-${++seq}`, tenantId: 't1', channel: 'acme', account: 'main', key: `k-${seq}`, event, receivedAt: new Date(clock.now()), status: 'pending', attempts: 0 };
    await stores.inbox.add([e]);
    await processor.round();
    return e;
  };
  return { stores, clock, processor, acknowledged, routed, warnings, consent, statuses, deliver };
}

const message = (externalId: string, text: string, metadata?: Record<string, unknown>): MessageEvent => ({
  kind: 'message', channel: 'acme', accountId: 'a1', userId: 'u1', externalId, timestamp: new Date(T0), content: { type: 'text', text }, ...(metadata ? { metadata } : {}),
});

describe('InboxProcessor: the inbound pipeline', () => {
  it('asks the connector to acknowledge a kept message through its typed hook, once per platform message', async () => {
    const p = pipeline();
    await p.deliver(message('m1', 'pick me', { callbackQueryId: 'cb-1' }));
    await p.deliver(message('m1', 'pick me', { callbackQueryId: 'cb-1' })); // the same tap delivered again under another event id
    expect(p.acknowledged.map((e) => e.metadata?.callbackQueryId)).toEqual(['cb-1']);
    expect(p.routed).toHaveLength(1);
  });

  it('keeps and routes the message when the acknowledgement fails, and logs the failure', async () => {
    const p = pipeline({ acknowledge: async () => { throw new Error('403 query too old'); } });
    const e = await p.deliver(message('m1', 'pick me', { callbackQueryId: 'cb-1' }));
    await new Promise((resolve) => setImmediate(resolve));
    expect((await p.stores.inbox.get(e.id))?.status).toBe('done');
    expect(p.routed).toHaveLength(1);
    expect(p.warnings).toEqual(['could not acknowledge an interaction']);
  });

  it('records a STOP keyword through the consent service (id derived from the entry, published) and routes the message with it', async () => {
    const p = pipeline();
    const e = await p.deliver(message('m1', 'STOP'));
    expect(p.routed.map((r) => r.keyword)).toEqual(['stop']);
    const contactId = p.routed[0]!.notice.contact.id;
    const ledger = await p.stores.consent.listByContact('t1', contactId);
    expect(ledger).toMatchObject([{ id: `${e.id}:stop`, action: 'opt-out', scope: 'all-channels', evidence: { source: 'keyword', text: 'STOP', reference: 'm1' } }]);
    expect(p.consent.map((n) => n.entry.id)).toEqual([`${e.id}:stop`]);
  });

  it('moves every message sent up to a watermark receipt\'s upTo forward, and publishes each change', async () => {
    const p = pipeline();
    await p.deliver(message('m0', 'hello'));
    const conversation = p.routed[0]!.notice.conversation;
    const sent = (id: string, at: number): HostMessage => ({
      id, tenantId: 't1', conversationId: conversation.id, channel: 'acme', accountId: 'a1', userId: 'u1', direction: 'outbound', externalId: `x-${id}`,
      content: { type: 'text', text: id }, status: 'sent', timestamp: new Date(T0 + at), createdAt: new Date(T0 + at), updatedAt: new Date(T0 + at),
    });
    for (const m of [sent('o1', 1000), sent('o2', 2000), sent('o3', 9000)]) await p.stores.messages.insert(m);
    await p.deliver({ kind: 'status', channel: 'acme', accountId: 'a1', userId: 'u1', externalId: 'watermark', status: 'read', timestamp: new Date(T0 + 10_000), upTo: new Date(T0 + 5000) });
    const status = async (id: string) => (await p.stores.messages.get('t1', id))?.status;
    expect([await status('o1'), await status('o2'), await status('o3')]).toEqual(['read', 'read', 'sent']);
    expect(p.statuses.map((s) => s.message.id).sort()).toEqual(['o1', 'o2']);
  });

  it('retries a receipt that overtook its message, and applies it once the message carries its external id', async () => {
    const p = pipeline();
    const e = await p.deliver({ kind: 'status', channel: 'acme', accountId: 'a1', userId: 'u1', externalId: 'x-late', status: 'delivered', timestamp: new Date(T0 + 10_000) });
    expect(await p.stores.inbox.get(e.id)).toMatchObject({ status: 'pending', attempts: 1 });
    await p.deliver(message('m0', 'hello'));
    const conversationId = p.routed[0]!.notice.conversation.id;
    await p.stores.messages.insert({
      id: 'late', tenantId: 't1', conversationId, channel: 'acme', accountId: 'a1', userId: 'u1', direction: 'outbound', externalId: 'x-late',
      content: { type: 'text', text: 'late' }, status: 'sent', timestamp: new Date(T0), createdAt: new Date(T0), updatedAt: new Date(T0),
    });
    p.clock.advance(60_000);
    await p.processor.round();
    expect((await p.stores.inbox.get(e.id))?.status).toBe('done');
    expect((await p.stores.messages.get('t1', 'late'))?.status).toBe('delivered');
  });
});
