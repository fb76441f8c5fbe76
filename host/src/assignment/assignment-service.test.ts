/**
 * The assignment service on real stores (memory driver), real streams and the conversation
 * service, on a manual clock. The outbound port records what it is asked to send and denies it, as
 * the policy engine may: the e2e test (test/e2e/assignment.test.ts) sends through the real one.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock, silentLogger, type Conversation } from '@switchboard/core';
import type { TenantConfig } from '../config/host-config.js';
import type { OutboundGateway, OutboundRequest } from '../outbound/outbound-gateway.js';
import { ConversationService } from '../routing/conversation-service.js';
import { MemoryStores } from '../stores/host-stores.js';
import { createHostStreams, type SlaNotice } from '../streams.js';
import { AssignmentServiceImpl } from './assignment-service.js';
import { AssignmentStore } from './assignment-store.js';

const MIN = 60_000;

async function setUp() {
  const stores = new MemoryStores();
  const streams = createHostStreams();
  const clock = new ManualClock(Date.UTC(2026, 11, 7, 9)); // Monday 10:00 in Berlin
  const tenant = {
    id: 't', routing: { rules: [], escalationQueue: 'support' },
    assignment: { defaultCapacity: 1, queues: { support: {
      strategy: 'round-robin' as const, autoAssign: true, outOfHoursReply: 'Closed',
      hours: { timeZone: 'Europe/Berlin', weekly: { mon: ['09:00-18:00'] }, holidays: [] },
      sla: { firstResponseMinutes: 10, nextResponseMinutes: 5, dueSoonMinutes: 0 },
    } } },
  } as unknown as TenantConfig;
  const tenants = new Map([['t', tenant]]);
  const conversations = new ConversationService(stores.conversations, streams, clock, tenants);
  const sent: OutboundRequest[] = [];
  const gateway: OutboundGateway = { send: async (r) => { sent.push(r); return { status: 'denied', reasons: [] }; } };
  const service = new AssignmentServiceImpl({
    store: new AssignmentStore(stores.driver), agents: stores.agents, conversations, conversationStore: stores.conversations,
    gateway, streams, clock, tenants, logger: silentLogger,
  });
  service.start();
  const sla: SlaNotice[] = [];
  streams.sla$.subscribe((n) => sla.push(n));
  let n = 0;
  const conversation = async (): Promise<Conversation> => {
    const now = new Date(clock.now());
    const address = { channel: 'acme', accountId: 'main', userId: `u${++n}` };
    return (await stores.conversations.findOrCreate('t', address, () => ({ id: `c${n}`, tenantId: 't', contactId: `k${n}`, address, status: 'open', assignee: { kind: 'none' }, tags: [], createdAt: now, updatedAt: now }))).conversation;
  };
  const agent = async (id: string): Promise<void> => {
    const now = new Date(clock.now());
    await stores.agents.insert({ id, tenantId: 't', email: `${id}@t.io`, name: id, role: 'agent', passwordHash: 'scrypt$1$1$1$a$b', queues: ['support'], createdAt: now, updatedAt: now });
  };
  return { stores, streams, clock, conversations, service, sent, sla, conversation, agent };
}

describe('AssignmentService', () => {
  it('regression: a stale "transferred" notice does not take back a conversation the service assigned since (it was given to a full agent)', async () => {
    const w = await setUp();
    await w.agent('ann');
    await w.agent('bob');
    await w.service.setPresence('t', 'ann', 'online', { capacity: 2 });
    const c1 = await w.conversation();
    const c2 = await w.conversation();
    await w.conversations.handover('t', c1.id, { kind: 'human' });
    await w.conversations.handover('t', c2.id, { kind: 'human' });
    await w.service.idle();
    await w.service.setPresence('t', 'bob', 'online', { capacity: 1 });
    await w.service.setPresence('t', 'ann', 'offline');
    await w.service.idle();
    const after = await Promise.all([c1, c2].map(async (c) => (await w.stores.conversations.get('t', c.id))!.assignee));
    expect(after).toEqual([{ kind: 'agent', agentId: 'bob', queue: 'support' }, { kind: 'queue', queue: 'support' }]);
    expect((await w.service.listPresence('t')).map((p) => [p.agentId, p.status, p.load])).toEqual([['ann', 'offline', 0], ['bob', 'online', 1]]);
  });

  it('assigns at the periodic check what waits since a restart (presence changed by another process)', async () => {
    const w = await setUp();
    await w.agent('ann');
    const c = await w.conversation();
    await w.conversations.handover('t', c.id, { kind: 'human' });
    await w.service.idle();
    expect((await w.stores.conversations.get('t', c.id))!.assignee).toEqual({ kind: 'queue', queue: 'support' });
    // another process (or this one before a restart) set ann online in the shared store
    await new AssignmentStore(w.stores.driver).setPresence('t', 'ann', { status: 'online' }, new Date(w.clock.now()));
    await w.service.tick();
    await w.service.idle();
    expect((await w.stores.conversations.get('t', c.id))!.assignee).toEqual({ kind: 'agent', agentId: 'ann', queue: 'support' });
  });

  it('starts a next-response timer when the customer writes after an agent\'s reply, and a late reply clears the breach', async () => {
    const w = await setUp();
    const c = await w.conversation();
    const held = await w.conversations.handover('t', c.id, { kind: 'human' });
    await w.service.idle();
    const reply = { id: 'm1', tenantId: 't', conversationId: c.id, direction: 'outbound', sender: 'agent', status: 'queued' } as never;
    w.streams.status$.next({ tenantId: 't', conversationId: c.id, message: reply, status: 'queued' });
    await w.service.idle();
    w.clock.advance(20 * MIN);
    await w.service.tick();
    expect(w.sla).toEqual([]); // answered in time
    w.streams.inbound$.next({ tenantId: 't', conversation: held, contact: {} as never, message: {} as never });
    await w.service.idle();
    w.clock.advance(5 * MIN);
    await w.service.tick();
    // dueSoonMinutes 0: no warning before, the breach at the due time
    expect(w.sla.map((s) => [s.type, s.policy, s.dueAt.getTime() - s.startedAt.getTime()])).toEqual([['sla.breached', 'next-response', 5 * MIN]]);
    expect((await w.service.timers('t')).map((t) => t.state)).toEqual(['breached']);
    // the late reply clears the badge
    w.streams.status$.next({ tenantId: 't', conversationId: c.id, message: { ...reply, id: 'm2' }, status: 'queued' });
    await w.service.idle();
    expect(await w.service.timers('t')).toEqual([]);
  });

  it('asks the outbound port for the out-of-hours reply once, and goes on when the policy denies it', async () => {
    const w = await setUp();
    w.clock.set(Date.UTC(2026, 11, 7, 20)); // Monday 21:00 in Berlin
    const c = await w.conversation();
    await w.conversations.handover('t', c.id, { kind: 'human' });
    await w.service.idle();
    const held = (await w.stores.conversations.get('t', c.id))!;
    w.streams.inbound$.next({ tenantId: 't', conversation: held, contact: {} as never, message: {} as never });
    await w.service.idle();
    expect(w.sent).toEqual([{ tenantId: 't', conversationId: c.id, sender: 'system', purpose: 'service', content: { type: 'text', text: 'Closed' } }]);
  });
});
