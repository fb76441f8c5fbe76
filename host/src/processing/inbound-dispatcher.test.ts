import { describe, expect, it } from 'vitest';
import type { InboundEvent } from '@switchboard/core';
import type { TenantConfig } from '../config/host-config.js';
import type { InboxEntry } from '../stores/stores.js';
import { InboundDispatcher } from './inbound-dispatcher.js';
import { INBOUND_KINDS, type InboundContext, type InboundHandler, type InboundHandlers, type InboundKind } from './inbound-handler.js';

const tenants = new Map([['t1', { id: 't1' } as TenantConfig]]);

function recording(): { handlers: InboundHandlers; calls: { kind: InboundKind; event: InboundEvent; context: InboundContext }[] } {
  const calls: { kind: InboundKind; event: InboundEvent; context: InboundContext }[] = [];
  const make = <K extends InboundKind>(kind: K): InboundHandler<K> => ({ kind, handle: async (event, context) => { calls.push({ kind, event, context }); } });
  return {
    calls,
    handlers: {
      message: make('message'), status: make('status'), consent: make('consent'), 'conversation-started': make('conversation-started'),
      typing: make('typing'), closed: make('closed'), unsupported: make('unsupported'),
    },
  };
}

// an inbox entry as a store may give it back: dates as strings
const stored = (event: Record<string, unknown>, tenantId = 't1'): InboxEntry => ({
  id: 'e1', tenantId, channel: 'acme', account: 'main', key: 'k1', event: event as unknown as InboundEvent, receivedAt: new Date(0), status: 'processing', attempts: 1,
});

describe('InboundDispatcher', () => {
  it('refuses to be built without a handler for every kind, or with two for one', () => {
    const { handlers } = recording();
    const all = Object.values(handlers) as InboundHandler[];
    expect(() => new InboundDispatcher(tenants, all)).not.toThrow();
    expect(() => new InboundDispatcher(tenants, all.filter((h) => h.kind !== 'typing'))).toThrow(/no inbound handler for kind typing/);
    expect(() => new InboundDispatcher(tenants, [...all, handlers.status])).toThrow(/two inbound handlers for kind status/);
    expect(INBOUND_KINDS.sort()).toEqual(['closed', 'consent', 'conversation-started', 'message', 'status', 'typing', 'unsupported']);
  });

  it('hands each event to the handler of its kind, with its entry and tenant', async () => {
    const { handlers, calls } = recording();
    const d = InboundDispatcher.of(tenants, handlers);
    for (const kind of ['typing', 'closed', 'consent'] as const) {
      await d.dispatch(stored({ kind, channel: 'acme', accountId: 'a1', userId: 'u1', timestamp: new Date(5), action: 'opt-out' }));
    }
    expect(calls.map((c) => c.kind)).toEqual(['typing', 'closed', 'consent']);
    expect(calls[0]!.context.tenant.id).toBe('t1');
    expect(calls[0]!.context.entry.id).toBe('e1');
  });

  it('sends a kind this build does not know to the unsupported handler', async () => {
    const { handlers, calls } = recording();
    await InboundDispatcher.of(tenants, handlers).dispatch(stored({ kind: 'reaction-removed', channel: 'acme', reason: 'newer connector' }));
    expect(calls.map((c) => c.kind)).toEqual(['unsupported']);
  });

  it('revives dates a store gave back as strings, and a watermark receipt\'s upTo (also when the connector names it watermark)', async () => {
    const { handlers, calls } = recording();
    const d = InboundDispatcher.of(tenants, handlers);
    const base = { kind: 'status', channel: 'messenger', accountId: 'p1', userId: 'u1', externalId: 'watermark:1000', status: 'read' };
    await d.dispatch(stored({ ...base, timestamp: '2026-01-01T00:00:02.000Z', upTo: '2026-01-01T00:00:01.000Z' }));
    await d.dispatch(stored({ ...base, timestamp: '2026-01-01T00:00:02.000Z', watermark: '2026-01-01T00:00:01.000Z' }));
    await d.dispatch(stored({ ...base, externalId: 'mid.1', timestamp: new Date('2026-01-01T00:00:02.000Z') }));
    const events = calls.map((c) => c.event as Extract<InboundEvent, { kind: 'status' }>);
    expect(events[0]!.timestamp).toEqual(new Date('2026-01-01T00:00:02.000Z'));
    expect(events[0]!.upTo).toEqual(new Date('2026-01-01T00:00:01.000Z'));
    expect(events[1]!.upTo).toEqual(new Date('2026-01-01T00:00:01.000Z'));
    expect(events[2]!.upTo).toBeUndefined();
  });

  it('fails an entry of a tenant it does not know (the entry is retried, never handled under another tenant)', async () => {
    const { handlers, calls } = recording();
    await expect(InboundDispatcher.of(tenants, handlers).dispatch(stored({ kind: 'typing', channel: 'acme', accountId: 'a1', userId: 'u1', timestamp: new Date(0) }, 'gone'))).rejects.toThrow(/unknown tenant gone/);
    expect(calls).toEqual([]);
  });
});
