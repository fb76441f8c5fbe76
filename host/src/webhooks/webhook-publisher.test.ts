/**
 * The publisher: which notice of the host's streams becomes which event, for which endpoints, in
 * which order key; and a failed queue write reported by `flush(tenantId)` once.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock, silentLogger, type ConsentEntry, type Contact, type Conversation } from '@switchboard/core';
import { MemoryDriver } from '../stores/drivers/memory-driver.js';
import type { HostMessage } from '../stores/stores.js';
import { createHostStreams } from '../streams.js';
import { WebhookPublisher } from './webhook-publisher.js';
import { DocumentWebhookStore, WEBHOOK_EVENT_TYPES, type WebhookEndpoint } from './webhook-store.js';

const T0 = Date.UTC(2026, 11, 6, 9);
const conversation = { id: 'c1', tenantId: 't1', contactId: 'k1' } as unknown as Conversation;
const contact = { id: 'k1' } as unknown as Contact;
const outbound = { id: 'm2', conversationId: 'c1', direction: 'outbound' } as unknown as HostMessage;

function setup() {
  const store = new DocumentWebhookStore(new MemoryDriver());
  const streams = createHostStreams();
  const publisher = new WebhookPublisher({ store, streams, clock: new ManualClock(T0), logger: silentLogger });
  publisher.start();
  const endpoint = (endpointId: string, events: string[], over: Partial<WebhookEndpoint> = {}): WebhookEndpoint => ({
    id: '', tenantId: 't1', endpointId, url: 'https://x.test', events, secretEnv: ['S'], source: 'api', enabled: true, createdAt: new Date(T0), updatedAt: new Date(T0), ...over,
  });
  return { store, streams, publisher, endpoint };
}

describe('WebhookPublisher', () => {
  it('turns the streams\' notices into events for the subscribed, enabled endpoints, keyed by conversation or contact', async () => {
    const { store, streams, publisher, endpoint } = setup();
    await store.createEndpoint(endpoint('all', [...WEBHOOK_EVENT_TYPES]));
    await store.createEndpoint(endpoint('off', [...WEBHOOK_EVENT_TYPES], { enabled: false }));
    await store.createEndpoint(endpoint('consent', ['consent.changed']));
    streams.inbound$.next({ tenantId: 't1', message: { id: 'm1', conversationId: 'c1', direction: 'inbound' } as unknown as HostMessage, conversation, contact });
    streams.status$.next({ tenantId: 't1', conversationId: 'c1', message: outbound, status: 'sent' });
    streams.status$.next({ tenantId: 't1', conversationId: 'c1', message: outbound, status: 'delivered' });
    streams.consent$.next({ tenantId: 't1', entry: { contactId: 'k1' } as unknown as ConsentEntry });
    for (const change of ['created', 'reopened', 'assigned', 'handover', 'transferred', 'resolved', 'tagged', 'updated'] as const) streams.conversation$.next({ tenantId: 't1', change, conversation });
    streams.inbound$.next({ tenantId: 't2', message: { id: 'm9' } as unknown as HostMessage, conversation, contact });
    await publisher.flush();
    const all = (await store.listDeliveries('t1', 'all', { limit: 100 })).reverse();
    expect(all.map((d) => [d.type, d.orderKey])).toEqual([
      ['message.received', 'conversation:c1'], ['message.status', 'conversation:c1'], ['message.sent', 'conversation:c1'], ['message.status', 'conversation:c1'],
      ['consent.changed', 'contact:k1'],
      ['conversation.opened', 'conversation:c1'], ['conversation.opened', 'conversation:c1'], ['conversation.assigned', 'conversation:c1'],
      ['conversation.assigned', 'conversation:c1'], ['conversation.assigned', 'conversation:c1'], ['conversation.resolved', 'conversation:c1'],
    ]);
    expect(all.map((d) => d.seq)).toEqual(all.map((d) => d.seq).sort());
    const body = JSON.parse(all[0]!.body) as Record<string, unknown>;
    expect(body).toEqual({ id: all[0]!.eventId, type: 'message.received', timestamp: new Date(T0).toISOString(), tenantId: 't1', data: expect.objectContaining({ conversation, contact }) });
    expect(await store.listDeliveries('t1', 'off')).toEqual([]);
    expect((await store.listDeliveries('t1', 'consent')).map((d) => d.type)).toEqual(['consent.changed']);
    expect(await store.listDeliveries('t2', 'all')).toEqual([]);
    await publisher.stop();
    streams.inbound$.next({ tenantId: 't1', message: { id: 'm3' } as unknown as HostMessage, conversation, contact });
    await publisher.flush();
    expect(await store.listDeliveries('t1', 'all', { limit: 100 })).toHaveLength(11);
  });

  it('delivers the SLA timers\' sla.due and sla.breached notices to endpoints subscribed to them, in the conversation\'s order', async () => {
    const { store, streams, publisher, endpoint } = setup();
    await store.createEndpoint(endpoint('sla', ['sla.breached']));
    await store.createEndpoint(endpoint('both', ['sla.due', 'sla.breached']));
    const timer = { conversationId: 'c1', queue: 'support', policy: 'first-response' as const, startedAt: new Date(T0), dueAt: new Date(T0 + 30 * 60_000) };
    streams.sla$.next({ tenantId: 't1', type: 'sla.due', ...timer });
    streams.sla$.next({ tenantId: 't1', type: 'sla.breached', ...timer });
    await publisher.flush();
    expect((await store.listDeliveries('t1', 'sla')).map((d) => [d.type, d.orderKey])).toEqual([['sla.breached', 'conversation:c1']]);
    const both = (await store.listDeliveries('t1', 'both', { limit: 10 })).reverse();
    expect(both.map((d) => d.type)).toEqual(['sla.due', 'sla.breached']);
    expect((JSON.parse(both[1]!.body) as { data: unknown }).data).toEqual({ conversationId: 'c1', queue: 'support', policy: 'first-response', startedAt: timer.startedAt.toISOString(), dueAt: timer.dueAt.toISOString() });
    await publisher.stop();
  });

  it('reports a failed queue write to the next flush of its tenant, once', async () => {
    const { store, publisher, endpoint } = setup();
    await store.createEndpoint(endpoint('all', ['sla.breached']));
    const enqueue = store.enqueue.bind(store);
    let broken = true;
    store.enqueue = async (d) => { if (broken) throw new Error('disk full'); return enqueue(d); };
    expect(await publisher.publish('t1', { type: 'sla.breached', conversationId: 'c1', data: {} })).toBeUndefined();
    await expect(publisher.flush('t1')).rejects.toThrow('disk full');
    await expect(publisher.flush('t1')).resolves.toBeUndefined();
    broken = false;
    expect(await publisher.publish('t1', { type: 'sla.breached', conversationId: 'c1', data: {} })).toMatch(/^evt_/);
    await expect(publisher.flush('t1')).resolves.toBeUndefined();
    expect(await store.listDeliveries('t1', 'all')).toHaveLength(1);
  });
});
